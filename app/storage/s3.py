"""Files in S3-compatible object storage (``KOERS_STORAGE_URL=s3://bucket/prefix``).

The connection follows boto3's own settings, so it is configured as any S3 client is:
``AWS_ENDPOINT_URL`` (MinIO, Ceph, a Dutch sovereign cloud; unset for AWS itself),
``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` (or an instance role), ``AWS_DEFAULT_REGION``.
With an endpoint URL the bucket is addressed by path (``endpoint/bucket/key``), which every
S3-compatible server accepts; ``?addressing=virtual`` in the URL chooses virtual hosts.

Objects are written whole: small files in one PUT, larger ones as a multipart upload that S3
completes atomically, so a reader never sees half a file.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any
from urllib.parse import parse_qs

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from app.errors import ConfigError
from app.storage.base import CHUNK, Entry, Storage, check_key, check_prefix

#: What a writer keeps in memory before it spills to a temporary file.
SPOOL_BYTES = 8 * 1024 * 1024
_MISSING = {"404", "NoSuchKey", "NotFound"}


class _Body(io.RawIOBase):
    """An object's body as a raw stream, so io.BufferedReader gives it lines and ``with``."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._body.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


class S3Storage(Storage):
    def __init__(self, bucket: str, prefix: str, client: Any) -> None:
        self.bucket = bucket
        self.prefix = check_prefix(prefix)
        self.client = client

    @classmethod
    def from_url(cls, bucket: str, prefix: str, query: str) -> S3Storage:
        options = {key: values[-1] for key, values in parse_qs(query).items()}
        unknown = set(options) - {"addressing"}
        if unknown or options.get("addressing", "path") not in {"path", "virtual"}:
            raise ConfigError("environment", "KOERS_STORAGE_URL", "has an unknown option",
                              "the only option is ?addressing=path or ?addressing=virtual")
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        style = options.get("addressing", "path" if endpoint else "virtual")
        client = boto3.session.Session().client(
            "s3", endpoint_url=endpoint or None,
            config=Config(s3={"addressing_style": style}, retries={"mode": "standard"},
                          connect_timeout=5, read_timeout=60))
        return cls(bucket, prefix, client)

    def _key(self, key: str) -> str:
        return self.prefix + check_key(key)

    @contextmanager
    def writer(self, key: str) -> Iterator[IO[bytes]]:
        name = self._key(key)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            yield spool  # type: ignore[misc]
            spool.seek(0)
            self.client.upload_fileobj(spool, self.bucket, name)

    def open(self, key: str) -> IO[bytes]:
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            raise _missing(error, key) from error
        return io.BufferedReader(_Body(answer["Body"]), CHUNK)

    def size(self, key: str) -> int:
        try:
            answer = self.client.head_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as error:
            raise _missing(error, key) from error
        return int(answer["ContentLength"])

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def entries(self, prefix: str = "") -> Iterator[Entry]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix + check_prefix(prefix))
        for page in pages:
            for item in page.get("Contents", []):
                yield Entry(key=item["Key"][len(self.prefix):], size=int(item["Size"]),
                            modified=item["LastModified"])

    def touch(self, key: str) -> None:
        # A copy onto itself, done by the server, is how S3 renews an object's date.
        name = self._key(key)
        try:
            self.client.copy_object(Bucket=self.bucket, Key=name, MetadataDirective="REPLACE",
                                    CopySource={"Bucket": self.bucket, "Key": name})
        except ClientError as error:
            raise _missing(error, key) from error

    def describe(self) -> str:
        endpoint = self.client.meta.endpoint_url
        return f"bucket {self.bucket!r}, prefix {self.prefix or '(none)'!r} at {endpoint}"

    def check(self) -> None:
        """Raise when the bucket cannot be reached with these credentials."""
        self.client.head_bucket(Bucket=self.bucket)


def _missing(error: ClientError, key: str) -> Exception:
    code = str(error.response.get("Error", {}).get("Code", ""))
    return FileNotFoundError(key) if code in _MISSING else error
