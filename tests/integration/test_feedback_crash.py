"""The crash test of the terugkoppeling: a real ``koers worker`` sends a mailing through a
local mail server that accepts the first letters and then stalls on one; the worker is killed
(SIGKILL) while that letter is "sending". The letters before it were sent exactly once, the
stalled one is shown for a person to decide and is never sent again by itself, and a new
worker resuming the mailing sends the rest."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.consultations import services
from app.consultations.feedback import services as feedback
from app.consultations.feedback.models import FeedbackLetter, FeedbackMailing, LetterStatus
from app.consultations.inputs import answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.services import InputData
from app.consultations.services import ConsultationData
from app.database import db
from app.errors import DomainError
from app.plans import services as plans
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData
from app.testing import make_environ
from tests.conftest import KoersClient, make_app, sign_in, write_municipality
from tests.processes import (
    REDIS_URL,
    descendants,
    free_port,
    kill_hard,
    redis_available,
    start_worker,
    wait_for,
    workers_logged_to,
)

PEOPLE = 5
STALL_ON = "deelnemer3@example.nl"


class StallingServer:
    """Accepts every message except the one to ``stall_on``, on which it hangs until released
    (without blocking its event loop, so later connections are served)."""

    def __init__(self, stall_on: str) -> None:
        self.stall_on = stall_on
        self.delivered: list[str] = []
        self.attempts: list[str] = []
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd calls it so
        recipient = envelope.rcpt_tos[0]
        self.attempts.append(recipient)
        if recipient == self.stall_on:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            return "451 4.3.0 Try again later"
        self.delivered.append(recipient)
        return "250 OK"


def statuses() -> dict[str, str]:
    db.session.expire_all()
    found = {letter.recipient_email: letter.status
             for letter in db.session.scalars(select(FeedbackLetter))}
    db.session.rollback()  # no read snapshot held open while the worker writes
    return found


@pytest.mark.redis
@pytest.mark.skipif(not redis_available(), reason=f"no Redis server answers at {REDIS_URL}")
def test_killing_the_worker_mid_mailing_sends_nothing_twice(database_url, tmp_path, make_user,
                                                           monkeypatch):
    from aiosmtpd.controller import Controller

    handler = StallingServer(STALL_ON)
    port = free_port()
    server = Controller(handler, hostname="127.0.0.1", port=port)
    server.start()
    # A municipality of its own: its own queue on the shared Redis database.
    municipality = write_municipality(tmp_path / "municipalities" /
                                      f"crash{uuid.uuid4().hex[:8]}", [])
    settings = {
        "REDIS_URL": REDIS_URL, "KOERS_MUNICIPALITIES_DIR": str(municipality.parent),
        "KOERS_MUNICIPALITY": municipality.name, "KOERS_SMTP_HOST": "127.0.0.1",
        "KOERS_SMTP_PORT": str(port), "KOERS_SMTP_SECURITY": "none",
        "KOERS_MAIL_FROM": "terugkoppeling@koersdam.example", "KOERS_SMTP_TIMEOUT": "60",
        "KOERS_LOG_LEVEL": "INFO",
    }
    instance = tmp_path / "instance"
    environ = make_environ(instance, database_url, **settings)
    app = make_app(instance, database_url, **settings)
    assert app.extensions["koers_jobs"].name == "rq"
    queue = app.extensions["koers_jobs"].queue
    try:
        with workers_logged_to(tmp_path / "worker.log") as (workers, log), \
                app.app_context():
            with app.test_request_context():
                plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
                period = services.create_consultation(plan, ConsultationData(
                    title="Ter inzage", format="ter_inzage", published_on=date(2017, 5, 31)))
                for number in range(1, PEOPLE + 1):
                    person = register.create(StakeholderData(
                        name=f"Deelnemer {number}", email=f"deelnemer{number}@example.nl"))
                    reaction = input_services.add_input(period, InputData(
                        original_text=f"Zienswijze {number}", kind="zienswijze",
                        channel="e-mail", stakeholder_id=person.id,
                        received_on=date(2017, 7, 1)))
                    answers.answer([reaction], f"Antwoord {number}", "al_voorzien")
                db.session.commit()
                mailing = feedback.create_mailing(period)
                mailing_id, period_id = mailing.id, period.id
            assert queue.count == 1
            db.session.remove()

            workers.append(start_worker(environ, log))
            wait_for(handler.stalled.is_set, 90, "the stalled letter", workers[0])
            wait_for(lambda: statuses()[STALL_ON] == LetterStatus.SENDING, 30,
                     "the stalled letter to be 'sending'", workers[0])
            assert descendants(workers[0].pid), "the worker runs the job in a work horse"
            kill_hard(workers[0])
            handler.release.set()
            time.sleep(0.5)  # had anything survived, it would send now

            first = ["deelnemer1@example.nl", "deelnemer2@example.nl"]
            assert handler.delivered == first
            assert statuses() == {
                "deelnemer1@example.nl": "sent", "deelnemer2@example.nl": "sent",
                STALL_ON: "sending", "deelnemer4@example.nl": "queued",
                "deelnemer5@example.nl": "queued"}

            mailing = db.session.get(FeedbackMailing, mailing_id)
            with app.test_request_context(), pytest.raises(DomainError):
                feedback.resume(mailing)  # its job record still says running, just now
            db.session.rollback()
            # Later: no activity for longer than the staleness rule allows.
            monkeypatch.setattr(feedback, "stale_after", lambda: timedelta(0))
            user = make_user("editor")
            app.test_client_class = KoersClient
            client = app.test_client()
            client.set_cookie("koers_language", "en")
            sign_in(client, user.email)
            page = client.get(f"/consultations/{period_id}/feedback").get_data(as_text=True)
            decisions = page[page.index('id="decisions"'):page.index('id="post"')]
            assert "Deelnemer 3" in decisions and "Mark as sent" in decisions
            assert "Resume mailing" in page

            response = client.submit(f"/consultations/feedback/mailings/{mailing_id}/resume")
            assert response.status_code == 302, response.get_data(as_text=True)
            db.session.remove()
            workers.append(start_worker(environ, log, "--burst"))
            assert workers[1].wait(timeout=120) == 0

            assert handler.delivered == [*first, "deelnemer4@example.nl",
                                         "deelnemer5@example.nl"]
            assert handler.attempts.count(STALL_ON) == 1  # never resent
            assert statuses() == {
                "deelnemer1@example.nl": "sent", "deelnemer2@example.nl": "sent",
                STALL_ON: "held", "deelnemer4@example.nl": "sent",
                "deelnemer5@example.nl": "sent"}
            page = client.get(f"/consultations/{period_id}/feedback").get_data(as_text=True)
            decisions = page[page.index('id="decisions"'):page.index('id="post"')]
            assert "Deelnemer 3" in decisions and "Needs a decision" in decisions
            assert "Deelnemer 4" not in decisions
            db.session.remove()
            db.engine.dispose()
    finally:
        handler.release.set()
        server.stop()
        queue.empty()
