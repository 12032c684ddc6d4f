"""Looking for what must be gone: every text value in the database, and in exported files."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable

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
