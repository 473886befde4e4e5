"""Where scans and prepared exports keep their bytes: one small interface, two backends.

`storage()` is the configured backend (SCAN_STORAGE):

* `folder` (default): files under UPLOAD_DIR. One machine, or several sharing the
  folder over NFS.
* `database`: the `stored_blob` table (bytea) in the application's own database,
  so every instance that reaches PostgreSQL reaches every scan, and a database
  backup carries them (see README, "Scan storage", for the measurement behind bytea).

Every read and write of a scan or an export file goes through this interface;
keys are ours (`<32 hex>.pdf`, `exports/<32 hex>.pdf`), never a client's name.
"""

from __future__ import annotations

from flask import current_app

from app.storage.base import Storage, StorageError, Stored, check_key

__all__ = ["BACKENDS", "Storage", "StorageError", "Stored", "check_key", "storage"]

BACKENDS = ("folder", "database")


def build(config: dict) -> Storage:
    """The backend `config` names; ValueError for an unknown one (a typo must not fall back)."""
    kind = str(config.get("SCAN_STORAGE") or "folder").strip().lower()
    if kind == "folder":
        from app.storage.folder import FolderStorage

        return FolderStorage(config["UPLOAD_DIR"])
    if kind == "database":
        from app.storage.database import DatabaseStorage

        return DatabaseStorage()
    raise ValueError(f"SCAN_STORAGE={kind!r}: expected one of {', '.join(BACKENDS)}")


def storage() -> Storage:
    """The current app's backend, built on first use for the config as it is then."""
    config = current_app.config
    wanted = (config.get("SCAN_STORAGE"), config.get("UPLOAD_DIR"))
    cached = current_app.extensions.get("sp_storage")
    if cached is None or cached[0] != wanted:
        # Rebuilt when the config changes (tests point one app at a new folder each time).
        cached = (wanted, build(config))
        current_app.extensions["sp_storage"] = cached
    return cached[1]
