"""Every route declares who may call it; the declarations hold for every role (a matrix)."""

from __future__ import annotations

import pytest

from app.permissions import (
    AUTHENTICATED,
    PUBLIC,
    ROLE_PERMISSIONS,
    Role,
    declared_permission,
    is_static_endpoint,
)

ROLES = [None, "viewer", "editor", "admin"]


def routes(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if not is_static_endpoint(rule.endpoint, view):
            yield rule, view


def test_every_route_declares_its_permission(app):
    missing = [rule.rule for rule, view in routes(app) if declared_permission(view) is None]
    assert missing == [], f"routes without a permission declaration: {missing}"


def test_a_route_without_declaration_is_refused(app, client, login_as):
    @app.route("/undeclared")
    def undeclared():
        return "should never be served"

    login_as("admin")
    assert client.get("/undeclared").status_code == 403


def expected_status(declared: str, role: str | None) -> set[int]:
    if declared == PUBLIC:
        return {200, 301, 302, 400, 404, 405}
    if role is None:
        return {302}  # to the sign-in page
    if declared == AUTHENTICATED or declared in ROLE_PERMISSIONS[Role(role)]:
        return {200, 302, 400, 404, 405}
    return {403}


def sample_value(converter) -> str:
    kind = converter.__class__.__name__
    if kind == "IntegerConverter":
        return "1"
    if kind == "AnyConverter":  # <any(pdf, docx):format>: one of its own choices
        return sorted(converter.items)[0]
    return "00000000-0000-0000-0000-000000000000"


def sample_url(rule) -> str:
    values = {arg: sample_value(rule._converters[arg]) for arg in rule.arguments}
    return rule.build(values)[1]


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(app, client, login_as, role):
    """Each route, each role: signed-out visitors go to sign-in, missing rights give 403."""
    if role:
        login_as(role)
    token = client.csrf_token()
    checked = 0
    for rule, view in routes(app):
        declared = declared_permission(view)
        url = sample_url(rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if rule.endpoint in ("auth.logout", "auth.sign_out_everywhere"):
                continue  # would end the session the matrix runs in
            if method == "GET":
                response = client.get(url)
            else:
                response = client.open(url, method=method, data={"csrf_token": token})
            allowed = expected_status(declared, role)
            assert response.status_code in allowed, (
                f"{method} {url} as {role or 'anonymous'}: {response.status_code}, "
                f"expected one of {sorted(allowed)} for {declared!r}")
            if role is None and declared != PUBLIC:
                assert response.location.startswith("/login")
            checked += 1
    assert checked >= 15


def test_permission_table_is_documented():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "permissions.md").read_text()
    for role, permissions in ROLE_PERMISSIONS.items():
        assert f"`{role.value}`" in text
        for permission in permissions:
            assert f"`{permission.value}`" in text
