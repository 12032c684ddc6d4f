"""Terugkoppeling: who gets which letter, the letter's text in the municipality's language,
sending through the file outbox as a job (each letter once, even when the job runs again),
interrupted letters held for a person's decision, the pages, and erasure of the letters'
personal data."""

from __future__ import annotations

import email
import email.policy
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import func, select, update

from app.audit.models import AuditEvent
from app.consultations import services
from app.consultations.feedback import services as feedback
from app.consultations.feedback.models import FeedbackLetter, FeedbackMailing, LetterStatus
from app.consultations.inputs import answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.services import InputData
from app.consultations.services import ConsultationData
from app.database import db as database
from app.errors import DomainError
from app.jobs.models import Job, JobStatus
from app.jobs.services import run_job
from app.plans import services as plans
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData
from tests.traces import text_values, traces


def text(response) -> str:
    return response.get_data(as_text=True)


def outbox_files(app) -> list[Path]:
    folder = app.config["KOERS_MAIL"].outbox_dir
    return sorted(folder.glob("*.eml")) if folder.exists() else []


def messages(app) -> list[email.message.Message]:
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            for path in outbox_files(app)]


def letters(mailing_id: int | None = None) -> list[FeedbackLetter]:
    database.session.expire_all()
    query = select(FeedbackLetter).order_by(FeedbackLetter.id)
    if mailing_id is not None:
        query = query.where(FeedbackLetter.mailing_id == mailing_id)
    return list(database.session.scalars(query))


class Scene:
    """A comment period with answered reactions from people with and without an e-mail
    address, a co-signatory, an anonymous reaction and an open one."""

    def __init__(self) -> None:
        self.plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
        self.section = plans.add_section(self.plan, "Meedoen", "Iedereen doet mee.")
        self.anna = register.create(StakeholderData(name="Anna de Vries",
                                                    email="anna@example.nl"))
        self.bert = register.create(StakeholderData(name="Bert Jansen", address="Dorpsstraat 1",
                                                    postcode="7741 AA", place="Coevorden"))
        self.carla = register.create(StakeholderData(name="Carla Smit",
                                                     email="carla@example.nl"))
        self.period = services.create_consultation(self.plan, ConsultationData(
            title="Ontwerpbeleidsplan ter inzage", format="ter_inzage",
            published_on=date(2017, 5, 31)))

        def reaction(text_: str, who=None, **extra):
            return input_services.add_input(self.period, InputData(
                original_text=text_, kind="zienswijze", channel="brief",
                stakeholder_id=who.id if who else None, received_on=date(2017, 7, 1),
                **extra))

        self.first = reaction("Ik mis de mantelzorgers.", self.anna,
                              summary="Mantelzorgers ontbreken", co_signatory_ids=[self.carla.id])
        self.second = reaction("Te weinig voor jongeren.", self.bert)
        self.anonymous = reaction("Anoniem: meer bankjes.")
        self.open = reaction("Nog geen antwoord op deze.", self.anna)
        answers.answer([self.first], "We voegen een paragraaf over mantelzorg toe.",
                       "overgenomen", changed_section=self.section)
        answers.answer([self.second, self.anonymous], "Dit zit al in het jeugdbeleid.",
                       "al_voorzien")
        database.session.commit()


@pytest.fixture
def scene(app):
    with app.test_request_context():
        return Scene()


def send(app, consultation, actor=None) -> FeedbackMailing:
    with app.test_request_context():
        return feedback.create_mailing(consultation, actor=actor)


# --- who gets what --------------------------------------------------------------------------

def test_each_participant_gets_one_letter_with_their_answered_input(app, scene):
    found = {r.stakeholder.name: ([i.number for i in r.items], r.channel)
             for r in feedback.recipients(scene.period)}
    # Anonymous input has nobody to tell; the open reaction (4) is not in a letter yet.
    assert found == {"Anna de Vries": ([1], "email"), "Bert Jansen": ([2], "post"),
                     "Carla Smit": ([1], "email")}


def test_the_letter_is_in_dutch_and_lists_input_answer_decision_and_section(app, scene):
    # Started by someone who reads Koers in English: the letter is in the municipality's.
    with app.test_request_context(environ_base={"HTTP_COOKIE": "koers_language=en"}):
        mailing = feedback.create_mailing(scene.period)
    by_person = {item.stakeholder_id: item for item in letters(mailing.id)}
    anna = by_person[scene.anna.id]
    assert "Samen Krachtig" in anna.subject
    body = anna.body
    assert "Antwoord: We voegen" in body and "Besluit: " in body
    assert "Besluit: Al voorzien" in by_person[scene.bert.id].body
    assert "Anna de Vries" in body
    assert "Mantelzorgers ontbreken" in body  # the summary, not the raw text
    assert "Ik mis de mantelzorgers." not in body
    assert "We voegen een paragraaf over mantelzorg toe." in body
    assert "Meedoen" in body  # the changed section
    assert anna.recipient_email == "anna@example.nl" and anna.channel == "email"
    assert anna.input_ids == [scene.first.id]


