"""The storage interface both back-ends implement, and the rules for keys."""

from __future__ import annotations

import re
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import IO

#: One part of a key: a plain name (no folders, no "..", no hidden files).
_SEGMENT = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}")
CHUNK = 64 * 1024


class InvalidKey(ValueError):
    """A key that is not a plain ``folder/name`` path; never reaches a back-end."""


def check_key(key: str) -> str:
    """``key`` when each of its ``/``-separated parts is a plain name, else InvalidKey."""
    parts = key.split("/")
    if not key or not all(_SEGMENT.fullmatch(part) and ".." not in part for part in parts):
        raise InvalidKey(key)
    return key


def check_prefix(prefix: str) -> str:
    """A folder prefix (``imports/`` or empty for everything)."""
    if prefix:
        check_key(prefix.rstrip("/"))
        return prefix.rstrip("/") + "/"
    return ""


@dataclass(frozen=True)
class Entry:
    """A stored file as a listing shows it."""

    key: str
    size: int
    modified: datetime


class Storage(ABC):
    """Files by key. A missing file raises FileNotFoundError on every back-end; a file is
    written whole or not at all (readers never see half a file)."""

    @abstractmethod
    def writer(self, key: str) -> AbstractContextManager[IO[bytes]]:
        """A binary handle to write ``key``; the file appears when the block ends without an
        error, and not at all otherwise."""

    @abstractmethod
    def open(self, key: str) -> IO[bytes]:
        """A binary handle reading ``key`` from its start (lines, ``read(n)``, ``with``)."""

    @abstractmethod
    def size(self, key: str) -> int:
        """The size of ``key`` in bytes; FileNotFoundError when it is missing."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove ``key``; nothing happens when it is already gone."""

    @abstractmethod
    def entries(self, prefix: str = "") -> Iterator[Entry]:
        """Every stored file whose key starts with the folder ``prefix``."""

    @abstractmethod
    def touch(self, key: str) -> None:
        """Mark ``key`` as changed now (a file in use is not stale)."""

    @abstractmethod
    def describe(self) -> str:
        """Where the files are, for logs and the CLI (never a credential)."""

    # --- built on the above ---------------------------------------------------------------

    def write(self, key: str, data: bytes) -> None:
        with self.writer(key) as handle:
            handle.write(data)

    def write_from(self, key: str, source: IO[bytes]) -> None:
        with self.writer(key) as handle:
            shutil.copyfileobj(source, handle, CHUNK)

    def read(self, key: str) -> bytes:
        with self.open(key) as handle:
            return handle.read()

    def exists(self, key: str) -> bool:
        try:
            self.size(key)
        except FileNotFoundError:
            return False
        return True

    def delete_folder(self, prefix: str) -> int:
        """Remove every file below the folder ``prefix``; returns how many."""
        keys = [entry.key for entry in self.entries(check_prefix(prefix))]
        for key in keys:
            self.delete(key)
        return len(keys)

    def folders(self, prefix: str) -> dict[str, datetime]:
        """The sub-folders directly below ``prefix`` with the newest change inside each."""
        prefix = check_prefix(prefix)
        found: dict[str, datetime] = {}
        for entry in self.entries(prefix):
            name, _slash, rest = entry.key[len(prefix):].partition("/")
            if rest:
                found[name] = max(found.get(name, entry.modified), entry.modified)
        return found
