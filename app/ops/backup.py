"""Backup and restore: the database plus the scans, with a manifest that proves both.

A backup folder holds

- `database.dump` (PostgreSQL, `pg_dump -Fc`) or `database.sqlite` (SQLite, the
  `sqlite3` online-backup API: a consistent copy even while the app writes);
- `scans/<stored name>`: every scan the database records, read through the scan
  storage (app.storage: UPLOAD_DIR, or the database itself with SCAN_STORAGE=database,
  where the dump holds them too: the backup is self-contained either way);
- `manifest.json`: every file with its sha256 and size, the counts of cases,
  scans and certificates, the migration revision, the app version and the time.

Consistency: on PostgreSQL the counts and the list of scans are read in one
REPEATABLE READ transaction whose snapshot `pg_dump --snapshot` reuses, so the
manifest describes exactly the dump. Scans are copied after that snapshot: a
scan's file is written before its row commits and never changes afterwards
(a removed scan is only marked), so every scan of the snapshot is on disk.

Restore checks the whole backup first (every checksum, size and file name) and
refuses a non-empty database or scans folder unless forced; only then it
writes, putting each scan into the configured storage (so a folder backup may
move into database storage). Afterwards it opens every scan row of the restored
database through the storage and compares its bytes with the recorded checksum
and size, and the counts with the manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.engine import URL, make_url

from app.core.extensions import db
from app.storage import StorageError, storage
from app.storage.base import read_all

MANIFEST = "manifest.json"
SCANS = "scans"
FORMAT = 1
PG_DUMP_FILE = "database.dump"
SQLITE_FILE = "database.sqlite"
# Stored names are ours (see app.cases.uploads.scan_path): anything else in a manifest is refused.
STORED_NAME = re.compile(r"[0-9a-f]{32}\.(pdf|jpg|png)")
COUNTED = {
    "cases": '"case"',
    # Every stored file SCAN_ROWS lists: the scans and the electronically signed certificates.
    "scans": "(SELECT id FROM requirement_scan UNION ALL "
    "SELECT id FROM certificate WHERE signed_pdf_key IS NOT NULL) AS stored_files",
    "certificates": "certificate",
}
# The scans, then the electronically signed certificates (app.signing keeps them in the same storage).
SCAN_ROWS = (
    "SELECT stored_name, sha256, size FROM ("
    "SELECT 0 AS src, id, stored_name, sha256, size FROM requirement_scan UNION ALL "
    "SELECT 1, id, signed_pdf_key, signed_pdf_sha256, signed_pdf_size FROM certificate WHERE signed_pdf_key IS NOT NULL"
    ") AS stored ORDER BY src, id"
)


class BackupError(RuntimeError):
    """The backup or restore cannot go on; the message says why (several problems, one a line)."""


@dataclass
class RestoreReport:
    """What a restore wrote and what it checked afterwards."""

    counts: dict[str, int]
    scans: int
    problems: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sp-backoffice")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


def _url() -> URL:
    return make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


# --- PostgreSQL client tools -------------------------------------------------------------


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it.

    The password goes in PGPASSWORD, never on the command line (`ps` shows that).
    """
    plain = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return plain, env


def _tool(name: str) -> str:
    """The client program `name` (pg_dump, pg_restore): PG_BIN_DIR's, else the one on PATH."""
    folder = current_app.config.get("PG_BIN_DIR") or os.environ.get("PG_BIN_DIR")
    path = str(Path(folder) / name) if folder else shutil.which(name)
    if not path or not Path(path).exists():
        raise BackupError(f"{name} not found: install the PostgreSQL client or set PG_BIN_DIR.")
    return path


def _major(text: str) -> int:
    """15 from `pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)`."""
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", text) or re.search(r"(\d+)", text)
    if not match:
        raise BackupError(f"cannot read a PostgreSQL version from {text!r}")
    return int(match.group(1))


def _check_tool_version(tool: str, server_version_num: int) -> None:
    """pg_dump/pg_restore older than the server cannot read it: say so instead of a half backup."""
    output = subprocess.run([tool, "--version"], capture_output=True, text=True, check=True).stdout
    client, server = _major(output), server_version_num // 10000
    if client < server:
        raise BackupError(
            f"{Path(tool).name} {client} is older than the PostgreSQL server {server}: "
            f"use the server's client programs (PG_BIN_DIR=/usr/lib/postgresql/{server}/bin)."
        )


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed ({done.returncode}): {done.stderr.strip()}")


# --- backup -------------------------------------------------------------------------------


def _prepare_target(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} exists and is not an empty folder: choose a new one.")
    target.mkdir(parents=True, exist_ok=True)
    (target / SCANS).mkdir()