def test_meeting_input_says_whether_it_was_used(app, db):
    with app.test_request_context():
        plan = plans.create_plan(PlanData(title="Koersdocument", kind="koersdocument"))
        anna = register.create(StakeholderData(name="Anna de Vries", email="anna@example.nl"))
        meeting = services.create_consultation(plan, ConsultationData(
            title="Werkconferentie", format="werkconferentie"))
        used, unused = input_services.add_inputs(meeting, [
            InputData(original_text="Meer inloop", kind="idee", stakeholder_id=anna.id),
            InputData(original_text="Gratis bus", kind="idee", stakeholder_id=anna.id)])
        answers.mark_processed([used], True)
        answers.mark_processed([unused], False)
        db.session.commit()
        mailing = feedback.create_mailing(meeting)
    lines = letters(mailing.id)[0].body.splitlines()
    with app.test_request_context(), force_locale("nl"):
        said = {True: gettext("Processed: used in the plan."),
                False: gettext("Processed: not used in the plan.")}
    assert lines[lines.index("Meer inloop") + 1] == said[True]
    assert lines[lines.index("Gratis bus") + 1] == said[False]


def test_two_people_sending_at_once_send_each_letter_once(app, db, scene):
    from app.consultations.models import Consultation

    period_id, version = scene.period.id, scene.period.version  # what the second one saw
    send(app, scene.period)  # the first one's mailing, committed meanwhile
    stale = db.session.get(Consultation, period_id)
    db.session.refresh(stale)  # the current row, then as if it had been read before
    stale.__dict__["version"] = version
    with app.test_request_context(), pytest.raises(DomainError,
                                                   match=r"Someone else|Iemand anders"):
        feedback.create_mailing(stale)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(FeedbackMailing)) == 1
    assert db.session.scalar(select(func.count()).select_from(FeedbackLetter)) == 3


def test_nobody_is_told_twice_and_new_answers_give_a_new_letter(app, db, scene):
    first = send(app, scene.period)
    assert len(letters(first.id)) == 3
    with app.test_request_context(), pytest.raises(DomainError):
        feedback.create_mailing(scene.period)  # nothing new
    db.session.rollback()
    with app.test_request_context():
        answers.answer([scene.open], "Dank u, we nemen het mee.", "deels_overgenomen")
        db.session.commit()
    second = send(app, scene.period)
    again = letters(second.id)
    assert [(item.stakeholder_id, item.input_ids) for item in again] == [
        (scene.anna.id, [scene.open.id])]


def test_a_cancelled_letter_lets_the_input_be_sent_later(app, db, scene, make_user):
    first = send(app, scene.period)
    bert = next(item for item in letters(first.id) if item.stakeholder_id == scene.bert.id)
    with app.test_request_context():
        feedback.decide(bert, feedback.CANCEL, actor=make_user("editor"))
        db.session.commit()
        assert [r.stakeholder.id for r in feedback.recipients(scene.period)] == [scene.bert.id]


# --- sending --------------------------------------------------------------------------------

def test_the_job_writes_one_eml_per_email_and_running_it_again_sends_nothing(app, db, scene):
    mailing = send(app, scene.period)
    sent = letters(mailing.id)
    by_person = {item.stakeholder_id: item for item in sent}
    assert by_person[scene.anna.id].status == LetterStatus.SENT
    assert by_person[scene.carla.id].status == LetterStatus.SENT
    assert by_person[scene.bert.id].status == LetterStatus.QUEUED  # post: a person sends it
    found = messages(app)
    assert sorted(message["To"] for message in found) == ["anna@example.nl",
                                                          "carla@example.nl"]
    anna = next(message for message in found if message["To"] == "anna@example.nl")
    assert anna["Message-ID"] == by_person[scene.anna.id].message_id
    assert "Mantelzorgers ontbreken" in anna.get_content()
    assert anna["From"] == app.config["KOERS_MAIL"].from_address

    job = db.session.get(Job, mailing.job_id)
    assert job.status == JobStatus.FINISHED and job.result["sent"] == 2
    run_job(mailing.job_id)  # the same job once more (a retry)
    assert len(outbox_files(app)) == 2
    with app.test_request_context(), pytest.raises(DomainError):
        feedback.resume(db.session.get(FeedbackMailing, mailing.id))  # nothing is queued
    assert len(outbox_files(app)) == 2


