"""``koers storage check`` and ``koers storage copy``: test the file storage, and move an
instance's files from one back-end to another (the folder to a bucket when scaling out)."""

from __future__ import annotations

import uuid

import click
from flask import current_app
from flask.cli import AppGroup

from app.storage import open_storage, storage


@click.group("storage", cls=AppGroup, help="Stored files (uploads, attachments, notas).")
def storage_group() -> None:
    pass


@storage_group.command("check")
def check() -> None:
    """Write, read and remove a test file; exit non-zero when any of it fails."""
    files = storage()
    click.echo(f"storage: {files.describe()}")
    key = f"koers-check/{uuid.uuid4().hex}"
    probe = b"koers storage check"
    try:
        files.write(key, probe)
        if files.read(key) != probe:
            raise click.ClickException("a file read back differs from what was written")
        files.delete(key)
    except click.ClickException:
        raise
    except Exception as error:  # any back-end's failure, named for the administrator
        raise click.ClickException(f"the storage cannot be used: {error}") from error
    click.echo("write, read and remove: ok")


@storage_group.command("copy")
@click.option("--to", "target_url", required=True,
              help="The target: s3://bucket/prefix, or file:///folder.")
@click.option("--dry-run", is_flag=True, help="List what would be copied, copy nothing.")
def copy(target_url: str, dry_run: bool) -> None:
    """Copy every stored file to another back-end; files already there with the same size are
    skipped, so an interrupted copy can simply be run again. Stop the web and worker
    processes first (or run again after they stop) so no file is added meanwhile."""
    source = storage()
    target = open_storage(target_url, current_app.config["KOERS_STORAGE_DIR"])
    click.echo(f"from {source.describe()}\nto   {target.describe()}")
    copied = skipped = 0
    for entry in source.entries():
        try:
            if target.size(entry.key) == entry.size:
                skipped += 1
                continue
        except FileNotFoundError:
            pass
        if dry_run:
            click.echo(f"would copy {entry.key} ({entry.size} bytes)")
        else:
            with source.open(entry.key) as handle:
                target.write_from(entry.key, handle)
        copied += 1
    verb = "would copy" if dry_run else "copied"
    click.echo(f"{verb} {copied} files, {skipped} already there")