def _read_state(conn: sa.Connection) -> tuple[dict[str, int], list[tuple[str, str, int]], str | None]:
    """Counts, scan rows and migration revision, as one connection (one snapshot) sees them."""
    counts = {
        key: int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()) for key, table in COUNTED.items()
    }
    scans = [(r[0], r[1], int(r[2])) for r in conn.execute(sa.text(SCAN_ROWS))]
    revision = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    return counts, scans, revision


def _dump_postgresql(target: Path) -> tuple[dict[str, Any], dict[str, int], list[tuple[str, str, int]], str | None]:
    url = _url()
    tool = _tool("pg_dump")
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            # One snapshot for the counts, the scan list and the dump (the driver's own BEGIN
            # carries the isolation level; a second BEGIN in SQL would be ignored).
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            with conn.begin():
                server = int(conn.exec_driver_sql("SHOW server_version_num").scalar_one())
                _check_tool_version(tool, server)
                snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
                counts, scans, revision = _read_state(conn)
                dsn, env = _libpq(url)
                # The transaction stays open until pg_dump has taken the snapshot and is done.
                dump = [tool, "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(target / PG_DUMP_FILE), dsn]
                _run(dump, env)
    finally:
        engine.dispose()
    return {"backend": "postgresql", "server_version_num": server}, counts, scans, revision


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database has nothing to back up")
    return Path(url.database)


def _dump_sqlite(target: Path) -> tuple[dict[str, Any], dict[str, int], list[tuple[str, str, int]], str | None]:
    path = _sqlite_path(_url())
    if not path.is_file():  # sqlite3.connect would create an empty one
        raise BackupError(f"database {path} does not exist")
    source = sqlite3.connect(path)
    copy = sqlite3.connect(target / SQLITE_FILE)
    try:
        with copy:
            source.backup(copy)  # the online-backup API: a consistent copy, writers only wait
    finally:
        source.close()
        copy.close()
    engine = sa.create_engine(f"sqlite:///{target / SQLITE_FILE}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            counts, scans, revision = _read_state(conn)
    finally:
        engine.dispose()
    return {"backend": "sqlite"}, counts, scans, revision


def _entry(root: Path, path: Path) -> dict[str, Any]:
    return {"path": path.relative_to(root).as_posix(), "sha256": sha256_of(path), "size": path.stat().st_size}


def backup(target: Path) -> dict[str, Any]:
    """Write a backup of the configured database and its scans into `target` (new or empty); returns the manifest."""
    target = Path(target)
    _prepare_target(target)
    try:
        return _backup_into(target)
    except BaseException:
        # The folder was new or empty: leave it so, never a backup that looks whole but is not.
        for child in target.iterdir():
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
        raise


def _backup_into(target: Path) -> dict[str, Any]:
    backend = _url().get_backend_name()
    if backend == "postgresql":
        database, counts, scans, revision = _dump_postgresql(target)
        db_file = target / PG_DUMP_FILE
    elif backend == "sqlite":
        database, counts, scans, revision = _dump_sqlite(target)
        db_file = target / SQLITE_FILE
    else:
        raise BackupError(f"backups of {backend} databases are not supported")
    backend_store, problems = storage(), []
    files = [_entry(target, db_file)]
    for stored_name, sha256, size in scans:
        copied = target / SCANS / stored_name
        try:
            if not STORED_NAME.fullmatch(stored_name):
                raise StorageError(stored_name)
            with backend_store.open(stored_name) as stream, copied.open("wb") as out:
                shutil.copyfileobj(stream, out)
        except StorageError:
            problems.append(f"scan {stored_name} is missing from the {backend_store.name} storage")
            continue
        entry = _entry(target, copied)
        if (entry["sha256"], entry["size"]) != (sha256, size):
            problems.append(f"scan {stored_name} differs from its recorded checksum or size")
        files.append(entry)
    if problems:
        raise BackupError("\n".join(problems))
    manifest = {
        "format": FORMAT,
        "app_version": app_version(),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": {**database, "file": db_file.name, "alembic_revision": revision},
        "scan_storage": backend_store.name,
        "counts": counts,
        "files": files,
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


# --- restore ------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict[str, Any]:
    path = Path(source) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"{path}: not a readable manifest ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown manifest format")
    return manifest


def check_backup(source: Path) -> dict[str, Any]:
    """The manifest, after checking every file it lists (and that nothing else is there); raises BackupError."""
    source = Path(source)
    manifest = read_manifest(source)
    problems: list[str] = []
    listed: set[str] = set()
    db_file = (manifest.get("database") or {}).get("file")
    if db_file not in (PG_DUMP_FILE, SQLITE_FILE):
        problems.append("the manifest names no database file")
    for entry in manifest.get("files") or []:
        name = str(entry.get("path", ""))
        allowed = name == db_file or (name.startswith(SCANS + "/") and STORED_NAME.fullmatch(name[len(SCANS) + 1 :]))
        if not allowed:
            problems.append(f"{name}: not a file a backup holds")
            continue
        listed.add(name)
        path = source / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif path.stat().st_size != entry.get("size") or sha256_of(path) != entry.get("sha256"):
            problems.append(f"{name}: checksum or size differs from the manifest")
    if db_file and db_file not in listed:
        problems.append(f"{db_file}: not listed in the manifest")
    present = {p.relative_to(source).as_posix() for p in source.rglob("*") if p.is_file()} - {MANIFEST}
    problems += [f"{name}: not listed in the manifest" for name in sorted(present - listed)]
    scan_files = sum(1 for name in listed if name.startswith(SCANS + "/"))
    if scan_files != (manifest.get("counts") or {}).get("scans"):
        problems.append(f"the manifest counts {manifest.get('counts', {}).get('scans')} scans but lists {scan_files}")
    if problems:
        raise BackupError("\n".join(problems))
    return manifest


def _pg_tables(conn: sa.Connection) -> int:
    return int(
        conn.exec_driver_sql(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).scalar_one()
    )


def _restore_postgresql(source: Path, force: bool) -> None:
    url = _url()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            server = int(conn.exec_driver_sql("SHOW server_version_num").scalar_one())
            tool = _tool("pg_restore")
            _check_tool_version(tool, server)
            if _pg_tables(conn):
                if not force:
                    raise BackupError(
                        f"database {url.database} is not empty: restore into a new database, or add --force to replace it."
                    )
                conn.exec_driver_sql("DROP SCHEMA public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
    finally:
        engine.dispose()
    dsn, env = _libpq(url)
    _run([tool, "--no-owner", "--exit-on-error", "--single-transaction", "-d", dsn, str(source / PG_DUMP_FILE)], env)


def _restore_sqlite(source: Path, force: bool) -> None:
    path = _sqlite_path(_url())
    if path.exists() and path.stat().st_size:
        with sqlite3.connect(path) as conn:
            tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
        if tables and not force:
            raise BackupError(f"database {path} is not empty: restore into a new file, or add --force to replace it.")
    path.parent.mkdir(parents=True, exist_ok=True)
    backup_conn, target = sqlite3.connect(source / SQLITE_FILE), sqlite3.connect(path)
    try:
        with target:
            backup_conn.backup(target)  # replaces the target's pages whole, like a fresh file
    finally:
        backup_conn.close()
        target.close()


def _check_scans_folder(force: bool) -> None:
    """A folder storage must be new or empty (database storage is checked with the database)."""
    if storage().name != "folder" or force:
        return
    folder = _upload_dir()
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"scans folder {folder} is not empty: use a new one, or add --force to add to it.")


def _put_scans(source: Path, manifest: dict[str, Any]) -> None:
    """Each scan into the configured storage; one already there (database storage, --force) is left as is."""
    backend = storage()
    for entry in manifest["files"]:
        name = entry["path"]
        if not name.startswith(SCANS + "/"):
            continue
        key = name[len(SCANS) + 1 :]
        if backend.exists(key):
            continue
        with (source / name).open("rb") as stream:
            backend.put(key, stream)
        db.session.commit()  # the database backend writes in the session; the folder one is done already


def _check_restored(manifest: dict[str, Any]) -> RestoreReport:
    """Compare the restored database with the manifest and every scan row with its stored bytes."""
    engine = sa.create_engine(_url(), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            counts, scans, _revision = _read_state(conn)
    finally:
        engine.dispose()
    report = RestoreReport(counts=counts, scans=len(scans))
    for key, expected in (manifest.get("counts") or {}).items():
        if counts.get(key) != expected:
            report.problems.append(
                f"{key}: the manifest says {expected}, the restored database holds {counts.get(key)}"
            )
    backend = storage()
    for stored_name, sha256, size in scans:
        try:
            with backend.open(stored_name) as stream:
                _content, stored = read_all(stream)
        except StorageError:
            report.problems.append(f"scan {stored_name} is missing")
            continue
        if (stored.size, stored.sha256) != (size, sha256):
            report.problems.append(f"scan {stored_name} differs from its recorded checksum or size")
    return report


def restore(source: Path, force: bool = False) -> RestoreReport:
    """Restore a backup into the configured database and UPLOAD_DIR; raises BackupError before writing anything."""
    source = Path(source)
    manifest = check_backup(source)
    backend, here = manifest["database"].get("backend"), _url().get_backend_name()
    if backend != here:
        raise BackupError(f"this backup is of a {backend} database; the configured one is {here}")
    _check_scans_folder(force)
    db.session.remove()  # the app's pooled connections must not hold the database being replaced
    db.engine.dispose()
    # The database refuses (or is replaced) first: no scan is written for a refused restore.
    if backend == "postgresql":
        _restore_postgresql(source, force)
    else:
        _restore_sqlite(source, force)
    db.engine.dispose()  # connections opened meanwhile saw the old database
    _put_scans(source, manifest)
    return _check_restored(manifest)
