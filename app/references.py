"""What refers to a row: the foreign keys in the SQLAlchemy metadata, core and plugin tables
alike. Merging, exporting, erasing and "delete or archive" all follow these, so tables added
later are covered without code that knows them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, func, inspect, select

from app.database import db


def referencing_columns(table_name: str) -> list[Column[Any]]:
    """Every column in the metadata with a foreign key to ``table_name``, in table order."""
    return [column for table in db.metadata.sorted_tables for column in table.columns
            if any(fk.column.table.name == table_name for fk in column.foreign_keys)]


def existing_tables() -> set[str]:
    """Tables in the database: a disabled plugin's models stay in the metadata while its
    tables may not exist yet (never migrated)."""
    return set(inspect(db.engine).get_table_names())


def references(table_name: str, row_id: int, *, skip: tuple[str, ...] = ()
               ) -> list[tuple[str, str, int]]:
    """(table, column, rows) for every column that refers to row ``row_id`` of
    ``table_name``; tables in ``skip`` are left out."""
    existing = existing_tables()
    found = []
    for column in referencing_columns(table_name):
        if column.table.name not in existing or column.table.name in skip:
            continue
        rows = db.session.scalar(select(func.count()).select_from(column.table)
                                 .where(column == row_id)) or 0
        if rows:
            found.append((column.table.name, column.name, rows))
    return found
