"""One instance, several web processes: what one process starts or claims, the others see
and respect, because it lives in the database (or Redis), never in a process's memory.

Two apps on one database stand for two gunicorn workers (or two machines); runs on SQLite
and, with ``KOERS_TEST_DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import select, update

from app.consultations.feedback import services as feedback
from app.consultations.feedback.models import FeedbackLetter, LetterStatus
from app.database import db
from app.jobs.models import Job, JobStatus
from tests.conftest import KoersClient, make_app, sign_in
from tests.integration.test_feedback import Scene, send

pytestmark = pytest.mark.faults


def test_two_processes_claiming_the_same_letter_send_it_once(app, monkeypatch):
    """Both runs read the letter as queued; the claim is one UPDATE … WHERE status = queued,
    so the database lets exactly one of them have it (PostgreSQL: the second waits for the
    first's row lock and then finds nothing to update)."""
    from app import mail

    with app.test_request_context():
        scene = Scene()
        mailing = send(app, scene.period)
    letter_id = db.session.scalars(select(FeedbackLetter.id).where(
        FeedbackLetter.mailing_id == mailing.id,
        FeedbackLetter.recipient_email.is_not(None))).first()
    db.session.execute(update(FeedbackLetter).where(FeedbackLetter.id == letter_id)
                       .values(status=LetterStatus.QUEUED))
    db.session.commit()
    both_read = threading.Barrier(2, timeout=20)
    message_id = mail.new_message_id

    def after_the_read(*args, **kwargs):  # called between the check and the UPDATE
        both_read.wait()
        return message_id(*args, **kwargs)

    monkeypatch.setattr(mail, "new_message_id", after_the_read)
    claimed: list[object] = []

    def claim() -> None:
        with app.app_context():  # a session and connection of its own, as in another process
            claimed.append(feedback._claim(letter_id))
            db.session.remove()

    runs = [threading.Thread(target=claim) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(timeout=30)
    assert len(claimed) == 2
    assert sum(letter is not None for letter in claimed) == 1
    db.session.expire_all()
    assert db.session.get(FeedbackLetter, letter_id).status == LetterStatus.SENDING


def test_a_job_started_by_one_web_process_is_followed_on_another(database_url, tmp_path):
    """Without Redis, the worker that took the request starts the job process; the job page
    served by any other worker shows its progress and result (one container with
    WEB_CONCURRENCY=2 needs no Redis)."""
    first = make_app(tmp_path / "one", database_url, {"KOERS_JOBS_INLINE": False})
    second = make_app(tmp_path / "two", database_url, {"KOERS_JOBS_INLINE": False})
    assert first.extensions["koers_jobs"].name == "in-process"
    with first.app_context():
        from app.auth import services as accounts

        admin = accounts.create_user("beheer@koers.example", "Beheer", "admin",
                                     password="correct horse battery staple").user
        db.session.commit()
        email = admin.email
        db.session.remove()
    first.test_client_class = second.test_client_class = KoersClient
    starter: KoersClient = first.test_client()  # type: ignore[assignment]
    watcher: KoersClient = second.test_client()  # type: ignore[assignment]
    for client in (starter, watcher):
        assert sign_in(client, email).status_code == 302
    started = starter.submit("/jobs/inventory")
    assert started.status_code == 302
    status_url = started.location + ".json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        status = watcher.get(status_url).get_json()
        if status["done"]:
            break
        time.sleep(0.2)
    assert status["status"] == JobStatus.FINISHED and status["progress"] == 100
    with second.app_context():
        assert db.session.scalar(select(Job.status)) == JobStatus.FINISHED
        db.session.remove()
        db.engine.dispose()
    with first.app_context():
        db.engine.dispose()
