"""The office that runs the services: letterhead, signer titles and office roles (office definition)."""

from __future__ import annotations

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Model, TimestampMixin


class Office(TimestampMixin, Model):
    """The one office of this installation, as its definition file describes it.

    Changed only by `flask office load`: the console shows it read-only so the
    file stays the single source (and `flask office export` its round trip).
    """

    __tablename__ = "office"
    __console__ = {
        "label": "Office",
        "list": ["code", "short_name", "address", "phone", "head_title"],
        "readonly": True,
        "capabilities": {"console.read": ["list", "export"]},
    }
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, info={"label": "Code"})
    name: Mapped[str] = mapped_column(String(300), info={"label": "Name"})
    short_name: Mapped[str] = mapped_column(String(120), info={"label": "Short name"})
    # Lines printed above the office's name on the letterhead ("PEMERINTAH KOTA PEKANBARU").
    letterhead: Mapped[list] = mapped_column(JSON, default=list, info={"label": "Letterhead lines"})
    # The emblem image printed left of the letterhead: a PNG/JPEG path as the definition
    # names it (absolute, or relative to app/office/definitions/); None prints no emblem.
    emblem: Mapped[str | None] = mapped_column(String(300), info={"label": "Emblem image"})
    address: Mapped[str] = mapped_column(String(300), info={"label": "Address"})
    city: Mapped[str] = mapped_column(String(120), info={"label": "City"})
    phone: Mapped[str] = mapped_column(String(60), info={"label": "Phone"})
    fax: Mapped[str | None] = mapped_column(String(60), info={"label": "Fax"})
    email: Mapped[str | None] = mapped_column(String(200), info={"label": "Email"})
    website: Mapped[str | None] = mapped_column(String(200), info={"label": "Website"})
    timezone: Mapped[str] = mapped_column(String(60), info={"label": "Time zone"})
    head_title: Mapped[str] = mapped_column(String(120), info={"label": "Head of office"})
    # The title printed under the head's signature on certificates and letters.
    head_signature: Mapped[str] = mapped_column(String(300), info={"label": "Signature title"})
    head_role: Mapped[str] = mapped_column(String(64), info={"label": "Head's role"})
    # {document kind: number format} for the numbered letters (surat tugas, BAP); a kind
    # not named uses app.cases.numbering.DEFAULT_DOCUMENT_FORMATS.
    document_numbers: Mapped[dict] = mapped_column(JSON, default=dict, info={"label": "Document number formats"})
    # {role name: [capability, ...]}: the office roles (app.security.capabilities is the vocabulary).
    roles: Mapped[dict] = mapped_column(JSON, default=dict, info={"label": "Office roles"})
    definition_hash: Mapped[str | None] = mapped_column(String(64))

    def __str__(self) -> str:
        return self.short_name
