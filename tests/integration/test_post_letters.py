"""Post letters at volume: every letter still to be posted printed as one PDF (a letter per
page, the address in the envelope's window) and marked sent in one submission — all or none,
each letter audited, never one twice."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.consultations import services
from app.consultations.feedback import services as feedback
from app.consultations.feedback.models import FeedbackLetter, LetterStatus
from app.consultations.inputs import answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.services import InputData
from app.consultations.services import ConsultationData
from app.database import db as database
from app.plans import services as plans
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData

POSTED = 27


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


class Scene:
    """A comment period whose answered reactions came from 27 people without an e-mail
    address and 3 with one; a mailing made its letters."""

    def __init__(self) -> None:
        self.plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
        self.period = services.create_consultation(self.plan, ConsultationData(
            title="Ontwerpbeleidsplan ter inzage", format="ter_inzage",
            published_on=date(2017, 5, 31)))
        self.by_post = [register.create(StakeholderData(
            name=f"Bewoner {n:02d} Jansen", address=f"Dorpsstraat {n}", postcode="7741 AA",
            place="Coevorden")) for n in range(1, POSTED + 1)]
        self.by_email = [register.create(StakeholderData(
            name=f"Mailer {n} de Boer", email=f"mailer{n}@example.nl")) for n in range(3)]
        reactions = input_services.add_inputs(self.period, [
            InputData(original_text=f"Reactie van {person.name}", kind="zienswijze",
                      channel="brief", stakeholder_id=person.id, received_on=date(2017, 6, 1))
            for person in [*self.by_post, *self.by_email]])
        answers.answer(reactions, "Dank voor uw reactie; we nemen het over.", "overgenomen")
        database.session.commit()
        self.mailing = feedback.create_mailing(self.period)


@pytest.fixture
def scene(app):
    with app.test_request_context():
        return Scene()


def post_letters() -> list[FeedbackLetter]:
    database.session.expire_all()
    return list(database.session.scalars(select(FeedbackLetter).where(
        FeedbackLetter.channel == "post").order_by(FeedbackLetter.id)))


def versions_on(page: str) -> str:
    found = re.search(r'action="[^"]*/feedback/posted"[^>]*>.*?name="versions" value="([^"]*)"',
                      page, re.S)
    assert found, "the page has no form to mark all letters as sent"
    return found.group(1)


def test_all_post_letters_print_as_one_pdf_a_letter_per_page(app, client, login_as, scene):
    login_as("editor")
    page = client.get(f"/consultations/{scene.period.id}/feedback").get_data(as_text=True)
    assert "Print all letters (PDF)" in page
    response = client.get(f"/consultations/{scene.period.id}/feedback/letters.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == POSTED
    texts = [page.extract_text() for page in reader.pages]
    for person, text in zip(scene.by_post, texts, strict=True):
        assert person.name in text and person.address in text and "7741 AA" in text
        assert "Dank voor uw reactie" in text
    everything = "\n".join(texts)
    assert not any(person.name in everything for person in scene.by_email)


def test_the_address_lies_in_the_envelope_window(app, client, login_as, scene):
    login_as("editor")
    reader = PdfReader(io.BytesIO(
        client.get(f"/consultations/{scene.period.id}/feedback/letters.pdf").data))
    first = reader.pages[0]
    height = float(first.mediabox.height)
    found: list[tuple[float, float]] = []

    def visit(text, cm, tm, font, size):
        if "Bewoner 01" in text:  # the text matrix placed by the page's current matrix
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((x, height - y))

    first.extract_text(visitor_text=visit)
    assert found, "the addressee's name was not found on the first page"
    left_mm, top_mm = (value / 72 * 25.4 for value in found[0])
    assert 20 <= left_mm <= 25  # from the sheet's left edge
    assert 48 <= top_mm <= 60  # the first line, just below the window's top at 50 mm


def test_mark_all_marks_exactly_the_post_letters_and_audits_each(app, client, login_as, db,
                                                                 scene):
    login_as("editor")
    page = client.get(f"/consultations/{scene.period.id}/feedback").get_data(as_text=True)
    response = client.submit(f"/consultations/{scene.period.id}/feedback/posted",
                             {"versions": versions_on(page)})
    assert response.status_code == 302
    letters = post_letters()
    assert len(letters) == POSTED
    assert all(letter.status == LetterStatus.SENT and letter.sent_at for letter in letters)
    emails = database.session.scalars(select(FeedbackLetter).where(
        FeedbackLetter.channel == "email")).all()
    assert all(letter.status != LetterStatus.SENT or letter.decided_by_id is None
               for letter in emails)
    decided = database.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "decide_letter")).all()
    assert sorted(int(event.entity_id) for event in decided) == [
        letter.id for letter in letters]
    assert all(event.changes["decision"]["new"] == "mark_sent" for event in decided)
    page = client.get(f"/consultations/{scene.period.id}/feedback").get_data(as_text=True)
    assert "No letters are waiting to be posted." in page
    # The same form once more: every letter moved on, so nothing is marked twice.
    again = client.submit(f"/consultations/{scene.period.id}/feedback/posted",
                          {"versions": " ".join(f"{letter.id}:{letter.version - 1}"
                                                for letter in letters)})
    assert again.status_code == 409
    assert len(database.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "decide_letter")).all()) == POSTED


def test_a_stale_form_is_a_conflict_and_marks_nothing(app, client, login_as, db, scene):
    login_as("editor")
    page = client.get(f"/consultations/{scene.period.id}/feedback").get_data(as_text=True)
    versions = versions_on(page)
    letters = post_letters()
    with app.test_request_context():
        feedback.decide(letters[5], feedback.CANCEL)  # a colleague cancels one meanwhile
        database.session.commit()
    response = client.submit(f"/consultations/{scene.period.id}/feedback/posted",
                             {"versions": versions})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "Someone else changed these letters" in text and scene.by_post[5].name in text
    assert [letter.status for letter in post_letters()].count(LetterStatus.QUEUED) == POSTED - 1
    assert not database.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "decide_letter", AuditEvent.actor_id.is_not(None))).all()


def test_an_email_letter_or_another_consultations_letter_is_refused(app, client, login_as, db,
                                                                    scene):
    login_as("editor")
    email = database.session.scalars(select(FeedbackLetter).where(
        FeedbackLetter.channel == "email")).first()
    response = client.submit(f"/consultations/{scene.period.id}/feedback/posted",
                             {"versions": f"{email.id}:{email.version}"})
    assert response.status_code == 400
    database.session.expire_all()
    assert email.decided_by_id is None
    assert not any(letter.status == LetterStatus.SENT for letter in post_letters())


def test_viewers_may_not_print_or_mark(app, client, login_as, scene):
    login_as("viewer")
    assert client.get(f"/consultations/{scene.period.id}/feedback/letters.pdf"
                      ).status_code == 403
    assert client.submit(f"/consultations/{scene.period.id}/feedback/posted",
                         {"versions": ""}).status_code == 403


def test_nothing_to_post_sends_back_to_the_page(app, client, login_as, db, scene):
    login_as("editor")
    page = client.get(f"/consultations/{scene.period.id}/feedback").get_data(as_text=True)
    client.submit(f"/consultations/{scene.period.id}/feedback/posted",
                  {"versions": versions_on(page)})
    response = client.get(f"/consultations/{scene.period.id}/feedback/letters.pdf")
    assert response.status_code == 302
