"""Koers behind PgBouncer in transaction pooling mode (``pool_mode = transaction``), as a
shared-service centre runs it: each transaction may run on another server connection.

psycopg 3 prepares a statement on the server after its fifth use; PgBouncer before 1.21
(Debian 12 ships 1.18) does not carry prepared statements over to the next server
connection, so without ``KOERS_DATABASE_TRANSACTION_POOLING`` the sixth use of a query fails
("prepared statement "_pg3_0" already exists" / "does not exist"). The test runs a day's
mix of requests many times through a real PgBouncer; it needs PostgreSQL
(``KOERS_TEST_DATABASE_URL``) and the pgbouncer program, and skips, saying which is
missing, without either.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import lxml.html
import psycopg
import pytest
from flask import Flask
from sqlalchemy import select

from app.auth import services as accounts
from app.database import db
from app.jobs.models import Job, JobStatus
from app.jobs.services import JobContext, enqueue, job
from app.plans import services as plans
from app.plans.models import Plan
from app.plans.services import PlanData
from app.testing.databases import POSTGRES_URL
from tests.conftest import TEST_PASSWORD, KoersClient, make_app, sign_in
from tests.processes import pgbouncer, pgbouncer_binary

pytestmark = [
    pytest.mark.skipif(not POSTGRES_URL, reason="needs PostgreSQL: set KOERS_TEST_DATABASE_URL"),
    pytest.mark.skipif(pgbouncer_binary() is None,
                       reason="needs the pgbouncer program (Debian: apt-get install pgbouncer)"),
]

#: Rounds of the mix: enough for every query to pass psycopg's prepare_threshold (5) on
#: each of the connections SQLAlchemy's pool hands out in turn.
ROUNDS = 20


@job("tests.pgbouncer_tally")
def tally(context: JobContext, steps: int = 3) -> dict[str, Any]:
    for step in range(1, steps + 1):
        context.progress(step * 100 // steps, f"step {step}")
    return {"plans": len(db.session.scalars(select(Plan.id)).all())}


@pytest.fixture
def bouncer(database_url):
    # Two people at once. A request may hold two server connections (its own transaction and
    # a short one for the sign-in counters); a job run inline, as in tests, three (the
    # request's, the job's, its progress): six, fewer than the clients' connections.
    with pgbouncer(database_url, pool_size=6) as running:
        yield running


def bounced_app(tmp_path: Path, url: str, *, pooling: bool) -> Flask:
    return make_app(tmp_path / "instance", url,
                    KOERS_DATABASE_TRANSACTION_POOLING="1" if pooling else "0")


def seed(app: Flask) -> dict[str, tuple[int, str]]:
    """Two editors, each with a plan of their own: {who: (plan id, e-mail address)}."""
    found = {}
    with app.app_context():
        for who in ("a", "b"):
            editor = accounts.create_user(f"redacteur-{who}@koers.example", f"Redacteur {who}",
                                          "editor", password=TEST_PASSWORD).user
            plan = plans.create_plan(PlanData(title=f"Samen Krachtig {who}",
                                              kind="beleidsplan"))
            db.session.commit()
            found[who] = plan.id, editor.email
        db.session.remove()
    return found


def edit_form(client: KoersClient, plan_id: int) -> dict[str, Any]:
    page = client.get(f"/plans/{plan_id}/edit")
    assert page.status_code == 200
    form = lxml.html.fromstring(page.get_data(as_text=True)).xpath(
        "//form[.//input[@name='version']]")[0]
    return dict(form.form_values())


def day_of_work(app: Flask, plan_id: int, email: str, round_: int, errors: list[str],
                who: str) -> None:
    """Sign in, read the usual pages, save the plan, lose a stale edit, run a job, sign out."""
    try:
        client: KoersClient = app.test_client()  # type: ignore[assignment]
        client.set_cookie("koers_language", "en")
        assert sign_in(client, email).status_code == 302
        for path in ("/", "/plans/", f"/plans/{plan_id}", "/stakeholders/", "/search?q=krachtig"):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        loaded = edit_form(client, plan_id)
        saved = client.submit(f"/plans/{plan_id}/edit",
                              {**edit_form(client, plan_id), "title": f"Plan {who} {round_}"})
        assert saved.status_code == 302, saved.get_data(as_text=True)[:2000]
        stale = client.submit(f"/plans/{plan_id}/edit", {**loaded, "title": "Te laat"})
        assert stale.status_code == 409
        with app.app_context():
            record = enqueue("tests.pgbouncer_tally", {"steps": 3})
            db.session.expire_all()  # the inline runner ran it in a session of its own
            assert db.session.get(Job, record.id).status == JobStatus.FINISHED
            db.session.remove()
        assert client.submit("/logout").status_code == 302
    except Exception as error:
        last = str(error).strip().splitlines()[-1:] or [""]
        errors.append(f"{who} round {round_}: {error.__class__.__name__}: {last[0]}")


def run_the_mix(app: Flask, people: dict[str, tuple[int, str]]) -> list[str]:
    """Two people at once, ROUNDS times: their transactions interleave over PgBouncer's two
    server connections, as under any real load."""
    app.test_client_class = KoersClient
    errors: list[str] = []
    for round_ in range(ROUNDS):
        threads = [threading.Thread(target=day_of_work,
                                    args=(app, plan_id, email, round_, errors, who))
                   for who, (plan_id, email) in people.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    return errors


def test_koers_works_behind_pgbouncer_in_transaction_mode(bouncer, tmp_path):
    app = bounced_app(tmp_path, bouncer.url, pooling=True)
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"] == {
        "prepare_threshold": None}
    people = seed(app)
    try:
        errors = run_the_mix(app, people)
        assert errors == [], "\n".join(errors[:5])
        with app.app_context():
            titles = set(db.session.scalars(select(Plan.title)))
            # the last saves arrived, the stale edits did not
            assert titles == {f"Plan {who} {ROUNDS - 1}" for who in people}
            db.session.remove()
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("pooling", [False, True])
def test_the_setting_keeps_the_apps_statements_unprepared(bouncer, tmp_path, pooling):
    """Without the setting the app's connections prepare a query used a sixth time (what
    breaks behind PgBouncer, see below); with it, never."""
    app = bounced_app(tmp_path, bouncer.url, pooling=pooling)
    with app.app_context():
        with db.engine.begin() as connection:  # one transaction: one server connection
            for number in range(ROUNDS):
                connection.execute(select(Plan.id).where(Plan.id == number)).all()
            prepared = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_prepared_statements").scalar()
        db.engine.dispose()
    assert (prepared == 0) is pooling, prepared


def test_prepared_statements_and_transaction_pooling_do_not_mix(bouncer):
    """The premise, at the driver: two connections taking turns, the sixth use of a query
    fails unless preparing is off (what the setting does)."""
    url = bouncer.url.replace("postgresql+psycopg://", "postgresql://")
    for threshold, fails in ((5, True), (None, False)):
        first = psycopg.connect(url, prepare_threshold=threshold)
        second = psycopg.connect(url, prepare_threshold=threshold)
        try:
            for number in range(8):
                with first.transaction():
                    first.execute("SELECT %s::int", (number,)).fetchone()
                with second.transaction():
                    second.execute("SELECT %s::int + 1", (number,)).fetchone()
        except psycopg.errors.Error as error:
            assert fails, error
            assert "prepared statement" in str(error)
        else:
            assert not fails, "prepared statements survived transaction pooling"
        finally:
            first.close()
            second.close()
