"""Files in a folder (``KOERS_STORAGE_DIR``): the default, and a shared volume's back-end."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from app.storage.base import Entry, Storage, check_key, check_prefix

#: Files being written carry this suffix until they are whole; listings skip them.
PARTIAL = ".part"


class LocalStorage(Storage):
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    @contextmanager
    def writer(self, key: str) -> Iterator[IO[bytes]]:
        target = self._path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        # A unique partial name: two processes writing the same key never mix their bytes.
        partial = target.with_name(f"{target.name}.{uuid.uuid4().hex[:8]}{PARTIAL}")
        try:
            with partial.open("wb") as handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)

    def open(self, key: str) -> IO[bytes]:
        return self._path(key).open("rb")

    def size(self, key: str) -> int:
        path = self._path(key)
        if not path.is_file():
            raise FileNotFoundError(key)
        return path.stat().st_size

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        # Empty sub-folders go with their last file (a reaction import's folder, say); the
        # top-level folders (attachments/, notas/ …) stay.
        folder = path.parent
        while (folder.parent != self.root and folder != self.root and folder.is_dir()
               and not any(folder.iterdir())):
            folder.rmdir()
            folder = folder.parent

    def entries(self, prefix: str = "") -> Iterator[Entry]:
        prefix = check_prefix(prefix)
        base = self.root.joinpath(*prefix.rstrip("/").split("/")) if prefix else self.root
        if not base.is_dir():
            return
        for path in sorted(base.rglob("*")):
            if path.is_file() and not path.name.endswith(PARTIAL):
                stat = path.stat()
                yield Entry(key=path.relative_to(self.root).as_posix(), size=stat.st_size,
                            modified=datetime.fromtimestamp(stat.st_mtime, UTC))

    def touch(self, key: str) -> None:
        os.utime(self._path(key))

    def describe(self) -> str:
        return f"folder {self.root}"