def test_a_letter_left_sending_is_held_and_never_resent(app, db, scene):
    app.config["KOERS_JOBS_INLINE"] = True
    with app.test_request_context():
        mailing = FeedbackMailing(consultation_id=scene.period.id)
        db.session.add(mailing)
        db.session.flush()
        recipients = feedback.recipients(scene.period)
        for recipient in recipients:
            subject, body = feedback.render_letter(scene.period, scene.plan,
                                                   recipient.stakeholder, recipient.items)
            db.session.add(FeedbackLetter(
                mailing_id=mailing.id, consultation_id=scene.period.id,
                stakeholder_id=recipient.stakeholder.id, channel=recipient.channel,
                recipient_email=recipient.stakeholder.email, subject=subject, body=body,
                input_ids=[i.input_id for i in recipient.items]))
        db.session.flush()
        # A crash in the middle: Anna's letter was being sent when the worker died.
        anna = db.session.scalars(select(FeedbackLetter).where(
            FeedbackLetter.stakeholder_id == scene.anna.id)).one()
        anna.status, anna.sending_started_at = LetterStatus.SENDING, feedback.utcnow()
        db.session.commit()
        feedback._start_job(mailing, None)
    by_person = {item.stakeholder_id: item for item in letters(mailing.id)}
    assert by_person[scene.anna.id].status == LetterStatus.HELD
    assert by_person[scene.carla.id].status == LetterStatus.SENT
    assert [message["To"] for message in messages(app)] == ["carla@example.nl"]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "hold_letters")).one()
    assert event.changes["letters"]["new"] == str([by_person[scene.anna.id].id])


def test_a_refused_letter_fails_and_a_broken_handover_is_held(app, db, scene, monkeypatch):
    from app import mail

    outcomes = iter([mail.MailError("550 no such user", refused=True),
                     mail.MailError("connection reset", refused=False)])

    def broken(self, message):
        raise next(outcomes)

    monkeypatch.setattr(mail.FileOutbox, "send", broken)
    mailing = send(app, scene.period)
    by_person = {item.stakeholder_id: item for item in letters(mailing.id)}
    assert by_person[scene.anna.id].status == LetterStatus.FAILED
    assert "550" in by_person[scene.anna.id].error
    assert by_person[scene.carla.id].status == LetterStatus.HELD


def test_an_unreachable_mail_server_fails_the_job_before_any_letter_is_claimed(
        app, db, scene):
    from dataclasses import replace

    app.config["KOERS_MAIL"] = replace(app.config["KOERS_MAIL"], transport="smtp",
                                       host="127.0.0.1", port=9, security="none", timeout=2)
    mailing = send(app, scene.period)
    assert {item.status for item in letters(mailing.id)} == {LetterStatus.QUEUED}
    assert db.session.get(Job, mailing.job_id).status == JobStatus.FAILED


def test_staleness_of_a_mailing_follows_its_job_and_its_activity(app, db, scene):
    mailing = send(app, scene.period)
    job = db.session.get(Job, mailing.job_id)
    states = feedback.mailing_states([mailing])
    assert not states[mailing.id].running  # finished
    carla = next(item for item in letters(mailing.id) if item.stakeholder_id == scene.carla.id)
    carla.status, carla.sending_started_at = LetterStatus.SENDING, feedback.utcnow()
    job.status = JobStatus.RUNNING.value
    db.session.commit()
    state = feedback.mailing_states([mailing])[mailing.id]
    assert state.running and not feedback.needs_decision(carla, state)
    later = feedback.utcnow() + feedback.stale_after() + timedelta(seconds=1)
    job.created_at = job.started_at = feedback.utcnow() - timedelta(hours=1)
    carla.sending_started_at = feedback.utcnow() - timedelta(hours=1)
    db.session.commit()
    state = feedback.mailing_states([mailing], now=later)[mailing.id]
    assert not state.running and feedback.needs_decision(carla, state)


