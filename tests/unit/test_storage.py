"""File storage: the same contract on the local folder and on S3-compatible object storage
(moto's server over HTTP), keys that cannot leave their folder, and the settings that choose
a back-end."""

from __future__ import annotations

import io
import os
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.errors import ConfigError
from app.storage import InvalidKey, open_storage
from app.storage.local import LocalStorage
from app.storage.s3 import S3Storage
from tests import s3


@pytest.fixture(scope="module")
def s3_endpoint():
    with s3.s3_server() as endpoint:
        s3.create_bucket(endpoint)
        yield endpoint


@pytest.fixture(params=["local", "s3"])
def files(request, tmp_path, monkeypatch):
    if request.param == "local":
        return LocalStorage(tmp_path / "storage")
    endpoint = request.getfixturevalue("s3_endpoint")
    for name, value in s3.environment(endpoint).items():
        monkeypatch.setenv(name, value)
    # A prefix per test: the tests share one bucket.
    return open_storage(f"s3://{s3.BUCKET}/instance-{uuid.uuid4().hex[:8]}", tmp_path)


def test_a_file_is_written_read_measured_and_deleted(files):
    files.write("attachments/a.pdf", b"%PDF-1.7 letter")
    assert files.read("attachments/a.pdf") == b"%PDF-1.7 letter"
    assert files.size("attachments/a.pdf") == 15 and files.exists("attachments/a.pdf")
    files.delete("attachments/a.pdf")
    assert not files.exists("attachments/a.pdf")
    files.delete("attachments/a.pdf")  # already gone: nothing happens
    with pytest.raises(FileNotFoundError):
        files.read("attachments/a.pdf")
    with pytest.raises(FileNotFoundError):
        files.size("attachments/a.pdf")


def test_a_file_is_stored_whole_or_not_at_all(files):
    with pytest.raises(RuntimeError), files.writer("imports/half.csv") as handle:
        handle.write(b"naam\r\nJan\r\n")
        raise RuntimeError("the upload broke off")
    assert not files.exists("imports/half.csv")
    assert list(files.entries()) == []
    files.write("imports/whole.csv", b"old")
    with pytest.raises(RuntimeError), files.writer("imports/whole.csv") as handle:
        handle.write(b"new, but broken off")
        raise RuntimeError("again")
    assert files.read("imports/whole.csv") == b"old"


def test_large_files_are_streamed_in_and_out_by_lines_and_pieces(files):
    lines = [f'{{"row": {number}}}\n'.encode() for number in range(200_000)]
    with files.writer("imports/x.staged.jsonl") as handle:
        for line in lines:
            handle.write(line)
    size = sum(len(line) for line in lines)
    assert size > 2 * 1024 * 1024 and files.size("imports/x.staged.jsonl") == size
    with io.TextIOWrapper(files.open("imports/x.staged.jsonl"), encoding="utf-8") as text:
        assert text.readline() == '{"row": 0}\n'
        assert sum(1 for _line in text) == len(lines) - 1
    with files.open("imports/x.staged.jsonl") as handle:
        assert handle.read(10) == b'{"row": 0}'
    files.write_from("copy/x.jsonl", io.BytesIO(b"".join(lines[:10])))
    assert files.read("copy/x.jsonl").count(b"\n") == 10


def test_listings_folders_and_removing_a_folder(files):
    for key in ("reaction-imports/aa/meta.json", "reaction-imports/aa/0.eml",
                "reaction-imports/bb/meta.json", "notas/n.pdf"):
        files.write(key, key.encode())
    listed = {entry.key: entry.size for entry in files.entries("reaction-imports")}
    assert listed == {"reaction-imports/aa/meta.json": 29, "reaction-imports/aa/0.eml": 25,
                      "reaction-imports/bb/meta.json": 29}
    assert sorted(entry.key for entry in files.entries()) == sorted([*listed, "notas/n.pdf"])
    folders = files.folders("reaction-imports")
    assert sorted(folders) == ["aa", "bb"]
    now = datetime.now(UTC)
    assert all(now - timedelta(minutes=5) < moment <= now + timedelta(minutes=5)
               for moment in folders.values())
    assert files.delete_folder("reaction-imports/aa") == 2
    assert sorted(files.folders("reaction-imports")) == ["bb"]
    assert files.exists("notas/n.pdf")
    assert list(files.entries("nothing-here")) == []


def test_touch_renews_a_files_date(files, tmp_path):
    files.write("imports/x.csv", b"naam\r\n")
    if isinstance(files, LocalStorage):
        path = files.root / "imports" / "x.csv"
        long_ago = (datetime.now(UTC) - timedelta(days=3)).timestamp()


        os.utime(path, (long_ago, long_ago))
    before = next(files.entries("imports")).modified
    files.touch("imports/x.csv")
    after = next(files.entries("imports")).modified
    assert after >= before and files.read("imports/x.csv") == b"naam\r\n"
    if isinstance(files, LocalStorage):
        assert after - before > timedelta(days=2)
    with pytest.raises(FileNotFoundError):
        files.touch("imports/missing.csv")


@pytest.mark.parametrize("key", ["", "../koers.sqlite", "imports/../../etc/passwd", "/etc/passwd",
                                 "imports//x.csv", ".hidden", "imports/.x", "a/b\\c",
                                 "imports/x y.csv", "notas/..", "x" * 201])
def test_a_key_never_leaves_its_folder(files, key):
    for action in (lambda: files.write(key, b"x"), lambda: files.read(key),
                   lambda: files.delete(key), lambda: files.size(key)):
        with pytest.raises(InvalidKey):
            action()


def test_the_local_back_end_keeps_the_folder_layout_and_tidies_empty_folders(tmp_path):
    files = LocalStorage(tmp_path)
    files.write("reaction-imports/aa/0.eml", b"x")
    assert (tmp_path / "reaction-imports" / "aa" / "0.eml").read_bytes() == b"x"
    files.delete("reaction-imports/aa/0.eml")
    assert not (tmp_path / "reaction-imports" / "aa").exists()
    assert (tmp_path / "reaction-imports").is_dir()  # the top-level folder stays
    assert [path.name for path in tmp_path.rglob("*.part")] == []


def test_the_storage_url_chooses_the_back_end(tmp_path, monkeypatch):
    assert isinstance(open_storage(None, tmp_path), LocalStorage)
    assert open_storage("file:///srv/files", tmp_path).root == Path("/srv/files")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://minio.example:9000")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    found = open_storage("s3://beleid/oldambt", tmp_path)
    assert isinstance(found, S3Storage)
    assert (found.bucket, found.prefix) == ("beleid", "oldambt/")
    assert found.client.meta.config.s3["addressing_style"] == "path"
    assert "minio.example:9000" in found.describe() and "secret" not in found.describe()
    virtual = open_storage("s3://beleid?addressing=virtual", tmp_path)
    assert virtual.client.meta.config.s3["addressing_style"] == "virtual"
    for wrong, says in (("s3:///prefix", "names no bucket"), ("ftp://host/x", "unknown scheme"),
                        ("s3://beleid?region=x", "unknown option")):
        with pytest.raises(ConfigError) as error:
            open_storage(wrong, tmp_path)
        assert says in str(error.value)
