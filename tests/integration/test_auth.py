"""Signing in and out, throttling, passwords and sessions, CSRF, cookies and headers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.auth.models import User
from app.database import db
from tests.conftest import TEST_PASSWORD, sign_in

SAME_MESSAGE = "The e-mail address or password is not correct."


@pytest.fixture
def app_overrides():
    # English pages, so assertions can use the source strings.
    return {"BABEL_DEFAULT_LOCALE": "en"}


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def test_sign_in_and_out(client, make_user):
    user = make_user("editor")
    response = sign_in(client, user.email.upper())
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/").get_data(as_text=True)
    assert user.name in page
    assert client.submit("/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_unknown_email_and_wrong_password_get_the_same_answer(client, make_user):
    user = make_user()
    unknown = sign_in(client, "nobody@koers.example")
    wrong = sign_in(client, user.email, "not the password at all")
    assert unknown.status_code == wrong.status_code == 401
    assert SAME_MESSAGE in unknown.get_data(as_text=True)
    assert SAME_MESSAGE in wrong.get_data(as_text=True)


def test_deactivated_account_cannot_sign_in(client, make_user):
    user = make_user()
    user.active = False
    db.session.commit()
    response = sign_in(client, user.email)
    assert response.status_code == 401
    assert SAME_MESSAGE in response.get_data(as_text=True)


def test_empty_login_form_redisplays_with_field_errors(client):
    response = client.submit("/login", {"email": "", "password": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter your e-mail address." in page and "Enter your password." in page
    assert 'aria-invalid="true"' in page


def test_repeated_failures_are_throttled_even_with_the_right_password(client, make_user, app):
    user = make_user()
    for _ in range(app.config["KOERS_LOGIN_MAX_FAILURES"]):
        assert sign_in(client, user.email, "wrong password here").status_code == 401
    response = sign_in(client, user.email)
    assert response.status_code == 429
    assert re.search(r"Too many failed attempts\. Wait \d+ minute", response.get_data(
        as_text=True))


def test_successful_sign_in_clears_the_account_counter(client, make_user, app):
    user = make_user()
    for _ in range(app.config["KOERS_LOGIN_MAX_FAILURES"] - 1):
        sign_in(client, user.email, "wrong password here")
    assert sign_in(client, user.email).status_code == 302
    client.submit("/logout")
    assert sign_in(client, user.email, "wrong password here").status_code == 401
    assert sign_in(client, user.email).status_code == 302


def test_post_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert "The form has expired" in response.get_data(as_text=True)


def test_open_redirect_after_login_is_refused(client, make_user):
    user = make_user()
    response = client.submit("/login?next=https://evil.example/", {
        "email": user.email, "password": TEST_PASSWORD})
    assert response.location == "/"
    client.submit("/logout")
    response = client.submit("/login?next=/profile", {
        "email": user.email, "password": TEST_PASSWORD})
    assert response.location == "/profile"


def test_one_time_password_must_be_changed_first(client, app):
    from app.auth import services

    created = services.create_user("new@koers.example", "Nieuw", "editor")
    db.session.commit()
    assert created.password and created.user.must_change_password
    response = sign_in(client, "new@koers.example", created.password)
    assert response.location == "/profile"
    assert client.get("/").location == "/profile"
    # The profile page is styled and the footer's statement opens before the change.
    profile = client.get("/profile").get_data(as_text=True)
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', profile)
    assert any("theme.css" in href for href in stylesheets)
    for href in [*stylesheets, "/toegankelijkheid"]:
        assert client.get(href).status_code == 200, href
    response = client.submit("/profile/password", {
        "current": created.password, "password": "a brand new passphrase",
        "confirm": "a brand new passphrase"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_changing_the_password_ends_other_sessions(app, make_user):
    user = make_user()
    first, second = app.test_client(), app.test_client()
    from tests.conftest import KoersClient

    first.__class__ = second.__class__ = KoersClient
    for browser in (first, second):
        assert sign_in(browser, user.email).status_code == 302
    response = first.submit("/profile/password", {
        "current": TEST_PASSWORD, "password": "another long passphrase",
        "confirm": "another long passphrase"})
    assert response.status_code == 302
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302  # signed out


@pytest.mark.parametrize(("form", "message"), [
    ({"current": "wrong", "password": "another long passphrase",
      "confirm": "another long passphrase"}, "The current password is not correct."),
    ({"current": TEST_PASSWORD, "password": "short", "confirm": "short"},
     "Use at least 12 characters."),
    ({"current": TEST_PASSWORD, "password": "another long passphrase",
      "confirm": "a different passphrase"}, "The two passwords differ."),
])
def test_bad_password_change_redisplays_and_changes_nothing(client, login_as, form, message):
    user = login_as("viewer")
    old_hash = user.password_hash
    response = client.submit("/profile/password", form)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == old_hash


def test_language_choice_is_saved_and_used(client, login_as):
    user = login_as("viewer")
    client.submit("/profile/language", {"locale": "nl"})
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "nl"
    page = client.get("/profile").get_data(as_text=True)
    assert '<html lang="nl" ' in page
    client.submit("/profile/language", {"locale": "en"})
    assert '<html lang="en" ' in client.get("/profile").get_data(as_text=True)


def test_session_cookie_flags(client, make_user):
    user = make_user()
    response = sign_in(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_secure_cookies_when_configured(tmp_path, database_url):
    from tests.conftest import make_app

    app = make_app(tmp_path, database_url, KOERS_SECURE_COOKIES="1")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/login")
    assert "Strict-Transport-Security" in response.headers


def test_security_headers_forbid_inline_scripts(client):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    page = response.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "inline script found"
    assert " style=" not in page


def test_sign_in_is_audited(client, make_user):
    user = make_user()
    sign_in(client, user.email)
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type == "users", AuditEvent.entity_id == str(user.id))).all()
    assert [event.action for event in events] == ["create", "login"]


def test_behind_a_proxy_the_forwarded_client_address_is_used(tmp_path, database_url):
    from flask import request

    from tests.conftest import make_app

    for count, expected in (("0", "127.0.0.1"), ("1", "192.0.2.10")):
        app = make_app(tmp_path / count, database_url, KOERS_PROXY_COUNT=count)

        @app.route("/client-address")
        def client_address():
            return request.remote_addr or ""

        client_address._koers_permission = "public"
        response = app.test_client().get("/client-address", headers={
            "X-Forwarded-For": "192.0.2.10"}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
        assert response.get_data(as_text=True) == expected