def test_resume_is_refused_while_the_job_runs_and_holds_what_it_left(app, db, scene):
    mailing = send(app, scene.period)
    job = db.session.get(Job, mailing.job_id)
    carla = next(item for item in letters(mailing.id) if item.stakeholder_id == scene.carla.id)
    carla.status, carla.sending_started_at = LetterStatus.SENDING, feedback.utcnow()
    job.status = JobStatus.RUNNING.value
    db.session.commit()
    with app.test_request_context(), pytest.raises(DomainError):
        feedback.resume(mailing)
    db.session.rollback()
    job = db.session.get(Job, mailing.job_id)
    job.status = JobStatus.FAILED.value  # its worker died
    db.session.commit()
    with app.test_request_context():
        new = feedback.resume(db.session.get(FeedbackMailing, mailing.id))
    assert new.id != job.id
    carla = next(item for item in letters(mailing.id) if item.stakeholder_id == scene.carla.id)
    assert carla.status == LetterStatus.HELD
    assert len(outbox_files(app)) == 2  # Carla's letter was not sent again


# --- decisions ------------------------------------------------------------------------------

def test_decisions_on_a_held_letter(app, db, scene, make_user):
    mailing = send(app, scene.period)
    editor = make_user("editor")
    carla = next(item for item in letters(mailing.id) if item.stakeholder_id == scene.carla.id)
    db.session.execute(update(FeedbackLetter).where(FeedbackLetter.id == carla.id)
                       .values(status=LetterStatus.HELD))
    db.session.commit()
    carla = letters(mailing.id)[[i.id for i in letters(mailing.id)].index(carla.id)]
    with app.test_request_context():
        with pytest.raises(feedback.LetterConflict):
            feedback.decide(carla, feedback.SEND_AGAIN, expected_version=carla.version - 1,
                            actor=editor)
        feedback.decide(carla, feedback.SEND_AGAIN, expected_version=carla.version,
                        actor=editor)
        db.session.commit()
        assert carla.status == LetterStatus.QUEUED and carla.decided_by_id == editor.id
        feedback.resume(db.session.get(FeedbackMailing, mailing.id), actor=editor)
    assert sorted(message["To"] for message in messages(app)) == [
        "anna@example.nl", "carla@example.nl", "carla@example.nl"]
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "decide_letter")).one()
    assert event.changes["decision"]["new"] == "send_again"
    assert event.changes["status"] == {"old": "held", "new": "queued"}


def test_a_post_letter_is_marked_sent_by_a_person(app, db, scene, make_user):
    mailing = send(app, scene.period)
    bert = next(item for item in letters(mailing.id) if item.stakeholder_id == scene.bert.id)
    assert feedback.choices(bert) == (feedback.MARK_SENT, feedback.CANCEL)
    with app.test_request_context():
        with pytest.raises(DomainError):
            feedback.decide(bert, feedback.SEND_AGAIN)
        feedback.decide(bert, feedback.MARK_SENT, actor=make_user("editor"))
        db.session.commit()
    assert bert.status == LetterStatus.SENT and bert.sent_at is not None


# --- erasure --------------------------------------------------------------------------------

def test_erasing_a_person_clears_their_letters(app, db, scene):
    mailing = send(app, scene.period)
    with app.test_request_context():
        register.erase(scene.bert)
        register.erase(scene.anna)
        db.session.commit()
    by_person = {item.stakeholder_id: item for item in letters(mailing.id)}
    for person in (scene.anna, scene.bert):
        letter = by_person[person.id]
        assert (letter.recipient_email, letter.subject, letter.body) == (None, "", "")
    assert by_person[scene.bert.id].status == LetterStatus.CANCELLED  # never posted now
    assert by_person[scene.anna.id].status == LetterStatus.SENT  # what happened stays
    assert by_person[scene.carla.id].body  # others keep theirs
    assert traces(["Anna de Vries", "anna@example.nl", "Bert Jansen", "Dorpsstraat"],
                  text_values(db)) == []


def test_an_erased_person_gets_no_letter(app, db, scene):
    with app.test_request_context():
        register.erase(scene.bert)
        db.session.commit()
    assert scene.bert.id not in {r.stakeholder.id for r in feedback.recipients(scene.period)}


# --- pages ----------------------------------------------------------------------------------

@pytest.fixture
def english(client):
    client.set_cookie("koers_language", "en")


def test_the_feedback_page_previews_sends_and_lists_the_mailing(app, client, login_as, db,
                                                                scene, english):
    login_as("editor")
    url = f"/consultations/{scene.period.id}/feedback"
    assert f'href="{url}"' in text(client.get(f"/consultations/{scene.period.id}"))
    page = text(client.get(url))
    assert "3 participants: 2 by e-mail, 1 by post." in page
    assert "Anna de Vries" in page and "Send feedback to 3 participants" in page
    response = client.submit(url)
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "Feedback is on its way: 3 letters." in page
    assert "Nobody is waiting for feedback" in page
    mailing = db.session.scalars(select(FeedbackMailing)).one()
    assert f"/jobs/{mailing.job_id}" in page
    assert "Letters to print and post" in page and "Bert Jansen" in page
    assert "Resume mailing" not in page  # only a post letter waits: a person sends that
    assert len(outbox_files(app)) == 2
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "send_feedback")).one()
    assert event.changes["letters"]["new"] == 3
    assert client.submit(url).status_code == 400  # nothing left: said, not sent


