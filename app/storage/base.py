"""The storage interface: put, open, delete, exists and check, by key."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import BinaryIO, Protocol

# Keys are made by the code (random hex plus a known extension, optionally under one
# folder), so anything else is a bug or a probe: refused before any backend sees it.
KEY = re.compile(r"(?:[a-z]{1,20}/)?[0-9a-f]{32}\.(?:pdf|jpg|png|csv|xlsx)")
CHUNK = 64 * 1024


class StorageError(Exception):
    """A key that is malformed or holds nothing (callers answer 404)."""


@dataclass(frozen=True)
class Stored:
    """What `put` wrote: its size in bytes and SHA-256 (hex)."""

    size: int
    sha256: str


def check_key(key: str) -> str:
    """`key` when it is one of ours; StorageError otherwise."""
    if not isinstance(key, str) or not KEY.fullmatch(key):
        raise StorageError(f"malformed storage key {key!r}")
    return key


def read_all(stream: BinaryIO) -> tuple[bytes, Stored]:
    """Every byte of `stream` with its size and hash (a scan is at most a few megabytes)."""
    digest, chunks = hashlib.sha256(), []
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        chunks.append(chunk)
    content = b"".join(chunks)
    return content, Stored(len(content), digest.hexdigest())


class Storage(Protocol):
    """What every backend offers. `put` never overwrites: a key that exists raises StorageError."""

    name: str

    def put(self, key: str, stream: BinaryIO) -> Stored:
        """Write the stream under a new key; returns its size and SHA-256."""
        ...

    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the key's bytes (the caller closes it); StorageError if none."""
        ...

    def delete(self, key: str) -> None:
        """Remove the key's bytes; nothing happens when there are none."""
        ...

    def exists(self, key: str) -> bool:
        """Whether the key holds bytes."""
        ...

    def check(self) -> None:
        """Raise when this instance cannot write and read back (for /readyz)."""
        ...
