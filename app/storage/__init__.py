"""Stored files behind one interface: uploads, attachments, generated notas, import state.

Every file Koers keeps goes through :func:`storage`, addressed by a *key* such as
``attachments/3f2a….pdf``. Two back-ends serve it, chosen by ``KOERS_STORAGE_URL``:

* the local folder (the default, ``KOERS_STORAGE_DIR``): one machine, or a volume every web and
  worker container mounts;
* S3-compatible object storage (``s3://bucket/prefix``): MinIO, Ceph, AWS and the Dutch
  sovereign clouds, so web and worker containers on several machines share their files without
  a shared file system.

Downloads always stream through the app (:func:`app.storage.responses.send_stored`) after its
permission checks; a bucket is never opened to browsers.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, current_app

from app.errors import ConfigError
from app.storage.base import Entry, InvalidKey, Storage, check_key

__all__ = ["Entry", "InvalidKey", "Storage", "check_key", "init_app", "open_storage",
           "storage"]

EXTENSION = "koers_storage"


def open_storage(url: str | None, folder: Path) -> Storage:
    """The back-end ``url`` names (``s3://bucket/prefix``, ``file:///path``), or the local
    ``folder`` when no URL is set."""
    from app.storage.local import LocalStorage

    if not url:
        return LocalStorage(folder)
    parts = urlsplit(url)
    if parts.scheme == "file":
        return LocalStorage(Path(parts.path)) if parts.path else LocalStorage(folder)
    if parts.scheme == "s3":
        from app.storage.s3 import S3Storage

        if not parts.netloc:
            raise ConfigError("environment", "KOERS_STORAGE_URL", "names no bucket",
                              "write it as s3://bucket or s3://bucket/prefix")
        return S3Storage.from_url(parts.netloc, parts.path.strip("/"), parts.query)
    raise ConfigError("environment", "KOERS_STORAGE_URL", f"has the unknown scheme "
                      f"{parts.scheme!r}", "use s3://bucket/prefix, or leave it unset for the "
                      "folder KOERS_STORAGE_DIR")


def init_app(app: Flask) -> None:
    from app.storage.local import LocalStorage

    files = open_storage(app.config.get("KOERS_STORAGE_URL"), app.config["KOERS_STORAGE_DIR"])
    if isinstance(files, LocalStorage):
        files.root.mkdir(parents=True, exist_ok=True)
    app.extensions[EXTENSION] = files


def storage() -> Storage:
    """The current instance's file storage."""
    return current_app.extensions[EXTENSION]