def test_decisions_through_the_page_and_the_printable_letter(app, client, login_as, db, scene,
                                                              english):
    mailing = send(app, scene.period)
    login_as("editor")
    bert = next(item for item in letters(mailing.id) if item.stakeholder_id == scene.bert.id)
    page = text(client.get(f"/consultations/feedback/letters/{bert.id}"))
    assert "Dorpsstraat 1" in page and "7741 AA" in page
    assert "Dit zit al in het jeugdbeleid." in page
    carla = next(item for item in letters(mailing.id) if item.stakeholder_id == scene.carla.id)
    db.session.execute(update(FeedbackLetter).where(FeedbackLetter.id == carla.id)
                       .values(status=LetterStatus.HELD, error="interrupted"))
    db.session.commit()
    page = text(client.get(f"/consultations/{scene.period.id}/feedback"))
    decisions = page[page.index('id="decisions"'):page.index('id="post"')]
    assert "Carla Smit" in decisions and "Send again" in decisions
    stale = letters(mailing.id)
    carla = next(item for item in stale if item.id == carla.id)
    action = f"/consultations/feedback/letters/{carla.id}/decision"
    seen = carla.version
    response = client.submit(action, {"choice": "mark_sent", "version": str(seen)})
    assert response.status_code == 302
    assert next(item for item in letters(mailing.id) if item.id == carla.id).status == "sent"
    # A second person with the old page: the conflict page, nothing changed.
    response = client.submit(action, {"choice": "cancel", "version": str(seen)})
    assert response.status_code == 409 and "Someone else changed this letter" in text(response)
    assert next(item for item in letters(mailing.id) if item.id == carla.id).status == "sent"
    response = client.submit(action, {"choice": "explode", "version": "1"})
    assert response.status_code == 400


def test_the_outbox_lists_letters_with_their_status(app, client, login_as, db, scene, english,
                                                    count_queries):
    send(app, scene.period)
    login_as("editor")
    page = text(client.get("/consultations/feedback/outbox"))
    assert "Anna de Vries" in page and "Bert Jansen" in page and "Sent" in page
    only_waiting = text(client.get("/consultations/feedback/outbox?status=queued"))
    assert "Bert Jansen" in only_waiting and "Anna de Vries" not in only_waiting
    with count_queries() as few:
        client.get("/consultations/feedback/outbox")
    with count_queries() as page_few:
        client.get(f"/consultations/{scene.period.id}/feedback")
    with app.test_request_context():
        for number in range(20):
            person = register.create(StakeholderData(name=f"Deelnemer {number}",
                                                     email=f"d{number}@example.nl"))
            item = input_services.add_input(scene.period, InputData(
                original_text="Meer", kind="zienswijze", stakeholder_id=person.id,
                received_on=date(2017, 7, 1)))
            answers.answer([item], "Ja", "overgenomen")
        db.session.commit()
    with count_queries() as page_waiting:
        client.get(f"/consultations/{scene.period.id}/feedback")  # 20 more in the preview
    send(app, scene.period)
    with count_queries() as many:
        client.get("/consultations/feedback/outbox")
    with count_queries() as page_many:
        client.get(f"/consultations/{scene.period.id}/feedback")
    assert many.count == few.count
    # The same queries with 3 letters or 23, and one more to look up who is waiting.
    assert page_few.count == page_many.count and page_waiting.count <= page_few.count + 1


def test_viewers_see_the_page_but_cannot_send_or_open_the_outbox(app, client, login_as, scene,
                                                                  english):
    login_as("viewer")
    page = text(client.get(f"/consultations/{scene.period.id}/feedback"))
    assert "Anna de Vries" in page and "Send feedback to" not in page
    assert client.submit(f"/consultations/{scene.period.id}/feedback").status_code == 403
    assert client.get("/consultations/feedback/outbox").status_code == 403


def test_an_archived_plan_refuses_a_mailing(app, client, login_as, db, scene, english):
    scene.plan.archived = True
    db.session.commit()
    login_as("editor")
    assert client.submit(f"/consultations/{scene.period.id}/feedback").status_code == 409
    assert db.session.scalar(select(func.count()).select_from(FeedbackMailing)) == 0
