"""Signing fixtures: a test CA with a signer and a timestamp authority (made once per session with
app.signing.pki, as `flask demo` makes its DEMO key), the app configured to sign with them, local
HTTP servers for the remote-signing backend and the TSA, and a case walked to its certificate."""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.cases import demo_data
from app.core.extensions import db
from app.services.yaml_format import dump
from app.signing import SignatureBlock, outside_event_loop, pki
from app.signing.local import LocalSigner
from models import Case, Certificate, Service
from tests.factories import advance, new_case, role_user

SIGNER_CN = "Penandatangan Uji Sigma Kota Contoh"
ORGANIZATION = "Pemerintah Kota Contoh (UJI)"
PASSPHRASE = "uji-rahasia-sigma-42"


@dataclass(frozen=True)
class TestPki:
    folder: Path
    ca: pki.Issued
    signer: pki.Issued
    tsa: pki.Issued
    pkcs12: Path
    trust_roots: Path

    def config(self, **extra: Any) -> dict[str, Any]:
        return {
            "SIGNING_BACKEND": "local",
            "SIGNING_PKCS12": str(self.pkcs12),
            "SIGNING_PASSPHRASE": PASSPHRASE,
            "SIGNING_PASSPHRASE_FILE": "",
            "SIGNING_TRUST_ROOTS": str(self.trust_roots),
            "SIGNING_TSA_URL": "",
            **extra,
        }

    def local_signer(self) -> LocalSigner:
        return LocalSigner(self.pkcs12.read_bytes(), PASSPHRASE.encode())


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory) -> TestPki:
    folder = tmp_path_factory.mktemp("signing-pki")
    ca = pki.make_ca("CA Uji Sigma", ORGANIZATION)
    signer = pki.make_signer(ca, SIGNER_CN, ORGANIZATION)
    tsa = pki.make_tsa(ca, "TSA Uji Sigma", ORGANIZATION)
    pkcs12 = folder / "signer.p12"
    pkcs12.write_bytes(pki.pkcs12_bytes(signer, ca, PASSPHRASE.encode()))
    roots = folder / "ca.pem"
    roots.write_bytes(ca.cert_pem)
    return TestPki(folder, ca, signer, tsa, pkcs12, roots)


@pytest.fixture
def signing_app(app, test_pki):
    """The test's app, signing certificates with the test key (config is read when signing)."""
    app.config.update(test_pki.config())
    return app


def certificate_step_nos(app, code: str) -> tuple[int, int]:
    """(sign step no, number step no) of a service."""
    with app.app_context():
        service = db.session.scalar(select(Service).where(Service.code == code))
        kinds = {s.kind: s.no for s in service.steps}
        return kinds["sign"], kinds["number"]


def walk_to_certificate(app, code: str = "TD-BKK") -> int:
    """A new case of `code` walked past both the sign and the number step (the certificate is final)."""
    case_id = new_case(app, code)
    sign_no, number_no = certificate_step_nos(app, code)
    advance(app, case_id, max(sign_no, number_no) + 1)
    return case_id


def certificate_row(app, case_id: int) -> Certificate | None:
    with app.app_context():
        cert = db.session.scalar(select(Certificate).where(Certificate.case_id == case_id))
        if cert is not None:
            db.session.expunge(cert)
        return cert


def signer_user(app):
    return role_user(app, "Kepala Dinas")


def validate(data: bytes, roots_pem: bytes) -> Any:
    """pyHanko's status of the file's (last) signature, trusting `roots_pem`."""
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    roots = [x509.Certificate.load(der) for _t, _h, der in pem.unarmor(roots_pem, multiple=True)]
    reader = PdfFileReader(io.BytesIO(data))
    assert reader.embedded_signatures, "the PDF carries no signature"
    return outside_event_loop(
        validate_pdf_signature,
        reader.embedded_signatures[-1],
        ValidationContext(trust_roots=roots, allow_fetching=False),
    )


