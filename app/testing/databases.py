"""Test databases built by the real migrations: once per session into a template (one per set
of enabled plugins), which each test then gets a fresh copy of — SQLite: a file copy;
PostgreSQL (``KOERS_TEST_DATABASE_URL``): the tables are emptied after each test and the rows
migrations seeded are put back."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask

from app.database import db
from app.testing.fixtures import make_app, municipality_environ

POSTGRES_URL = os.environ.get("KOERS_TEST_DATABASE_URL", "")

#: Rows that migrations put in a PostgreSQL template (reference data such as a plugin's
#: default layers): emptying the database between tests puts them back.
_SEEDED: dict[str, dict[str, list[dict[str, Any]]]] = {}


def migrate(app: Flask) -> None:
    """Upgrade the core and the app's enabled plugins, as ``koers db upgrade`` does."""
    from app.plugins.migrations import upgrade_enabled

    with app.app_context():
        upgrade_enabled()
        db.engine.dispose()


@contextmanager
def postgres_database(base_url: str) -> Iterator[str]:
    """A throwaway PostgreSQL database next to the one ``base_url`` names."""
    url = sa.make_url(base_url).set(drivername="postgresql+psycopg")
    name = f"koers_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(scope="session")
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Migrated databases, one per set of enabled plugins: SQLite files or PostgreSQL URLs."""
    made: dict[tuple[str, ...], str] = {}
    stack = ExitStack()

    def template(municipality: Path | None, plugins: tuple[str, ...],
                 extra_plugins: dict[str, str]) -> str:
        if plugins in made:
            return made[plugins]
        folder = tmp_path_factory.mktemp("template")
        environ = municipality_environ(municipality, extra_plugins)
        if POSTGRES_URL:
            url = stack.enter_context(postgres_database(POSTGRES_URL))
        else:
            url = f"sqlite:///{folder / 'template.sqlite'}"
        migrate(make_app(folder, url, **environ))
        if POSTGRES_URL:
            _SEEDED[url] = _seeded_rows(url)
        if not POSTGRES_URL:
            with sa.create_engine(url).connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        made[plugins] = url
        return url

    with stack:
        yield template


def _seeded_rows(url: str) -> dict[str, list[dict[str, Any]]]:
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    metadata.reflect(engine)
    seeded: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as connection:
        for table in metadata.tables.values():
            if table.name == "alembic_version":
                continue
            rows = [dict(row._mapping) for row in connection.execute(sa.select(table))]
            if rows:
                seeded[table.name] = rows
    engine.dispose()
    return seeded


def _empty_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        tables = [row[0] for row in connection.exec_driver_sql(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'")]
        if tables:
            # TRUNCATE fires no row triggers, so the append-only audit table can be emptied.
            connection.exec_driver_sql(
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")
        seeded = _SEEDED.get(url, {})
        if seeded:
            _restore_seeded(connection, seeded)
    engine.dispose()


def _restore_seeded(connection: sa.Connection, seeded: dict[str, list[dict[str, Any]]]) -> None:
    metadata = sa.MetaData()
    metadata.reflect(connection, only=list(seeded), resolve_fks=False)
    # Seeded rows may refer to each other: restore them with the triggers that check
    # foreign keys off, as pg_restore does.
    connection.exec_driver_sql("SET session_replication_role = replica")
    for table in metadata.tables.values():
        connection.execute(table.insert(), seeded[table.name])
        if "id" in table.c:
            sequence = sa.select(sa.func.setval(
                sa.func.pg_get_serial_sequence(table.name, "id"),
                sa.select(sa.func.max(table.c.id)).scalar_subquery()))
            connection.execute(sequence)
    connection.exec_driver_sql("SET session_replication_role = DEFAULT")


@pytest.fixture
def database_url(database_templates: Callable[..., str], tmp_path: Path,
                 municipality_dir: Path | None, enabled_plugins: list[str],
                 extra_plugins: dict[str, str]) -> Iterator[str]:
    template = database_templates(municipality_dir, tuple(enabled_plugins), extra_plugins)
    if POSTGRES_URL:
        yield template
        _empty_postgres(template)
        return
    copy = tmp_path / "koers.sqlite"
    shutil.copyfile(sa.make_url(template).database, copy)
    yield f"sqlite:///{copy}"
