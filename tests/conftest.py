"""Fixtures: a migrated database (SQLite, or PostgreSQL with KOERS_TEST_DATABASE_URL), an app
per test, a client with CSRF helpers, sign-in per role, and a query counter.

The schema is always built by running the real migrations: once per session into a template,
which each test then gets a fresh copy of (SQLite: a file copy; PostgreSQL: the tables are
emptied after each test).
"""

from __future__ import annotations

import contextvars
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.database import db

POSTGRES_URL = os.environ.get("KOERS_TEST_DATABASE_URL", "")
TEST_PASSWORD = "correct horse battery staple"
CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile any catalogue whose .po is newer than its .mo, so the suite never runs on
    stale translations (``make translations-compile`` does the same)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[1]
    for po_path in [*root.glob("translations/*/LC_MESSAGES/*.po"),
                    *root.glob("municipalities/*/translations/*/LC_MESSAGES/*.po")]:
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as handle:
                catalogue = read_po(handle)
            with mo_path.open("wb") as handle:
                write_mo(handle, catalogue)


def make_environ(instance_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    environ = {
        "SECRET_KEY": "test-secret-key-not-for-production",
        "KOERS_INSTANCE_DIR": str(instance_dir),
        "DATABASE_URL": database_url,
        "KOERS_MUNICIPALITY": "demo",
        "KOERS_LOG_LEVEL": "WARNING",
    }
    environ.update(extra)
    return environ


def make_app(instance_dir: Path, database_url: str, overrides: dict[str, Any] | None = None,
             **environ: str) -> Flask:
    settings = {"TESTING": True, "KOERS_JOBS_INLINE": True}
    settings.update(overrides or {})
    return create_app(settings, make_environ(instance_dir, database_url, **environ))


def migrate(app: Flask, revision: str = "heads") -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(revision=revision)
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


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing() -> None:
    """Argon2 with production cost takes ~0.4 s a hash here; tests create many accounts."""
    from argon2 import PasswordHasher

    from app.auth import passwords

    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to the newest revision: a SQLite file, or a PostgreSQL URL."""
    folder = tmp_path_factory.mktemp("template")
    if POSTGRES_URL:
        with postgres_database(POSTGRES_URL) as url:
            migrate(make_app(folder, url))
            yield url
        return
    path = folder / "template.sqlite"
    app = make_app(folder, f"sqlite:///{path}")
    migrate(app)
    with sa.create_engine(f"sqlite:///{path}").connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    yield str(path)


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
    engine.dispose()


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> Iterator[str]:
    if POSTGRES_URL:
        yield database_template
        _empty_postgres(database_template)
        return
    copy = tmp_path / "koers.sqlite"
    shutil.copyfile(database_template, copy)
    yield f"sqlite:///{copy}"


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    """Override in a test module to change settings of the ``app`` fixture."""
    return {}


@pytest.fixture
def app(database_url: str, tmp_path: Path, app_overrides: dict[str, Any]) -> Iterator[Flask]:
    application = make_app(tmp_path / "instance", database_url, app_overrides)
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(name="db")
def db_fixture(app: Flask):
    """The Flask-SQLAlchemy handle, bound to the test's app (``db.session`` for queries)."""
    return db


class KoersClient(FlaskClient):
    """A test client that can send forms with a valid CSRF token, as a browser does.

    Each request runs in an empty ``contextvars`` context, so it gets its own app context
    (``g``, database session) even while the test holds one open — as in production, where
    every request is separate.
    """

    def open(self, *args: Any, **kwargs: Any):
        return contextvars.Context().run(super().open, *args, **kwargs)

    def csrf_token(self) -> str:
        for path in ("/profile", "/login"):
            response = self.get(path)
            match = CSRF_PATTERN.search(response.get_data(as_text=True))
            if match:
                return match.group(1)
        raise AssertionError("no page offered a CSRF token")

    def submit(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any):
        form = dict(data or {})
        form.setdefault("csrf_token", self.csrf_token())
        return self.post(path, data=form, **kwargs)


@pytest.fixture
def client(app: Flask) -> KoersClient:
    app.test_client_class = KoersClient
    return app.test_client()  # type: ignore[return-value]


@pytest.fixture
def make_user(app: Flask):
    from app.auth import services

    def factory(role: str = "viewer", email: str | None = None, name: str | None = None,
                password: str = TEST_PASSWORD, **kwargs: Any):
        email = email or f"{role}-{uuid.uuid4().hex[:6]}@koers.example"
        created = services.create_user(email, name or f"Test {role}", role, password=password,
                                       **kwargs)
        db.session.commit()
        return created.user

    return factory


def sign_in(client: KoersClient, email: str, password: str = TEST_PASSWORD):
    return client.submit("/login", {"email": email, "password": password})


@pytest.fixture
def login_as(client: KoersClient, make_user):
    """Sign the test client in with a fresh user of ``role``; returns the user."""

    def login(role: str = "viewer", **kwargs: Any):
        user = make_user(role, **kwargs)
        response = sign_in(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    return login


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE")):
            self.statements.append(statement)


@pytest.fixture
def count_queries(app: Flask):
    """``with count_queries() as counter: …`` then assert on ``counter.count``."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()
        sa.event.listen(db.engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", counter)

    return counting
