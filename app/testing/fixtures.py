"""The app, its client and its accounts, per test: an app with the chosen plugins enabled on
a fresh database, a client that sends forms with CSRF tokens, sign-in per role and a query
counter."""

from __future__ import annotations

import contextvars
import json
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
from app.config import PROJECT_HOME
from app.database import db

TEST_PASSWORD = "correct horse battery staple"  # noqa: S105 - the test accounts' password
CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


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


def municipality_environ(municipality: Path | None,
                         extra_plugins: dict[str, str]) -> dict[str, str]:
    environ: dict[str, str] = {}
    if municipality is not None:
        environ.update(KOERS_MUNICIPALITIES_DIR=str(municipality.parent),
                       KOERS_MUNICIPALITY=municipality.name)
    if extra_plugins:
        environ["KOERS_EXTRA_PLUGINS"] = ",".join(f"{k}={v}" for k, v in extra_plugins.items())
    return environ


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing() -> None:
    """Argon2 with production cost takes ~0.4 s a hash here; tests create many accounts."""
    from argon2 import PasswordHasher

    from app.auth import passwords

    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


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


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    """Override in a test module to change settings of the ``app`` fixture."""
    return {}


@pytest.fixture
def app(database_url: str, tmp_path: Path, app_overrides: dict[str, Any],
        municipality_dir: Path | None, extra_plugins: dict[str, str]) -> Iterator[Flask]:
    application = make_app(tmp_path / "instance", database_url, app_overrides,
                           **municipality_environ(municipality_dir, extra_plugins))
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


def sign_out(client: KoersClient):
    """End the client's session, as the sign-out button does."""
    return client.submit("/logout")


@pytest.fixture
def login_as(client: KoersClient, make_user):
    """Sign the test client in with a fresh user of ``role``; returns the user. Called again,
    it signs the earlier account out first, so the client then acts as the new one."""

    signed_in: list[Any] = []

    def login(role: str = "viewer", **kwargs: Any):
        user = make_user(role, **kwargs)
        if signed_in:
            sign_out(client)
        response = sign_in(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        signed_in.append(user)
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
