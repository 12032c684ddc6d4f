"""Looking for what must be gone: every text value in the database, the database's own files
(or a dump of it), and exported files."""

from __future__ import annotations

import glob
import io
import json
import shutil
import subprocess
import zipfile
from collections.abc import Iterable
from pathlib import Path

import sqlalchemy as sa


def text_values(db) -> list[str]:
    """Every text value in every table of the database, the audit trail included."""
    found = []
    inspector = sa.inspect(db.engine)
    with db.engine.connect() as connection:
        for table_name in inspector.get_table_names():
            table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
            for row in connection.execute(sa.select(table)):
                found += [json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list)
                          else str(v) for v in row if v is not None]
    return found


def database_bytes(db) -> str:
    """Everything the database keeps, beyond what a query shows: on SQLite the bytes of the
    database file and its write-ahead log (free pages, old versions of pages), on PostgreSQL
    the output of ``pg_dump``."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        main = Path(url.database)
        return "\n".join(path.read_bytes().decode("utf-8", errors="replace")
                         for path in (main, main.with_name(main.name + "-wal"))
                         if path.exists())
    pg_dump = shutil.which("pg_dump") or next(
        iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), reverse=True)), None)
    assert pg_dump, "pg_dump is needed to look into a PostgreSQL database"
    dump = subprocess.run(
        [pg_dump, "--data-only", "--no-owner",
         url.set(drivername="postgresql").render_as_string(hide_password=False)],
        capture_output=True, check=True)
    return dump.stdout.decode("utf-8", errors="replace")


def file_text(content: bytes) -> str:
    """The text in an exported file: an XLSX workbook's XML parts, or the file as text."""
    if content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(name).decode("utf-8", errors="replace")
                             for name in archive.namelist())
    return content.decode("utf-8-sig", errors="replace")


def traces(secrets: Iterable[str], texts: Iterable[str]) -> list[str]:
    """The secrets that occur in any of the texts (case-insensitive)."""
    lowered = [text.lower() for text in texts]
    return [secret for secret in secrets if any(secret.lower() in text for text in lowered)]
