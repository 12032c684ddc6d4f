"""Feedback to a meeting's attendees: each attendee one letter with what their table
contributed and what was done with it (an attendee without a table: the whole meeting's
summary), private persons unnamed, by e-mail or on paper; sent once, never twice; previewed
first; audited; and never mixed up with the feedback on inputs."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.consultations import services
from app.consultations.feedback import meeting as meeting_feedback
from app.consultations.feedback import services as feedback
from app.consultations.feedback.models import FeedbackLetter, FeedbackMailing, LetterStatus
from app.database import db as database
from app.errors import DomainError, ReadOnly
from app.plans import services as plans
from tests.integration.test_meeting_report import Werkconferentie


@pytest.fixture
def scene(app):
    with app.test_request_context():
        return Werkconferentie()


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def letters(kind: str | None = None) -> list[FeedbackLetter]:
    database.session.expire_all()
    query = select(FeedbackLetter).join(
        FeedbackMailing, FeedbackMailing.id == FeedbackLetter.mailing_id)
    if kind is not None:
        query = query.where(FeedbackMailing.kind == kind)
    return list(database.session.scalars(query.order_by(FeedbackLetter.id)))


def outbox(app) -> int:
    folder = app.config["KOERS_MAIL"].outbox_dir
    return len(list(folder.glob("*.eml"))) if folder.exists() else 0


def send(client, scene):
    return client.submit(f"/consultations/{scene.meeting.id}/meeting-feedback")


def test_each_attendee_is_told_what_their_table_contributed(client, login_as, app, scene):
    login_as("editor")
    response = send(client, scene)
    assert response.status_code == 302
    assert response.location.endswith(f"/consultations/{scene.meeting.id}/meeting-feedback"
                                      "#mailings")
    by_person = {letter.stakeholder_id: letter for letter in letters("meeting")}
    # attendees only: Nina registered but did not come
    assert set(by_person) == {scene.stichting.id, scene.petra.id, scene.henk.id}
    petra, stichting, henk = (by_person[scene.petra.id], by_person[scene.stichting.id],
                              by_person[scene.henk.id])
    # Petra's table: its three post-its and what was done with each
    assert "Wonen en zorg" in petra.body and "Hoofdstuk Meedoen" in petra.body
    assert "Meer woningen voor ouderen" in petra.body and "Wonen" in petra.body
    assert "Geen ruimte bij het dorpshuis" in petra.body
    assert "Buurtbus ook op zaterdag" not in petra.body  # another table's
    assert sorted(petra.input_ids) == [item.id for item in scene.inputs[:3]]
    # the organisation's table: the bus, the action it went into, the open question
    assert "Buurtbus ook op zaterdag" in stichting.body and "Hoe vaak rijdt de bus?" in \
        stichting.body
    assert "Meer woningen voor ouderen" not in stichting.body
    # no table: the whole meeting, table by table, no post-its
    assert "Wonen en zorg" in henk.body and "Vervoer" in henk.body
    assert "Meer woningen voor ouderen" not in henk.body and henk.input_ids == []
    # private persons are named in no one else's letter
    for letter in (stichting, henk):
        assert "Petra" not in letter.body and "Frank" not in letter.body
    assert "Henk" not in petra.body and "Petra" not in stichting.body
    assert "Stichting Welzijn Oost" in petra.body  # an organisation's post-it: named
    # by e-mail with an address (sent by the job), on paper without one
    assert (petra.channel, petra.status) == ("email", LetterStatus.SENT)
    assert (henk.channel, henk.status) == ("post", LetterStatus.QUEUED)
    assert outbox(app) == 2
    event = database.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "send_meeting_feedback")).one()
    assert event.changes["letters"]["new"] == 3


def test_feedback_is_sent_once_never_twice(client, login_as, app, scene):
    login_as("editor")
    assert send(client, scene).status_code == 302
    again = send(client, scene)
    assert again.status_code == 400
    assert "already been sent" in text(again)
    assert len(letters("meeting")) == 3 and outbox(app) == 2
    page = text(client.get(f"/consultations/{scene.meeting.id}/meeting-feedback"))
    assert "Already sent to 3 attendees" in page
    assert "Send feedback to" not in page
    with app.test_request_context(), pytest.raises(DomainError,
                                                   match=r"already been sent|al verstuurd"):
        meeting_feedback.create_mailing(scene.meeting)
    database.session.rollback()
    assert database.session.scalar(select(func.count()).select_from(FeedbackMailing)) == 1


def test_a_late_attendee_gets_a_letter_and_nobody_else_a_second(client, login_as, app, scene):
    login_as("editor")
    send(client, scene)
    with app.test_request_context():
        services.register_participant(scene.meeting, scene.absent, attended=True)
        database.session.commit()
    assert send(client, scene).status_code == 302
    assert [letter.stakeholder_id for letter in letters("meeting")][-1] == scene.absent.id
    assert len(letters("meeting")) == 4


def test_the_preview_lists_attendees_with_their_table_and_a_letter(client, login_as, scene):
    login_as("viewer")
    page = text(client.get(f"/consultations/{scene.meeting.id}/meeting-feedback"))
    assert "3 attendees: 2 by e-mail, 1 by post." in page
    assert "No table: the whole meeting" in page and "Vervoer" in page
    assert "Preview: the letter to Henk Zonder" in page  # the first by name
    assert "Nina Niet" not in page
    assert "Send feedback to" not in page  # a viewer sends nothing
    assert send(client, scene).status_code == 403
    assert letters() == []


def test_nobody_attended_is_refused(client, login_as, app, meeting):
    login_as("editor")
    response = client.submit(f"/consultations/{meeting.id}/meeting-feedback")
    assert response.status_code == 400 and "Nobody attended yet" in text(response)


def test_a_comment_period_has_no_attendee_feedback(client, login_as, period):
    login_as("editor")
    assert client.get(f"/consultations/{period.id}/meeting-feedback").status_code == 404
    assert client.submit(f"/consultations/{period.id}/meeting-feedback").status_code == 404


# --- the kinds never count each other -------------------------------------------------------

def test_meeting_letters_do_not_tell_about_inputs_and_the_other_way_round(client, login_as,
                                                                          app, scene):
    with app.test_request_context():
        waiting_before = {r.stakeholder.id: [i.input_id for i in r.items]
                          for r in feedback.recipients(scene.meeting)}
    # Petra's own post-it (processed) and the organisation's wait for feedback on inputs
    assert waiting_before == {scene.petra.id: [scene.inputs[0].id],
                              scene.stichting.id: [scene.inputs[2].id]}
    login_as("editor")
    send(client, scene)  # the meeting letters name those inputs too
    with app.test_request_context():
        assert {r.stakeholder.id: [i.input_id for i in r.items]
                for r in feedback.recipients(scene.meeting)} == waiting_before
    page = text(client.get(f"/consultations/{scene.meeting.id}/feedback"))
    assert "No feedback has been sent yet." in page  # the meeting mailing is not listed
    assert "Henk Zonder" not in page  # nor its post letter
    # the feedback on inputs goes out, and the attendees are still told once by meeting
    assert client.submit(f"/consultations/{scene.meeting.id}/feedback").status_code == 302
    assert len(letters("inputs")) == 2 and len(letters("meeting")) == 3
    with app.test_request_context():
        assert feedback.recipients(scene.meeting) == []
        assert meeting_feedback.waiting(scene.meeting) == []


def test_inputs_letters_do_not_count_as_meeting_feedback(client, login_as, app, scene):
    login_as("editor")
    assert client.submit(f"/consultations/{scene.meeting.id}/feedback").status_code == 302
    with app.test_request_context():
        assert {a.stakeholder.id for a in meeting_feedback.waiting(scene.meeting)} == {
            scene.stichting.id, scene.petra.id, scene.henk.id}
    page = text(client.get(f"/consultations/{scene.meeting.id}/meeting-feedback"))
    assert "No feedback has been sent yet." in page
    assert send(client, scene).status_code == 302
    assert len(letters("meeting")) == 3


def test_the_meeting_post_letters_are_printed_and_marked_on_their_page(client, login_as,
                                                                       scene):
    login_as("editor")
    send(client, scene)
    page = text(client.get(f"/consultations/{scene.meeting.id}/meeting-feedback"))
    assert "Letters to print and post" in page and "Henk Zonder" in page
    printed = client.get(f"/consultations/{scene.meeting.id}/feedback/letters.pdf"
                         "?kind=meeting")
    assert printed.status_code == 200 and printed.data.startswith(b"%PDF")
    inputs_print = client.get(f"/consultations/{scene.meeting.id}/feedback/letters.pdf")
    assert inputs_print.status_code == 302  # no inputs post letters
    henk = next(letter for letter in letters("meeting") if letter.stakeholder_id ==
                scene.henk.id)
    response = client.submit(
        f"/consultations/{scene.meeting.id}/feedback/posted?kind=meeting",
        {"versions": f"{henk.id}:{henk.version}"})
    assert response.status_code == 302 and "meeting-feedback" in response.location
    assert next(letter for letter in letters("meeting")
                if letter.id == henk.id).status == LetterStatus.SENT


def test_an_archived_plan_sends_no_attendee_feedback(app, client, login_as, scene):
    with app.test_request_context():
        plans.set_archived(scene.plan, True)
        database.session.commit()
        with pytest.raises(ReadOnly):
            meeting_feedback.create_mailing(scene.meeting)
        database.session.rollback()
    login_as("editor")
    assert send(client, scene).status_code == 409
    assert letters() == []
