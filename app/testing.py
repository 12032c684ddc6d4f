"""Pytest fixtures for Koers and its plugins: a migrated database (SQLite, or PostgreSQL with
``KOERS_TEST_DATABASE_URL``), an app per test with chosen plugins enabled, a client that sends
forms with CSRF tokens, sign-in per role and a query counter.

Use them in a plugin's tests with ``pytest_plugins = ["app.testing"]`` in its ``conftest.py``
and override ``enabled_plugins`` (and, for a plugin that is not installed, ``extra_plugins``)::

    @pytest.fixture
    def enabled_plugins():
        return ["oldambt"]


The schema is always built by running the real migrations: once per session into a template,
which each test then gets a fresh copy of (SQLite: a file copy; PostgreSQL: the tables are
emptied after each test).
"""

from __future__ import annotations

import contextvars
import json
import os
import re
import shutil
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from app.config import PROJECT_HOME
from app.database import db

POSTGRES_URL = os.environ.get("KOERS_TEST_DATABASE_URL", "")
TEST_PASSWORD = "correct horse battery staple"  # noqa: S105 - the test accounts' password
CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile catalogues whose .po is newer than their .mo, so tests never run on stale
    translations — the core's, the municipalities', installed plugins' and test plugins'."""
    from app.catalogues import catalogue_folders, compile_catalogues

    root = Path(session.config.rootpath)
    compile_catalogues([*catalogue_folders(), *root.glob("tests/plugins/*/translations"),
                        *root.glob("tests/fixtures/municipalities/*/translations")])


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


def migrate(app: Flask) -> None:
    """Upgrade the core and the app's enabled plugins, as ``koers db upgrade`` does."""
    from app.plugins.migrations import upgrade_enabled

    with app.app_context():
        upgrade_enabled()
        db.engine.dispose()


