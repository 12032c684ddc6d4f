"""An S3-compatible server for the tests: moto's server mode in a thread of the test process,
on a free loopback port, so the S3 back-end is tested over real HTTP and never the internet."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import boto3
from moto.server import ThreadedMotoServer

BUCKET = "koers-test"
REGION = "eu-west-1"


def environment(endpoint: str) -> dict[str, str]:
    """The variables a Koers process needs to reach ``endpoint`` (boto3's own names); no
    configuration file of the machine's user is read."""
    return {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "koers-test",
            "AWS_SECRET_ACCESS_KEY": "koers-test-secret", "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_EC2_METADATA_DISABLED": "true"}


def client(endpoint: str):
    settings = environment(endpoint)
    return boto3.session.Session(
        aws_access_key_id=settings["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=settings["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION).client("s3", endpoint_url=endpoint)


def create_bucket(endpoint: str, name: str = BUCKET) -> None:
    """Create the bucket; moto keeps its buckets per test process, not per server, so one made
    for an earlier server is there already (each test works below a prefix of its own)."""
    s3 = client(endpoint)
    with suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})


def object_keys(endpoint: str, bucket: str = BUCKET, prefix: str = "") -> list[str]:
    pages = client(endpoint).get_paginator("list_objects_v2").paginate(Bucket=bucket,
                                                                       Prefix=prefix)
    return sorted(item["Key"] for page in pages for item in page.get("Contents", []))


@contextmanager
def s3_server() -> Iterator[str]:
    """A running S3 server; yields its endpoint URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
