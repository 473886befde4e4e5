"""The demo's signing key: a CA and a signer marked DEMO, made by `flask demo` under instance/signing/.

The passphrase is random and kept beside the key in a file only the owner may read; a demo
server started without SIGNING_BACKEND then signs with these files (app/setup/signing.py).
Nobody may mistake them for an office's key: every subject says DEMO.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app.signing.pki import SigningFiles, create_signing_files

FOLDER = "signing"


def demo_files(instance: Path) -> SigningFiles:
    return SigningFiles(instance / FOLDER)


def ensure_demo_signing(app: Flask) -> tuple[SigningFiles, bool]:
    """Make the DEMO CA and signer once (kept on later runs) and sign with them from now on,
    unless the environment chose a backend. Returns (files, made now)."""
    files = demo_files(Path(app.config["INSTANCE_PATH"]))
    made = False
    if not files.exist():
        from app.office.definition import current_office

        office = current_office()
        organization = f"DEMO {office.name}"[:64]
        create_signing_files(
            files.folder,
            organization,
            "DEMO CA SP-Backoffice (bukan untuk dokumen resmi)",
            f"DEMO Penandatangan {office.name}"[:64],
        )
        made = True
    if not app.config.get("SIGNING_BACKEND") or app.config.get("SIGNING_PKCS12") == str(files.pkcs12):
        app.config.update(files.config())
    return files, made
