"""/healthz and the error pages: friendly, translated, never a stack trace."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import OperationalError

from tests.conftest import make_app


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
    assert '<html lang="nl">' in page.get_data(as_text=True)
    assert "Pagina niet gevonden" in page.get_data(as_text=True)
    client.set_cookie("koers_language", "en")
    page = client.get("/does-not-exist").get_data(as_text=True)
    assert '<html lang="en">' in page and "Page not found" in page


def test_forbidden_page(client, login_as):
    login_as("viewer")
    response = client.get("/admin/accounts/")
    assert response.status_code == 403
    assert "Geen toegang" in response.get_data(as_text=True)


@pytest.fixture
def failing_app(app):
    @app.route("/explode")
    def explode():
        raise OperationalError("SELECT 1", {}, Exception("database has gone away"))

    explode._koers_permission = "public"  # declared like any route
    return app


def test_database_error_gives_a_500_page_and_a_log_line(failing_app, client, caplog):
    response = client.get("/explode")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Traceback" not in page and "database has gone away" not in page
    assert "Er ging iets mis" in page
    assert any("unhandled error on GET /explode" in r.getMessage() for r in caplog.records)


def test_500_page_when_the_signed_in_user_cannot_be_loaded(client, login_as, monkeypatch):
    """The database fails while loading the user: still a friendly page, no recursion."""
    from app.extensions import login_manager

    login_as("viewer")

    def broken_loader(identifier):
        raise OperationalError("SELECT users", {}, Exception("connection refused"))

    monkeypatch.setattr(login_manager, "_user_callback", broken_loader)
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Traceback" not in page and "connection refused" not in page
