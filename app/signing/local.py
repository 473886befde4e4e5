"""The local backend: pyHanko signs with the office's PKCS#12 key and draws the visible block."""

from __future__ import annotations

import functools
import io
import logging
import os
import tempfile
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.signing import SignatureBlock, SigningError, outside_event_loop

log = logging.getLogger(__name__)
# fontTools says on every subset of DejaVu that it drops the FFTM table (a FontForge timestamp): noise.
logging.getLogger("fontTools.subset").setLevel(logging.ERROR)

FONT = Path(__file__).resolve().parent.parent / "static" / "fonts" / "DejaVuSans.ttf"
FIELD_NAME = "TTE"
STAMP_FONT_SIZE = 8
LINE_WIDTH = 48  # characters per line of the block before a long title wraps
ZONE_NAMES = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def read_passphrase(config: Mapping[str, Any]) -> bytes | None:
    """SIGNING_PASSPHRASE, else the first line of SIGNING_PASSPHRASE_FILE; None when neither is set."""
    value = config.get("SIGNING_PASSPHRASE")
    if not value and config.get("SIGNING_PASSPHRASE_FILE"):
        try:
            value = Path(str(config["SIGNING_PASSPHRASE_FILE"])).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SigningError(f"cannot read SIGNING_PASSPHRASE_FILE: {exc}") from exc
    return str(value).encode("utf-8") if value else None


def office_time_text(when) -> str:
    """`28 November 2026 14.05 WIB`: the signing time in office time."""
    from app.core.formatting import format_datetime
    from app.core.timezone import office_tz

    zone = office_tz()
    abbreviation = ZONE_NAMES.get(str(zone.key) if hasattr(zone, "key") else "", "") or when.astimezone(zone).tzname()
    return f"{format_datetime(when, locale='id')} {abbreviation}".strip()


def block_text(block: SignatureBlock) -> str:
    """The lines of the visible block (user text is data: % signs are escaped for pyHanko's template)."""
    lines = ["Ditandatangani secara elektronik oleh:"]
    lines += textwrap.wrap(block.title, LINE_WIDTH) or [""]
    lines += textwrap.wrap(block.signer_name, LINE_WIDTH) or [""]
    if block.signer_nip:
        lines.append(f"NIP. {block.signer_nip}")
    lines.append(block.time_text or block.signed_at.isoformat(timespec="minutes"))
    return "\n".join(line.replace("%", "%%") for line in lines)


@functools.lru_cache(maxsize=64)
def _stamp_font(characters: str) -> bytes:
    """DejaVu Sans cut to `characters` and scaled to 1000 units per em.

    pyHanko writes a TrueType font's glyph widths in the font's own units, while PDF reads
    them as thousandths of an em: DejaVu (2048 units) would print letter-spaced and run out
    of its box. Scaling the whole font takes seconds; the few glyphs of one block, a fraction.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.ttLib.scaleUpem import scale_upem

    font = TTFont(str(FONT))
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.glyph_names = True
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    if font["head"].unitsPerEm != 1000:
        scale_upem(font, 1000)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def timestamper(url: str | None, timeout: float = 30):
    """pyHanko's RFC 3161 client for SIGNING_TSA_URL, or None."""
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=timeout)


class LocalSigner:
    """Signs with the key and certificate of a PKCS#12 file."""

    def __init__(self, pkcs12: bytes, passphrase: bytes | None, tsa_url: str | None = None, timeout: float = 30):
        from pyhanko.sign import signers

        try:
            self.signer = signers.SimpleSigner.load_pkcs12_data(pkcs12, other_certs=(), passphrase=passphrase)
        except ValueError as exc:
            raise SigningError("the PKCS#12 file cannot be opened (wrong passphrase or not a PKCS#12 file)") from exc
        self.tsa_url = tsa_url or None
        self.timeout = timeout

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LocalSigner:
        path = str(config.get("SIGNING_PKCS12") or "")
        if not path:
            raise SigningError("SIGNING_PKCS12 is not set")
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise SigningError(f"cannot read SIGNING_PKCS12: {exc}") from exc
        return cls(
            data,
            read_passphrase(config),
            tsa_url=str(config.get("SIGNING_TSA_URL") or "") or None,
            timeout=float(config.get("SIGNING_TIMEOUT") or 30),
        )

    @property
    def certificate(self):
        """The signer's certificate (asn1crypto)."""
        return self.signer.signing_cert

    def sign(self, pdf_bytes: bytes, block: SignatureBlock) -> bytes:
        from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.pdf_utils.text import TextBoxStyle
        from pyhanko.sign import fields, signers
        from pyhanko.stamp import TextStampStyle

        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
            pages = int(writer.root["/Pages"]["/Count"])
            page = block.page if block.page >= 0 else pages + block.page
            meta = signers.PdfSignatureMetadata(
                field_name=FIELD_NAME,
                md_algorithm="sha256",
                subfilter=fields.SigSeedSubFilter.PADES,
                name=block.signer_name or None,
                reason=block.reason or None,
                location=block.location or None,
                contact_info=block.contact or None,
            )
            spec = None
            if block.box is not None:
                box = tuple(round(v) for v in block.box)
                spec = fields.SigFieldSpec(FIELD_NAME, on_page=page, box=box)  # type: ignore[arg-type]
            else:
                spec = fields.SigFieldSpec(FIELD_NAME, on_page=page)
            text = block_text(block)
            font_file = tempfile.NamedTemporaryFile(suffix=".ttf", delete=False)  # noqa: SIM115 (removed below)
            with font_file:
                font_file.write(_stamp_font("".join(sorted(set(text + " 0123456789.:%")))))
            style = TextStampStyle(
                stamp_text=text,
                text_box_style=TextBoxStyle(
                    font=GlyphAccumulatorFactory(font_file.name, font_size=STAMP_FONT_SIZE), font_size=STAMP_FONT_SIZE
                ),
                border_width=1,
            )
            pdf_signer = signers.PdfSigner(
                meta,
                signer=self.signer,
                timestamper=timestamper(self.tsa_url, self.timeout),
                stamp_style=style,
                new_field_spec=spec,
            )
            out = io.BytesIO()
            try:
                outside_event_loop(pdf_signer.sign_pdf, writer, output=out)
            finally:
                os.unlink(font_file.name)
            return out.getvalue()
        except SigningError:
            raise
        except Exception as exc:  # pyHanko, the TSA's HTTP answer, a malformed PDF: one refusal
            log.warning("local signing failed: %s: %s", type(exc).__name__, exc)
            raise SigningError(f"signing failed: {type(exc).__name__}: {exc}") from exc
