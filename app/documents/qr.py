"""QR codes as PNG data URIs, so documents and pages embed them without a file."""

from __future__ import annotations

import base64
import io

import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_png(text: str, box_size: int = 4) -> bytes:
    """A QR code of `text` as PNG bytes (medium error correction survives a stamp)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=2)
    code.add_data(text)
    code.make(fit=True)
    buf = io.BytesIO()
    code.make_image(fill_color="black", back_color="white").save(buf, format="PNG")
    return buf.getvalue()


def qr_data_uri(text: str, box_size: int = 4) -> str:
    """`data:image/png;base64,...` of the QR code of `text`."""
    return "data:image/png;base64," + base64.b64encode(qr_png(text, box_size)).decode("ascii")