def write_municipality(folder: Path, plugins: list[str],
                       settings: dict[str, dict[str, Any]] | None = None,
                       base: Path | None = None) -> Path:
    """A municipality folder like the demo one, with ``plugins`` enabled and their settings."""
    base = base or PROJECT_HOME / "municipalities" / "demo"
    if folder.exists():
        return folder
    shutil.copytree(base, folder)
    lines = ['[municipality]', 'name = "Gemeente Testdorp"', 'locale = "nl"', '',
             '[plugins]', f"enabled = {json.dumps(plugins)}"]
    for plugin, values in (settings or {}).items():
        lines += ["", f"[plugins.{plugin}]"]
        lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    (folder / "municipality.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


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
def database_templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Migrated databases, one per set of enabled plugins: SQLite files or PostgreSQL URLs."""
    made: dict[tuple[str, ...], str] = {}
    stack = ExitStack()

    def template(municipality: Path | None, plugins: tuple[str, ...],
                 extra_plugins: dict[str, str]) -> str:
        if plugins in made:
            return made[plugins]
        folder = tmp_path_factory.mktemp("template")
        environ = _municipality_environ(municipality, extra_plugins)
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


def _municipality_environ(municipality: Path | None,
                          extra_plugins: dict[str, str]) -> dict[str, str]:
    environ: dict[str, str] = {}
    if municipality is not None:
        environ.update(KOERS_MUNICIPALITIES_DIR=str(municipality.parent),
                       KOERS_MUNICIPALITY=municipality.name)
    if extra_plugins:
        environ["KOERS_EXTRA_PLUGINS"] = ",".join(f"{k}={v}" for k, v in extra_plugins.items())
    return environ


@pytest.fixture
def enabled_plugins() -> list[str]:
    """Override to enable plugins (in this order) for the ``app`` fixture."""
    return []


@pytest.fixture
def extra_plugins() -> dict[str, str]:
    """Override to load plugins that are not installed: {name: module path}."""
    return {}


@pytest.fixture
def plugin_config() -> dict[str, dict[str, Any]]:
    """Override to set ``[plugins.<name>]`` values for the ``app`` fixture."""
    return {}


@pytest.fixture
def municipality_dir(tmp_path_factory: pytest.TempPathFactory, enabled_plugins: list[str],
                     plugin_config: dict[str, dict[str, Any]]) -> Path | None:
    """None (the demo municipality) or a municipality folder enabling the chosen plugins."""
    if not enabled_plugins and not plugin_config:
        return None
    key = "-".join(enabled_plugins) or "none"
    folder = tmp_path_factory.mktemp("municipalities") / f"test_{key}"
    return write_municipality(folder, enabled_plugins, plugin_config)


def untranslated(distribution: Path, package: str, domain: str,
                 languages: tuple[str, ...] = ("nl", "en")) -> dict[str, list[str]]:
    """For a plugin's tests: language -> the strings of its code and templates (extracted as
    its README says, with ``babel.cfg``) that its catalogue does not translate. A plugin with
    complete catalogues gets ``{"nl": [], "en": []}``."""
    import tempfile

    from babel.messages.frontend import CommandLineInterface
    from babel.messages.pofile import read_po

    def ids(messages: Any) -> set[str]:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in messages if m.id}

    with tempfile.TemporaryDirectory() as folder:
        pot = Path(folder) / f"{domain}.pot"
        CommandLineInterface().run([
            "pybabel", "--quiet", "extract", "--no-location", "-F",
            str(distribution / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "-o", str(pot),
            str(distribution / package)])
        with pot.open("rb") as handle:
            extracted = ids(read_po(handle))
    if not extracted:
        raise AssertionError(f"no translatable strings found in {distribution / package}")
    missing: dict[str, list[str]] = {}
    for language in languages:
        path = distribution / package / "translations" / language / "LC_MESSAGES" / \
            f"{domain}.po"
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=language)
        translated = ids(m for m in catalogue if m.string and not m.fuzzy and (
            all(m.string) if isinstance(m.string, tuple) else True))
        missing[language] = sorted(extracted - translated)
    return missing


#: Rows that migrations put in a PostgreSQL template (reference data such as a plugin's
#: default layers): emptying the database between tests puts them back.
_SEEDED: dict[str, dict[str, list[dict[str, Any]]]] = {}


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
    engine.dispose()


@pytest.fixture
def database_url(database_templates: Any, tmp_path: Path, municipality_dir: Path | None,
                 enabled_plugins: list[str], extra_plugins: dict[str, str]) -> Iterator[str]:
    template = database_templates(municipality_dir, tuple(enabled_plugins), extra_plugins)
    if POSTGRES_URL:
        yield template
        _empty_postgres(template)
        return
    copy = tmp_path / "koers.sqlite"
    shutil.copyfile(sa.make_url(template).database, copy)
    yield f"sqlite:///{copy}"


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    """Override in a test module to change settings of the ``app`` fixture."""
    return {}


@pytest.fixture
def app(database_url: str, tmp_path: Path, app_overrides: dict[str, Any],
        municipality_dir: Path | None, extra_plugins: dict[str, str]) -> Iterator[Flask]:
    application = make_app(tmp_path / "instance", database_url, app_overrides,
                           **_municipality_environ(municipality_dir, extra_plugins))
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


@pytest.fixture
def throwaway_hooks(app: Flask) -> Iterator[Any]:
    """Register hook implementations for one test only::

        def test_menu(throwaway_hooks):
            class Hooks:
                @hookimpl
                def navigation_items(user): ...
            throwaway_hooks(Hooks())
    """
    manager = app.extensions["koers_plugins"]
    registered: list[Any] = []

    def register(namespace: Any, name: str | None = None) -> Any:
        manager.pm.register(namespace, name=name or f"throwaway{len(registered)}")
        registered.append(namespace)
        return namespace

    yield register
    for namespace in registered:
        manager.pm.unregister(namespace)
