"""The HTTP backend: a remote signing service signs the PDF (BSrE's esign API and the like).

BSrE's esign client API signs with `POST /api/sign/pdf`, a multipart form with the PDF in
`file` and the fields `nik`, `passphrase` and `tampilan` (visible/invisible, with `page`,
`xAxis`, `yAxis`, `width`, `height` for a visible one), answering the signed PDF. Services
differ in names and answers, so the request and the answer are configuration:

* SIGNING_HTTP_URL: where to POST;
* SIGNING_HTTP_FILE_FIELD: the multipart field of the PDF (default `file`);
* SIGNING_HTTP_FIELDS: a JSON object of the other form fields. Values may name the block with
  `{signer_name}`, `{signer_nip}`, `{title}`, `{time}`, `{reason}`, `{location}`, `{contact}`,
  `{page}` (1-based), `{x}`, `{y}`, `{width}`, `{height}` (points from the page's lower left);
* SIGNING_HTTP_AUTH_HEADER: one header sent as is, e.g. `Authorization: Basic dXNlcjpwdw==`;
* SIGNING_HTTP_RESPONSE: `pdf` (the body is the signed PDF) or `json` (a JSON object whose
  SIGNING_HTTP_JSON_FIELD holds it in base64; a dotted path such as `file.0` walks into it).
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from typing import Any

from app.signing import SignatureBlock, SigningError

log = logging.getLogger(__name__)

PLACEHOLDER = re.compile(r"\{(signer_name|signer_nip|title|time|reason|location|contact|page|x|y|width|height)\}")
RESPONSES = ("pdf", "json")


def _fields(value: Any) -> dict[str, str]:
    if isinstance(value, Mapping):
        data: Any = value
    else:
        try:
            data = json.loads(value or "{}")
        except ValueError as exc:
            raise SigningError(f"SIGNING_HTTP_FIELDS is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise SigningError("SIGNING_HTTP_FIELDS must be a JSON object")
    return {str(k): "" if v is None else str(v) for k, v in data.items()}


def _header(value: str) -> tuple[str, str] | None:
    if not value:
        return None
    name, sep, rest = value.partition(":")
    if not sep or not name.strip() or re.search(r"[\r\n]", value):
        raise SigningError("SIGNING_HTTP_AUTH_HEADER must read 'Name: value'")
    return name.strip(), rest.strip()


def block_values(block: SignatureBlock, pages: int | None = None) -> dict[str, str]:
    """The placeholders of SIGNING_HTTP_FIELDS for one block."""
    x1, y1, x2, y2 = block.box or (0.0, 0.0, 0.0, 0.0)
    page = block.page + 1 if block.page >= 0 else (pages + block.page + 1 if pages else 1)
    return {
        "signer_name": block.signer_name,
        "signer_nip": block.signer_nip or "",
        "title": block.title,
        "time": block.time_text or block.signed_at.isoformat(timespec="minutes"),
        "reason": block.reason,
        "location": block.location,
        "contact": block.contact,
        "page": str(page),
        "x": str(round(x1)),
        "y": str(round(y1)),
        "width": str(round(x2 - x1)),
        "height": str(round(y2 - y1)),
    }


def multipart(fields: Mapping[str, str], file_field: str, filename: str, content: bytes) -> tuple[bytes, str]:
    """(body, content type) of a multipart/form-data request."""
    boundary = "----sp-sign-" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote(name)}"\r\n\r\n'.encode()
            + value.encode("utf-8")
            + b"\r\n"
        )
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{_quote(file_field)}"; '
            f'filename="{_quote(filename)}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "").replace("\n", "")


def _walk(data: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            raise SigningError(f"the signing service's answer has no {path!r}")
    return data


class HttpSigner:
    """POSTs the PDF to a remote signing service and reads the signed PDF from its answer."""

    def __init__(
        self,
        url: str,
        file_field: str = "file",
        fields: Mapping[str, str] | str | None = None,
        auth_header: str = "",
        response: str = "pdf",
        json_field: str = "file",
        timeout: float = 30,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise SigningError("SIGNING_HTTP_URL must be an http(s) address")
        if response not in RESPONSES:
            raise SigningError(f"SIGNING_HTTP_RESPONSE={response!r}: expected pdf or json")
        self.url = url
        self.file_field = file_field or "file"
        self.fields = _fields(fields)
        self.auth = _header(auth_header)
        self.response = response
        self.json_field = json_field or "file"
        self.timeout = timeout

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> HttpSigner:
        return cls(
            str(config.get("SIGNING_HTTP_URL") or ""),
            file_field=str(config.get("SIGNING_HTTP_FILE_FIELD") or "file"),
            fields=config.get("SIGNING_HTTP_FIELDS") or "{}",
            auth_header=str(config.get("SIGNING_HTTP_AUTH_HEADER") or ""),
            response=str(config.get("SIGNING_HTTP_RESPONSE") or "pdf").strip().lower(),
            json_field=str(config.get("SIGNING_HTTP_JSON_FIELD") or "file"),
            timeout=float(config.get("SIGNING_TIMEOUT") or 30),
        )

    def sign(self, pdf_bytes: bytes, block: SignatureBlock) -> bytes:
        values = block_values(block)
        fields = {name: PLACEHOLDER.sub(lambda m: values[m.group(1)], v) for name, v in self.fields.items()}
        body, content_type = multipart(fields, self.file_field, "sertifikat.pdf", pdf_bytes)
        request = urllib.request.Request(self.url, data=body, method="POST")
        request.add_header("Content-Type", content_type)
        request.add_header("Accept", "application/pdf" if self.response == "pdf" else "application/json")
        if self.auth:
            request.add_header(*self.auth)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                data = answer.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace")
            raise SigningError(f"the signing service answered {exc.code}: {detail}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise SigningError(f"the signing service cannot be reached: {exc}") from exc
        if self.response == "json":
            try:
                encoded = _walk(json.loads(data), self.json_field)
                data = base64.b64decode(str(encoded), validate=True)
            except (ValueError, binascii.Error) as exc:
                raise SigningError(f"the signing service's JSON answer holds no base64 PDF: {exc}") from exc
        if not data.startswith(b"%PDF-"):
            raise SigningError("the signing service did not answer a PDF")
        return data
