"""Measure the scan storage backends: `python -m app.storage.bench [--scans 200]`.

Writes N scans of 1-5 MB (random bytes: scans are JPEG/PDF, already compressed)
one transaction each, as an upload does, then reads each back and checks its
hash, for: the folder backend, the database backend (bytea, what ships) and
PostgreSQL large objects (`lo_from_bytea` / `lo_get`, the alternative weighed).
Needs PostgreSQL (BENCH_PG_URL, default the local `postgres` superuser); it
creates and drops its own database. Prints one Markdown table.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa

ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MB = 1024 * 1024


def sizes(n: int) -> list[int]:
    rng = random.Random(11)
    return [rng.randint(1 * MB, 5 * MB) for _ in range(n)]


def payloads(n: int) -> Iterator[tuple[str, bytes]]:
    for size in sizes(n):
        yield secrets.token_hex(16) + ".pdf", b"%PDF-" + os.urandom(size - 5)


def timed(label: str, n: int, write: Callable[[str, bytes], Any], read: Callable[[str], bytes]) -> dict:
    keys, total, spent_w = [], 0, 0.0
    digests = {}
    for key, content in payloads(n):
        digests[key] = hashlib.sha256(content).hexdigest()
        started = time.perf_counter()
        write(key, content)
        spent_w += time.perf_counter() - started
        keys.append(key)
        total += len(content)
    started = time.perf_counter()
    for key in keys:
        assert hashlib.sha256(read(key)).hexdigest() == digests[key], key
    spent_r = time.perf_counter() - started
    return {"backend": label, "mb": total / MB, "write": spent_w, "read": spent_r, "n": n}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scans", type=int, default=200)
    n = parser.parse_args().scans
    from app import create_app
    from app.core.extensions import db
    from app.storage.database import DatabaseStorage
    from app.storage.folder import FolderStorage
    from models.job import StoredBlob

    name = "bench_storage_" + secrets.token_hex(4)
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    results = []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = FolderStorage(tmp)

            def folder_read(key: str) -> bytes:
                with folder.open(key) as fh:
                    return fh.read()

            results.append(
                timed("folder (local disk, fsync per scan)", n, lambda k, c: folder.put(k, io.BytesIO(c)), folder_read)
            )

        app = create_app({"APP_ENV": "test", "SQLALCHEMY_DATABASE_URI": url, "SCAN_STORAGE": "database"})
        with app.app_context():
            StoredBlob.__table__.create(db.engine)
            store = DatabaseStorage()

            def bytea_write(key: str, content: bytes) -> None:
                store.put(key, io.BytesIO(content))
                db.session.commit()

            def bytea_read(key: str) -> bytes:
                data = store.open(key).read()
                db.session.rollback()
                return data

            results.append(timed("database: bytea (stored_blob)", n, bytea_write, bytea_read))
            db.session.execute(sa.text("CREATE TABLE lo_blob (key varchar(80) PRIMARY KEY, oid oid NOT NULL)"))
            db.session.commit()

            def lo_write(key: str, content: bytes) -> None:
                db.session.execute(
                    sa.text("INSERT INTO lo_blob VALUES (:k, lo_from_bytea(0, :c))"), {"k": key, "c": content}
                )
                db.session.commit()

            def lo_read(key: str) -> bytes:
                data = db.session.scalar(sa.text("SELECT lo_get(oid) FROM lo_blob WHERE key = :k"), {"k": key})
                db.session.rollback()
                return bytes(data)

            results.append(timed("database: large objects", n, lo_write, lo_read))
            db.session.remove()
            db.engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print(f"| Backend ({n} scans, 1-5 MB) | MB | write s | write MB/s | read s | read MB/s |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['backend']} | {r['mb']:.0f} | {r['write']:.1f} | {r['mb'] / r['write']:.0f} "
            f"| {r['read']:.1f} | {r['mb'] / r['read']:.0f} |"
        )


if __name__ == "__main__":
    main()
