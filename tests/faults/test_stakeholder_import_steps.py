"""A large stakeholder import writes in short steps: on SQLite, sign-ins and edits go on while
it runs; an import interrupted part-way goes on from its checkpoint with the rows it staged,
creating nothing twice."""

from __future__ import annotations

import contextvars
import io
import threading
import time
from dataclasses import replace

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.database import db
from app.jobs.models import Job, JobStatus
from app.jobs.services import JobContext, run_job
from app.stakeholders import services, transfer
from app.stakeholders.models import Membership, Stakeholder
from app.stakeholders.services import StakeholderData
from app.storage import storage
from app.testing import POSTGRES_URL, KoersClient, sign_in
from tests.benchmarks.stakeholders import import_file

pytestmark = pytest.mark.faults

STEP = 200


@pytest.fixture
def app_overrides():
    return {"KOERS_IMPORT_STEP_ROWS": STEP}


def import_job_for(make_user, rows: int) -> tuple[str, str]:
    """A stored upload of ``rows`` rows and its import job, not yet run."""
    user = make_user("editor")
    path = transfer.store_upload(io.BytesIO(import_file(rows)), "betrokkenen.csv")
    record = Job(kind="stakeholders.import", params={"path": path, "name": "betrokkenen.csv"},
                 created_by_id=user.id)
    db.session.add(record)
    db.session.commit()
    return record.id, path


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def duplicated_emails() -> list[str]:
    return list(db.session.scalars(select(Stakeholder.email).where(
        Stakeholder.email.is_not(None)).group_by(Stakeholder.email).having(func.count() > 1)))


@pytest.fixture
def short_busy_timeout():
    """Writers give up after 1.5 s instead of 5: an import that holds the lock longer than
    that, even once, makes a sign-in or an edit fail."""
    def pragma(connection, _record) -> None:
        import sqlite3

        if isinstance(connection, sqlite3.Connection):
            connection.execute("PRAGMA busy_timeout=1500")

    sa.event.listen(sa.engine.Engine, "connect", pragma)
    db.engine.dispose()
    yield
    sa.event.remove(sa.engine.Engine, "connect", pragma)
    db.engine.dispose()


@pytest.mark.skipif(bool(POSTGRES_URL), reason="SQLite admits one writer at a time")
def test_sign_ins_and_edits_go_on_during_a_large_import(app, make_user, short_busy_timeout):
    rows = 3_000
    job_id, _path = import_job_for(make_user, rows)
    reader = make_user("viewer")
    edited = services.create(StakeholderData(name="Wijkteam Noord", kind="organisation"))
    db.session.commit()
    edited_id, data = edited.id, StakeholderData(name="Wijkteam Noord", kind="organisation")

    def run() -> None:
        with app.app_context():
            run_job(job_id)

    worker = threading.Thread(target=contextvars.Context().run, args=(run,))
    worker.start()
    app.test_client_class = KoersClient
    client = app.test_client()
    failures: list[str] = []
    during_steps = 0
    started = time.monotonic()
    n = 0
    while worker.is_alive() and time.monotonic() - started < 120:
        n += 1
        response = sign_in(client, reader.email)
        if response.status_code != 302:
            failures.append(f"sign-in {response.status_code}")
        client.post("/logout", data={"csrf_token": client.csrf_token()})

        def edit() -> None:
            with app.app_context():
                stakeholder = db.session.get(Stakeholder, edited_id)
                services.update_stakeholder(stakeholder, replace(data, notes=f"edit {n}"))
                db.session.commit()

        try:
            contextvars.Context().run(edit)
        except sa.exc.OperationalError as error:
            failures.append(str(error.orig))
        db.session.expire_all()
        message = db.session.scalar(select(Job.message).where(Job.id == job_id)) or ""
        during_steps += message.startswith(("Importing:", "Bezig met importeren:"))
    worker.join(timeout=120)
    assert failures == []
    assert during_steps >= 3, "too few sign-ins while the steps ran to show anything"
    db.session.expire_all()
    record = db.session.get(Job, job_id)
    assert record.status == JobStatus.FINISHED, record.error
    assert record.result["state"] == "imported" and record.result["created"] == rows
    assert count(Stakeholder) == rows + 1 and duplicated_emails() == []
    assert record.checkpoint["done"] == rows


class Crash(Exception):
    """The process dying, as far as the job function can tell."""


def test_an_interrupted_import_goes_on_from_its_checkpoint(app, make_user, monkeypatch):
    rows = 1_000  # 20 organisations, every person a member of one; 5 steps of 200
    job_id, path = import_job_for(make_user, rows)
    apply_step = transfer._apply_step
    steps: list[int] = []

    def dies_after_two(*args, **kwargs):
        if len(steps) == 2:
            raise Crash
        steps.append(1)
        return apply_step(*args, **kwargs)

    monkeypatch.setattr(transfer, "_apply_step", dies_after_two)
    with pytest.raises(Crash):
        transfer.import_job(JobContext(job_id), path=path)
    db.session.rollback()
    assert count(Stakeholder) == 2 * STEP  # two steps committed, the third not at all
    checkpoint = db.session.get(Job, job_id).checkpoint
    assert checkpoint["done"] == 2 * STEP and checkpoint["total"] == rows
    assert storage().exists(transfer.staged_key(path))
    assert storage().exists(transfer.stored_key(path))

    # The retry goes on from the checkpoint with the staged rows, never checking again.
    monkeypatch.setattr(transfer, "_apply_step", apply_step)
    monkeypatch.setattr(transfer, "check", lambda *a, **k: pytest.fail("checked again"))
    result = transfer.import_job(JobContext(job_id, checkpoint), path=path)
    assert result["state"] == "imported"
    assert (result["created"], result["persons"], result["organisations"],
            result["memberships"]) == (rows, 980, 20, 980)
    assert count(Stakeholder) == rows and duplicated_emails() == []
    assert count(Membership) == 980
    events = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type.in_(["stakeholders", "stakeholder_imports"]))).all()
    assert events.count("create") == rows and events.count("import") == 1
    assert events.count("add_membership") == 980
    assert not storage().exists(transfer.staged_key(path))
    assert not storage().exists(transfer.stored_key(path))

    # Once more (the job finished its last step but not itself): the same result, nothing new.
    final = db.session.get(Job, job_id).checkpoint
    again = transfer.import_job(JobContext(job_id, final), path=path)
    assert again["state"] == "imported" and again["created"] == rows
    assert count(Stakeholder) == rows


def test_a_step_waits_out_a_locked_database_instead_of_failing(app, make_user, monkeypatch):
    job_id, path = import_job_for(make_user, 300)
    apply_step = transfer._apply_step
    attempts: list[int] = []

    def locked_once(*args, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            db.session.execute(sa.text("SELECT 1"))
            raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))
        return apply_step(*args, **kwargs)

    monkeypatch.setattr(transfer, "_apply_step", locked_once)
    result = transfer.import_job(JobContext(job_id), path=path)
    assert result["created"] == 300 and count(Stakeholder) == 300
    assert len(attempts) == 3  # the first step twice, then the second