def one_byte_changed(data: bytes) -> bytes:
    """The file with one byte changed inside the data of a stream of the rendered pages (signed range)."""
    starts = [m.end() for m in re.finditer(rb"(?<!end)stream\r?\n", data) if m.start() > len(data) // 8]
    at = starts[0] + 20
    changed = bytearray(data)
    changed[at] ^= 0x01
    return bytes(changed)


def visible_text(data: bytes) -> str:
    """The text a reader sees on the pages, the signature block's appearance included (poppler's
    pdftotext draws annotations; pypdf reads the page content only)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(data)
        fh.flush()
        out = subprocess.run(["pdftotext", "-layout", fh.name, "-"], capture_output=True, check=True, timeout=60)
    return " ".join(out.stdout.decode("utf-8").split())


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- local HTTP servers ----------------------------------------------------------------------


class ThreadServer:
    """A WSGI app on a free local port, in a thread."""

    def __init__(self, wsgi: Callable) -> None:
        self._server = make_server("127.0.0.1", 0, wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


@dataclass
class RemoteSigner:
    """A BSrE-like signing service: POST /api/sign/pdf, multipart file + nik + passphrase + tampilan."""

    signer: LocalSigner
    nik: str = "1471010101900042"
    passphrase: str = "rahasia-bsre"
    token: str = "Basic dWppOnNpZ21h"
    answer: str = "pdf"  # pdf | json
    requests: list[dict[str, Any]] | None = None

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.requests = (self.requests or []) + [{"form": dict(request.form), "files": list(request.files)}]
        if request.path != "/api/sign/pdf" or request.method != "POST":
            return Response("not found", 404)(environ, start_response)
        if request.headers.get("Authorization") != self.token:
            return Response(json.dumps({"error": "unauthorized"}), 401, mimetype="application/json")(
                environ, start_response
            )
        if request.form.get("nik") != self.nik or request.form.get("passphrase") != self.passphrase:
            body = json.dumps({"error": "Passphrase anda salah"})
            return Response(body, 400, mimetype="application/json")(environ, start_response)
        upload = request.files.get("file")
        if upload is None:
            return Response("no file", 400)(environ, start_response)
        form = request.form
        x, y = float(form.get("xAxis", 0)), float(form.get("yAxis", 0))
        box = (x, y, x + float(form.get("width", 0)), y + float(form.get("height", 0)))
        block = SignatureBlock(
            signer_name=form.get("signer_name", ""),
            signer_nip=form.get("signer_nip") or None,
            title=form.get("title", ""),
            signed_at=datetime.now(UTC),
            time_text=form.get("time", ""),
            page=int(form.get("page", "1")) - 1,
            box=box if form.get("tampilan") == "visible" and box[2] > box[0] else None,
            contact=form.get("contact", ""),
        )
        signed = self.signer.sign(upload.read(), block)
        if self.answer == "json":
            import base64

            body = json.dumps({"file": [base64.b64encode(signed).decode()]})
            return Response(body, 200, mimetype="application/json")(environ, start_response)
        return Response(signed, 200, mimetype="application/pdf")(environ, start_response)


BSRE_FIELDS = {
    "nik": "1471010101900042",
    "passphrase": "rahasia-bsre",
    "tampilan": "visible",
    "page": "{page}",
    "xAxis": "{x}",
    "yAxis": "{y}",
    "width": "{width}",
    "height": "{height}",
    "signer_name": "{signer_name}",
    "signer_nip": "{signer_nip}",
    "title": "{title}",
    "time": "{time}",
    "contact": "{contact}",
}


@pytest.fixture
def remote_signer(test_pki) -> Iterator[tuple[RemoteSigner, str]]:
    service = RemoteSigner(test_pki.local_signer())
    server = ThreadServer(service)
    yield service, server.url + "/api/sign/pdf"
    server.stop()


@pytest.fixture
def tsa_server(test_pki) -> Iterator[str]:
    """pyHanko's DummyTimeStamper answering RFC 3161 requests over HTTP, with the test TSA key."""
    from asn1crypto import keys, tsp, x509
    from pyhanko.sign.timestamps import DummyTimeStamper

    stamper = DummyTimeStamper(
        tsa_cert=x509.Certificate.load(test_pki.tsa.cert.public_bytes(pki.serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(
            test_pki.tsa.key.private_bytes(
                pki.serialization.Encoding.DER, pki.serialization.PrivateFormat.PKCS8, pki.serialization.NoEncryption()
            )
        ),
    )
    served: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            served.append(len(answer))
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/tsa"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


# --- a service written here, with names seen nowhere else: it numbers BEFORE it signs ---------------

OMICRON = {
    "format": 1,
    "code": "UJI-OMIKRON",
    "name": "Izin Uji Omikron",
    "product": "Tanda Daftar Uji Omikron",
    "fee": 0,
    "completion_working_days": 4,
    "number_format": "{seq:03d}/OMIKRON/{month_roman}/{year}",
    "institution": "optional",
    "certificate": {
        "title": "Tanda Daftar Uji Omikron",
        "body": "Dengan ini didaftarkan kegiatan Uji Omikron atas nama:",
    },
    "standard": {"legal_basis": ["Peraturan Uji Omikron Nomor 7 Tahun 2026"]},
    "executors": [
        {"code": "warga_omikron", "name": "Warga Omikron", "applicant": True},
        {"code": "loket_omikron", "name": "Loket Omikron"},
        {"code": "perumus_lambda", "name": "Perumus Naskah Lambda"},
        {"code": "pengesah_upsilon", "name": "Pengesah Upsilon"},
    ],
    "requirements": [{"code": "surat_omikron", "name": "Surat permohonan Omikron", "required": True, "document": True}],
    "form": [{"name": "nama_kegiatan", "label": "Nama kegiatan", "type": "text", "required": True, "max_length": 80}],
    "steps": [
        {
            "no": 1,
            "activity": "Menerima berkas Omikron",
            "kind": "intake",
            "executors": ["warga_omikron", "loket_omikron"],
            "minutes": 10,
        },
        {
            "no": 2,
            "activity": "Memeriksa berkas Omikron",
            "kind": "verify",
            "executors": ["loket_omikron"],
            "minutes": 20,
            "returns_to": "applicant",
        },
        {"no": 3, "activity": "Merumuskan naskah", "kind": "draft", "executors": ["perumus_lambda"], "hours": 1},
        {"no": 4, "activity": "Memberi nomor dahulu", "kind": "number", "executors": ["perumus_lambda"], "minutes": 5},
        {
            "no": 5,
            "activity": "Mengesahkan sesudah bernomor",
            "kind": "sign",
            "executors": ["pengesah_upsilon"],
            "working_days": 1,
        },
        {
            "no": 6,
            "activity": "Menyerahkan tanda daftar",
            "kind": "handover",
            "executors": ["warga_omikron", "loket_omikron"],
            "minutes": 5,
        },
    ],
}
OMICRON_ROLES = {e["code"]: e["name"] for e in OMICRON["executors"] if not e.get("applicant")}
# The signer of the Omikron certificates: an account without a personnel record, a name outside Latin-1.
OMICRON_SIGNER = ("Ngụy Thị", "Hương")


@pytest.fixture
def omicron(app, runner, tmp_path, make_user) -> dict[str, str]:
    """OMICRON loaded through the CLI; {role name: username} of one officer per role."""
    path = tmp_path / "uji-omikron.yaml"
    path.write_text(dump(OMICRON), encoding="utf-8")
    result = runner.invoke(args=["service", "load", str(path)])
    assert result.exit_code == 0, result.output
    users = {}
    for name in OMICRON_ROLES.values():
        first, last = OMICRON_SIGNER if name == "Pengesah Upsilon" else (name.split()[0], "Uji")
        users[name] = make_user(name, first_name=first, last_name=last)
    return users


def walk_omicron(app, users: dict[str, str], to_step_no: int) -> int:
    """A new OMICRON case walked by its own officers until it waits at `to_step_no`."""
    case_id = new_case(app, OMICRON["code"], user=users["Loket Omikron"], form={"nama_kegiatan": "Pameran Omikron"})
    with app.app_context():
        sm = app.appbuilder.sm
        demo_data.walk(case_id, to_step_no, lambda role: sm.find_user(username=users[role]))
    return case_id


def case_step(app, case_id: int) -> int | None:
    with app.app_context():
        return db.session.get(Case, case_id).current_step_no
