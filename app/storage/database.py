"""The database backend: one `stored_blob` row (bytea) per key, in the application's database.

`put` and `delete` join the caller's transaction: a scan's bytes are committed
with its `requirement_scan` row or rolled back with it, so a crash can never
leave a row without bytes or bytes without a row (the folder backend needs the
caller's clean-up for that). Why bytea and not large objects: README, "Scan storage".
"""

from __future__ import annotations

import io
import secrets
from typing import BinaryIO

import sqlalchemy as sa

from app.core.extensions import db
from app.storage.base import StorageError, Stored, check_key, read_all
from models.base import utcnow
from models.job import StoredBlob


class DatabaseStorage:
    name = "database"

    def put(self, key: str, stream: BinaryIO) -> Stored:
        check_key(key)
        content, stored = read_all(stream)
        db.session.execute(
            sa.insert(StoredBlob).values(
                key=key, content=content, size=stored.size, sha256=stored.sha256, created_at=utcnow()
            )
        )
        return stored

    def open(self, key: str) -> BinaryIO:
        content = db.session.scalar(sa.select(StoredBlob.content).where(StoredBlob.key == check_key(key)))
        if content is None:
            raise StorageError(f"no bytes under {key!r}")
        return io.BytesIO(content)

    def delete(self, key: str) -> None:
        db.session.execute(sa.delete(StoredBlob).where(StoredBlob.key == check_key(key)))

    def exists(self, key: str) -> bool:
        found = db.session.scalar(sa.select(StoredBlob.key).where(StoredBlob.key == check_key(key)))
        return found is not None

    def check(self) -> None:
        # A write that is rolled back: proves the table is there and writable, leaves nothing.
        with db.engine.connect() as conn:
            conn.execute(
                sa.insert(StoredBlob).values(
                    key=f"readyz/{secrets.token_hex(16)}.pdf",
                    content=b"ok",
                    size=2,
                    sha256="0" * 64,
                    created_at=utcnow(),
                )
            )
            conn.rollback()
