"""/healthz and the error pages: friendly, translated, never a stack trace; an outage of the
database or Redis (503, try again) told apart from a bug (500)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from sqlalchemy.exc import (
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)

from app.main.error_pages import is_outage
from tests.conftest import make_app
from tests.processes import REDIS_URL, redis_available


def test_healthz_reports_database_revision_and_plugins(client, app):
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 200
    assert body["status"] == "ok" and body["database"] == "ok"
    from alembic.script import ScriptDirectory
    from flask import current_app

    script = ScriptDirectory.from_config(
        current_app.extensions["migrate"].migrate.get_config())
    assert body["schema_revision"] == [script.get_current_head()]
    assert body["plugins"] == [] and body["municipality"] == "demo"


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    app = make_app(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:1/none")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_healthz_is_503_when_the_database_is_not_migrated(tmp_path):
    app = make_app(tmp_path, f"sqlite:///{tmp_path / 'empty.sqlite'}")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "not migrated"


def test_unknown_route_gives_a_404_page_in_the_users_language(client):
    page = client.get("/bestaat-niet")
    assert page.status_code == 404
    assert '<html lang="nl" ' in page.get_data(as_text=True)
    assert "Pagina niet gevonden" in page.get_data(as_text=True)
    client.set_cookie("koers_language", "en")
    page = client.get("/does-not-exist").get_data(as_text=True)
    assert '<html lang="en" ' in page and "Page not found" in page


def test_forbidden_page(client, login_as):
    login_as("viewer")
    response = client.get("/admin/accounts/")
    assert response.status_code == 403
    assert "Geen toegang" in response.get_data(as_text=True)


@pytest.fixture
def failing_app(app):
    @app.route("/explode")
    def explode():
        raise ProgrammingError("SELECT nonsense", {}, Exception("syntax error at nonsense"))

    @app.route("/gone")
    @app.route("/gone.json", endpoint="gone_json")
    def gone():
        raise OperationalError("SELECT 1", {}, Exception("database has gone away"))

    explode._koers_permission = "public"  # declared like any route
    gone._koers_permission = "public"
    return app


def test_a_bug_gives_a_500_page_and_a_log_line(failing_app, client, caplog):
    response = client.get("/explode")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert "Traceback" not in page and "syntax error" not in page
    assert "Er ging iets mis" in page
    assert any("unhandled error on GET /explode" in r.getMessage() for r in caplog.records)


def test_a_database_outage_gives_a_503_page_that_asks_to_retry(failing_app, client, caplog):
    response = client.get("/gone")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert '<html lang="nl" ' in page and "Tijdelijk niet beschikbaar" in page
    assert "Traceback" not in page and "database has gone away" not in page
    assert any("service unavailable on GET /gone" in r.getMessage() for r in caplog.records)
    response = client.get("/gone.json")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.get_json() == {"status": 503, "error": "Tijdelijk niet beschikbaar"}
    client.set_cookie("koers_language", "en")
    assert "Temporarily unavailable" in client.get("/gone").get_data(as_text=True)


def test_the_503_page_does_without_the_layout_if_it_must(failing_app, client, monkeypatch):
    """The full layout may itself need the database (e.g. a plugin's footer)."""
    from app.main import error_pages

    def layout_fails(*args, **kwargs):
        raise OperationalError("SELECT footer", {}, Exception("still gone"))

    monkeypatch.setattr(error_pages, "render_template", layout_fails)
    response = client.get("/gone")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert '<html lang="nl">' in page and "Tijdelijk niet beschikbaar" in page
    assert "still gone" not in page


def _sqlite_error(sql: str, database: str = ":memory:") -> sqlite3.Error:
    try:
        sqlite3.connect(database).execute(sql)
    except sqlite3.Error as error:
        return error
    raise AssertionError("no error")


@pytest.mark.parametrize(("error", "outage"), [
    (OperationalError("SELECT 1", {}, psycopg.OperationalError("connection refused")), True),
    (InterfaceError("SELECT 1", {}, psycopg.InterfaceError("connection is closed")), True),
    (DisconnectionError("gone"), True),
    (OperationalError("SELECT 1", {}, _sqlite_error("SELECT 1", "/nonexistent/dir/x.db")),
     True),
    (RedisConnectionError("Connection refused"), True),
    (OperationalError("SELECT", {}, _sqlite_error("SELECT * FROM no_such_table")), False),
    (ProgrammingError("SELECT", {}, psycopg.ProgrammingError("syntax error")), False),
    (IntegrityError("INSERT", {}, Exception("duplicate key")), False),
    (ValueError("a bug"), False),
])
def test_outages_are_told_apart_from_bugs(error, outage):
    assert is_outage(error) is outage


def test_503_page_when_the_signed_in_user_cannot_be_loaded(client, login_as, monkeypatch):
    """The database fails while loading the user: still a friendly page, no recursion —
    and /healthz, which loads no user, still answers JSON."""
    from app.extensions import login_manager

    login_as("viewer")

    def broken_loader(identifier):
        raise OperationalError("SELECT users", {}, Exception("connection refused"))

    monkeypatch.setattr(login_manager, "_user_callback", broken_loader)
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and "Tijdelijk niet beschikbaar" in page
    assert "Traceback" not in page and "connection refused" not in page
    health = client.get("/healthz")
    assert health.status_code == 200 and health.get_json()["status"] == "ok"


def test_500_page_when_loading_the_user_hits_a_bug(client, login_as, monkeypatch):
    from app.extensions import login_manager

    login_as("viewer")

    def broken_loader(identifier):
        raise ProgrammingError("SELECT users", {}, Exception("no such column"))

    monkeypatch.setattr(login_manager, "_user_callback", broken_loader)
    response = client.get("/")
    assert response.status_code == 500 and "Er ging iets mis" in response.get_data(as_text=True)


def test_healthz_says_redis_is_not_configured_without_redis_url(client):
    assert client.get("/healthz").get_json()["redis"] == "not configured"


@pytest.mark.redis
@pytest.mark.skipif(not redis_available(), reason=f"no Redis server answers at {REDIS_URL}")
def test_healthz_says_redis_is_ok_when_it_answers(tmp_path, database_url):
    app = make_app(tmp_path / "instance", database_url, REDIS_URL=REDIS_URL)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok" and response.get_json()["redis"] == "ok"
