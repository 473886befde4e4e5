"""The folder backend: one file per key under UPLOAD_DIR (shared over NFS for several machines)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from app.storage.base import CHUNK, StorageError, Stored, check_key


class FolderStorage:
    name = "folder"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, stream: BinaryIO) -> Stored:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # O_EXCL: a random name that somehow exists is never overwritten.
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        except FileExistsError:
            raise StorageError(f"key {key!r} exists") from None
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as fh:
                while chunk := stream.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    fh.write(chunk)
                # On disk before the row naming it commits: a power cut never leaves a row without bytes.
                fh.flush()
                os.fsync(fh.fileno())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return Stored(size, digest.hexdigest())

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise StorageError(f"no bytes under {key!r}") from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def check(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        # Writable means a file can be made there (os.access ignores read-only mounts and ACLs).
        with tempfile.NamedTemporaryFile(dir=self.root, prefix=".readyz-", delete=True) as fh:
            fh.write(b"ok")
            fh.flush()
