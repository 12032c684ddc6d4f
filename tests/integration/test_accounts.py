"""Account administration: pages, rules and the ``koers users`` commands."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.auth.services import get_by_email
from app.database import db


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def test_create_account_shows_one_time_password_once(client, login_as):
    login_as("admin")
    response = client.submit("/admin/accounts/new", {
        "name": "Pieter Jansen", "email": "Pieter@Koers.example", "role": "editor"})
    page = response.get_data(as_text=True)
    user = get_by_email("pieter@koers.example")
    assert user is not None and user.role == "editor" and user.must_change_password
    assert 'id="one-time-password"' in page
    listing = client.get("/admin/accounts/").get_data(as_text=True)
    assert "Pieter Jansen" in listing and 'id="one-time-password"' not in listing


@pytest.mark.parametrize(("form", "field_message"), [
    ({"name": "", "email": "a@koers.example", "role": "viewer"}, "Enter a name."),
    ({"name": "A", "email": "not-an-address", "role": "viewer"}, "Enter a valid e-mail address."),
    ({"name": "A", "email": "a@koers.example", "role": "superuser"}, "Not a valid choice"),
])
def test_bad_account_form_redisplays_and_saves_nothing(client, login_as, form, field_message):
    login_as("admin")
    count = db.session.scalar(select(db.func.count(User.id)))
    response = client.submit("/admin/accounts/new", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert field_message in page and "error-summary" in page
    assert db.session.scalar(select(db.func.count(User.id))) == count


def test_duplicate_email_is_refused(client, login_as, make_user):
    login_as("admin")
    other = make_user(email="taken@koers.example")
    response = client.submit("/admin/accounts/new", {
        "name": "X", "email": other.email, "role": "viewer"})
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)


def test_last_admin_cannot_be_demoted_or_deactivated(client, login_as):
    admin = login_as("admin")
    response = client.submit(f"/admin/accounts/{admin.id}", {
        "name": admin.name, "email": admin.email, "role": "viewer",
        "version": str(admin.version)})
    assert response.status_code == 400
    assert "last active administrator" in response.get_data(as_text=True)
    client.submit(f"/admin/accounts/{admin.id}/active", {"active": "0"})
    db.session.expire_all()
    refreshed = db.session.get(User, admin.id)
    assert refreshed.active and refreshed.role == "admin"


def test_deactivation_ends_the_sessions_of_that_user(app, client, login_as, make_user):
    from tests.conftest import KoersClient, sign_in

    login_as("admin")
    colleague = make_user("editor")
    other = app.test_client()
    other.__class__ = KoersClient
    sign_in(other, colleague.email)
    assert other.get("/").status_code == 200
    client.submit(f"/admin/accounts/{colleague.id}/active", {"active": "0"})
    assert other.get("/").status_code == 302
    assert db.session.get(User, colleague.id) is not None  # never deleted


def test_reset_password_forces_a_change(client, login_as, make_user):
    login_as("admin")
    colleague = make_user("viewer")
    page = client.submit(f"/admin/accounts/{colleague.id}/reset-password").get_data(
        as_text=True)
    assert 'id="one-time-password"' in page
    db.session.expire_all()
    assert db.session.get(User, colleague.id).must_change_password


def test_account_list_is_paginated_and_searchable(client, login_as, make_user, count_queries):
    login_as("admin")
    for number in range(30):
        make_user(name=f"Medewerker {number:02d}")
    with count_queries() as counter:
        page = client.get("/admin/accounts/").get_data(as_text=True)
    assert "Medewerker 00" in page and "Medewerker 29" not in page
    assert 'rel="next"' in page
    assert counter.count <= 6
    found = client.get("/admin/accounts/?q=medewerker 29").get_data(as_text=True)
    assert "Medewerker 29" in found and "Medewerker 00" not in found


def run_cli(app, *args, input=None):
    runner = app.test_cli_runner()
    return runner.invoke(args=list(args), input=input)


def test_cli_users_create_list_set_role_deactivate(app):
    result = run_cli(app, "users", "create", "--email", "cli@koers.example", "--name", "Cli",
                     "--role", "editor")
    assert result.exit_code == 0, result.output
    assert "One-time password" in result.output
    result = run_cli(app, "users", "create", "--email", "stdin@koers.example", "--name", "In",
                     "--password-stdin", input="a long enough password\n")
    assert result.exit_code == 0 and "One-time password" not in result.output
    assert get_by_email("stdin@koers.example").must_change_password is False
    listing = run_cli(app, "users", "list").output
    assert "cli@koers.example\tCli\teditor\tactive" in listing
    assert run_cli(app, "users", "set-role", "cli@koers.example", "viewer").exit_code == 0
    assert run_cli(app, "users", "deactivate", "cli@koers.example").exit_code == 0
    db.session.expire_all()
    user = get_by_email("cli@koers.example")
    assert user.role == "viewer" and not user.active


def test_cli_refuses_bad_input(app):
    result = run_cli(app, "users", "create", "--email", "x@koers.example", "--name", "X",
                     "--password-stdin", input="short\n")
    assert result.exit_code != 0 and "12 tekens" in result.output  # the instance language
    result = run_cli(app, "users", "set-role", "ghost@koers.example", "admin")
    assert result.exit_code != 0 and "no account" in result.output
