"""Regenerate migrations/versions/0001_initial.py from the models.

Nothing is deployed yet, so the schema is one initial revision kept equal to the
models; once a release ships, new revisions go on top (`flask db migrate`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask_migrate import revision

from app import create_app

VERSIONS = Path(__file__).resolve().parent.parent.parent / "migrations" / "versions"


def main() -> None:
    for old in VERSIONS.glob("0001_*.py"):
        old.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/empty.sqlite"})
        with app.app_context():
            revision(message="initial", autogenerate=True, rev_id="0001")
    print("migrations/versions/0001_initial.py regenerated")


if __name__ == "__main__":
    os.environ.setdefault("APP_ENV", "test")
    main()
