"""Sessions end when they should, and login throttling holds across processes — with Redis,
without it, and with a Redis that does not answer."""

from __future__ import annotations

import threading

import pytest
from flask.testing import FlaskClient

from app.database import db
from app.testing import TEST_PASSWORD, KoersClient, make_app, sign_in

pytestmark = pytest.mark.faults
WRONG = "wrong password here"
DEAD_REDIS = "redis://127.0.0.1:1/0"


def _session_cookie(client: FlaskClient, app) -> str:
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    return cookie.value


def _replay(app, cookie: str) -> int:
    """Open the dashboard in a fresh client that only has the copied cookie."""
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return thief.get("/").status_code


def test_a_cookie_copied_before_logout_no_longer_opens_anything(app, client, login_as):
    login_as("editor")
    copied = _session_cookie(client, app)
    assert _replay(app, copied) == 200
    client.submit("/logout")
    assert _replay(app, copied) == 302  # to the sign-in page


def test_sign_out_everywhere_ends_every_session(app, client, make_user):
    user = make_user("viewer")
    app.test_client_class = KoersClient
    other_device = app.test_client()
    assert sign_in(other_device, user.email).status_code == 302
    assert sign_in(client, user.email).status_code == 302
    copied = _session_cookie(client, app)
    page = client.get("/profile").get_data(as_text=True)
    assert "/profile/sign-out-everywhere" in page
    response = client.submit("/profile/sign-out-everywhere")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert other_device.get("/").status_code == 302
    assert _replay(app, copied) == 302
    assert client.get("/").status_code == 302


def test_a_cookie_copied_before_a_password_change_stops_working(app, client, login_as):
    login_as("viewer")
    copied = _session_cookie(client, app)
    response = client.submit("/profile/password", {
        "current": TEST_PASSWORD, "password": "another long passphrase",
        "confirm": "another long passphrase"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session goes on
    assert _replay(app, copied) == 302


def test_a_cookie_of_a_deactivated_account_stops_working(app, client, login_as, make_user):
    from app.auth import services

    user = login_as("viewer")
    copied = _session_cookie(client, app)
    admin = make_user("admin")
    services.set_active(user, False, actor=admin)
    db.session.commit()
    assert _replay(app, copied) == 302
    services.set_active(user, True, actor=admin)
    db.session.commit()
    assert _replay(app, copied) == 302  # reactivation does not revive old sessions


# --- throttling ----------------------------------------------------------------------------

def _second_process(app, database_url, tmp_path, **overrides):
    """Another web process of the same instance: its own app, the same database."""
    other = make_app(tmp_path / "second", database_url, {"KOERS_JOBS_INLINE": True, **overrides})
    other.test_client_class = KoersClient
    return other


def _overrides(store: str) -> dict:
    return {"REDIS_URL": "redis://127.0.0.1:6379/14"} if store == "redis" else {}


@pytest.mark.parametrize("store", ["database", pytest.param("redis", marks=pytest.mark.redis)])
def test_limits_hold_exactly_across_two_processes(store, database_url, tmp_path, make_user):
    from redis import Redis

    if store == "redis":
        Redis.from_url("redis://127.0.0.1:6379/14").flushdb()
    first = _second_process(None, database_url, tmp_path / "a", **_overrides(store))
    second = _second_process(None, database_url, tmp_path / "b", **_overrides(store))
    email = make_user("viewer").email
    limit = first.config["KOERS_LOGIN_MAX_FAILURES"]
    statuses: list[int] = []
    lock = threading.Lock()

    def try_wrong(application) -> None:
        with application.app_context():
            client = application.test_client()
            status = sign_in(client, email, WRONG).status_code
            db.session.remove()
        with lock:
            statuses.append(status)

    # Twice the limit, all at once, alternating between the two processes.
    threads = [threading.Thread(target=try_wrong, args=(app_,))
               for app_ in [first, second] * limit]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [401] * limit + [429] * limit
    # During the lock-out the right password is refused too, in either process.
    for application in (first, second):
        with application.app_context():
            response = sign_in(application.test_client(), email)
            assert response.status_code == 429
            assert "Too many failed attempts" in response.get_data(as_text=True) or \
                "Te veel" in response.get_data(as_text=True)
            db.session.remove()


def test_the_client_address_limit_holds_across_processes(database_url, tmp_path, make_user):
    # One failure per account, so ten per address (the address may fail ten times as often).
    first = _second_process(None, database_url, tmp_path / "a", KOERS_LOGIN_MAX_FAILURES=1)
    second = _second_process(None, database_url, tmp_path / "b", KOERS_LOGIN_MAX_FAILURES=1)
    limit = first.config["KOERS_LOGIN_MAX_FAILURES"] * 10
    statuses = []
    for number in range(limit + 3):  # a different account each time, one address
        application = (first, second)[number % 2]
        with application.app_context():
            statuses.append(sign_in(application.test_client(), f"nobody{number}@koers.example",
                                    WRONG).status_code)
            db.session.remove()
    assert statuses.count(401) == limit and statuses[limit:] == [429, 429, 429]


@pytest.mark.parametrize("app_overrides", [{"REDIS_URL": DEAD_REDIS}])
def test_sign_in_works_and_is_still_throttled_when_redis_is_down(app, client, make_user):
    user = make_user("viewer")
    assert sign_in(client, user.email).status_code == 302
    client.submit("/logout")
    for _ in range(app.config["KOERS_LOGIN_MAX_FAILURES"]):
        assert sign_in(client, user.email, WRONG).status_code == 401
    # Degraded to the database's counters, never to "no throttling".
    assert sign_in(client, user.email).status_code == 429
