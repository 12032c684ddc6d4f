"""The SQLAlchemy base every model (core and plugin) derives from, and per-dialect set-up."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic can alter constraints on every dialect (SQLite batch mode
# needs names to find them again).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
log = logging.getLogger(__name__)


class UTCDateTime(TypeDecorator[datetime]):
    """A moment, stored in UTC and always returned timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def utcnow() -> datetime:
    return datetime.now(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: object, connection_record: object) -> None:
    """Foreign keys on and WAL for every SQLite connection; other dialects are left alone.

    ``secure_delete`` overwrites deleted and replaced content with zeros, so an erased name
    does not linger in free space of the file (AVG erasure; see :func:`checkpoint_erasure`)."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


def checkpoint_erasure() -> None:
    """Call after an erasure has been committed. SQLite keeps the pages as they were before
    the erasure in the write-ahead log until a checkpoint: this one copies the log into the
    database file and empties it. PostgreSQL keeps no such copy that a dump or a query shows,
    so elsewhere this does nothing."""
    if db.engine.dialect.name != "sqlite":
        return
    with db.engine.connect() as connection:
        busy = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").scalar()
    if busy:  # a reader held an older snapshot; the erasure itself stands
        log.warning("the write-ahead log could not be emptied after an erasure; "
                     "run PRAGMA wal_checkpoint(TRUNCATE) when the instance is quiet")
