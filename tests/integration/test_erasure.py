"""Erasing a person leaves nothing: not in any text column (the audit trail and the letters
included), not in the pages, a download's name or the organisation's privacy export, and not in
the database's own bytes — SQLite's file and write-ahead log (free space and old page versions),
or a ``pg_dump`` of PostgreSQL. What refers to the person stays, unattributed: the membership,
the input with its attachments and answers, the involvement in a plan."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from app.consultations import services
from app.consultations.feedback.models import FeedbackLetter, FeedbackMailing, LetterStatus
from app.consultations.inputs import answers, attachments
from app.consultations.inputs import services as input_services
from app.consultations.inputs.models import Attachment, Input
from app.consultations.inputs.services import InputData
from app.consultations.models import Consultation
from app.consultations.services import ConsultationData
from app.plans import services as plans
from app.plans.models import Involvement
from app.plans.programme import services as programme
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.models import Membership
from app.stakeholders.services import StakeholderData
from tests.traces import database_bytes, file_text, text_values, traces

NAME = "Ineke Dijkstra"
EMAIL = "ineke.dijkstra@example.nl"
PHONE = "0598 123 456"
ADDRESS = "Zuiderpark 12"
WEBSITE = "https://inekedijkstra.example"
SECRETS = ["Dijkstra", "Ineke", EMAIL, PHONE, ADDRESS, "inekedijkstra"]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def text(response) -> str:
    return response.get_data(as_text=True)


def _as_built_without_secure_delete(dbapi_connection: object, record: object) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA secure_delete=OFF")


@pytest.fixture(autouse=True)
def sqlite_without_secure_delete() -> Iterator[None]:
    """Some SQLite builds (Debian's) overwrite deleted content by default, others do not: every
    connection starts as the latter, so only Koers's own pragma can keep the bytes clean."""
    event.listen(Engine, "connect", _as_built_without_secure_delete, insert=True)
    yield
    event.remove(Engine, "connect", _as_built_without_secure_delete)


class Scene:
    """Ineke Dijkstra as secretary of an organisation, organiser of a comment period whose
    kennisgeving names her, sender of a letter (attached, answered) and co-signatory of
    another, involved in the plan with a note, and the recipient of a letter the mail server
    refused; her website was changed once."""

    def __init__(self, db, **person) -> None:
        self.organisation = register.create(StakeholderData(
            name="Welzijn Koersdam", kind="organisation"))
        self.person = register.create(StakeholderData(
            name=NAME, email=EMAIL, phone=PHONE, address=ADDRESS, place="Winschoten",
            website="https://example.org", notes="Belt op dinsdag", **person))
        self.neighbour = register.create(StakeholderData(name="Piet Post"))
        db.session.flush()
        register.update_stakeholder(self.person, StakeholderData(
            name=NAME, email=EMAIL, phone=PHONE, address=ADDRESS, place="Winschoten",
            website=WEBSITE, notes="Belt op dinsdag", **person))
        register.add_membership(self.person, self.organisation, function="Secretaris Dijkstra")
        self.plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
        programme.involve(self.plan, self.person, "klankbord", note="Ineke Dijkstra belt terug")
        self.period = services.create_consultation(self.plan, ConsultationData(
            title="Ontwerpbeleidsplan ter inzage", format="ter_inzage",
            published_on=date(2017, 5, 31), organiser_id=self.person.id))
        assert NAME in self.period.notice
        self.letter = input_services.add_input(self.period, InputData(
            original_text=f"Ik maak bezwaar.\nMet vriendelijke groet,\n{NAME}\n{ADDRESS}\n"
                          f"{PHONE}, {EMAIL}",
            summary="Mevrouw Dijkstra maakt bezwaar tegen de bezuiniging",
            kind="zienswijze", channel="brief", received_on=date(2017, 7, 1),
            stakeholder_id=self.person.id))
        self.signed = input_services.add_input(self.period, InputData(
            original_text="Wij willen meer bankjes. Piet Post en I. Dijkstra",
            kind="zienswijze", channel="brief", received_on=date(2017, 7, 2),
            stakeholder_id=self.neighbour.id, co_signatory_ids=[self.person.id]))
        self.scan = attachments.add_attachment(self.letter, attachments.Upload(
            data=PDF, content_type="application/pdf", original_name=f"brief {NAME}.pdf"))
        self.signatures = attachments.add_attachment(self.signed, attachments.Upload(
            data=PNG, content_type="image/png",
            original_name="handtekeningen Post en Dijkstra"))
        answers.answer([self.letter], "Geachte mevrouw Dijkstra, het plan is aangepast.",
                       "niet_overgenomen")
        mailing = FeedbackMailing(consultation_id=self.period.id)
        db.session.add(mailing)
        db.session.flush()
        db.session.add(FeedbackLetter(
            mailing_id=mailing.id, consultation_id=self.period.id,
            stakeholder_id=self.person.id, channel="email", recipient_email=EMAIL,
            subject="Wat er met uw inbreng is gedaan", body=f"Beste {NAME},",
            input_ids=[self.letter.id], status=LetterStatus.FAILED,
            error=f"refused by the mail server: {{'{EMAIL}': (550, b'unknown user')}}"))
        db.session.commit()


def pages(client, scene: Scene) -> list[str]:
    return [text(client.get(url)) for url in (
        f"/stakeholders/{scene.person.id}", f"/stakeholders/{scene.organisation.id}",
        f"/consultations/inputs/{scene.letter.id}", f"/consultations/inputs/{scene.signed.id}",
        f"/consultations/{scene.period.id}", f"/consultations/{scene.period.id}/inputs",
        f"/plans/{scene.plan.id}")]


def test_erasing_through_the_page_leaves_nothing_anywhere(app, db, client, login_as):
    scene = Scene(db)
    login_as("editor")
    before = pages(client, scene)
    assert traces([NAME, "brief Ineke Dijkstra.pdf", "Secretaris Dijkstra"], before) == \
        [NAME, "brief Ineke Dijkstra.pdf", "Secretaris Dijkstra"]  # the pages show them
    assert traces(SECRETS, database_bytes(db).splitlines()) != []  # and the scan finds them

    response = client.submit(f"/stakeholders/{scene.person.id}/erase", {"reason": "request"})
    assert response.status_code == 302, text(response)

    db.session.expire_all()
    # What refers to the person stays, without what identifies them.
    membership = db.session.scalars(select(Membership)).one()
    assert (membership.person_id, membership.function) == (scene.person.id, None)
    scan, signatures = db.session.scalars(select(Attachment).order_by(Attachment.id))
    assert scan.original_name == f"bijlage-{scan.id}.pdf"
    assert signatures.original_name == f"bijlage-{signatures.id}.png"
    letter = db.session.get(Input, scene.letter.id)
    assert letter.stakeholder_id == scene.person.id
    assert letter.original_text.startswith("Ik maak bezwaar.\nMet vriendelijke groet,\n[gewist]")
    assert "[gewist]" in db.session.get(Input, scene.signed.id).original_text
    assert "Piet Post" in db.session.get(Input, scene.signed.id).original_text
    assert db.session.scalars(select(Involvement.note)).one() is None
    assert "[gewist]" in db.session.get(Consultation, scene.period.id).notice

    shown = pages(client, scene)
    assert f"bijlage-{scan.id}.pdf" in shown[2] and f"bijlage-{signatures.id}.png" in shown[3]
    download = client.get(f"/consultations/attachments/{scan.id}")
    assert download.data == PDF
    assert f"bijlage-{scan.id}.pdf" in download.headers["Content-Disposition"]
    export = client.get(f"/stakeholders/{scene.organisation.id}/export.json")
    members = json.loads(export.data)["linked"]["stakeholder_memberships.organisation_id"]
    assert [member["person_id"] for member in members] == [scene.person.id]

    assert traces(SECRETS, text_values(db)) == [], "the database"
    assert traces(SECRETS, shown) == [], "the pages"
    assert traces(SECRETS, [download.headers["Content-Disposition"], file_text(export.data)]) \
        == [], "the download and the export"
    assert traces(SECRETS, database_bytes(db).splitlines()) == [], "the database's bytes"


def test_the_retention_command_leaves_nothing_in_the_database_bytes(app, db):
    scene = Scene(db, retention_until=date.today() - timedelta(days=1))
    assert traces(SECRETS, database_bytes(db).splitlines()) != []

    result = app.test_cli_runner().invoke(args=["privacy", "retention"])
    assert result.exit_code == 0, result.output
    assert "1 person(s) erased." in result.output

    db.session.expire_all()
    assert db.session.get(type(scene.person), scene.person.id).is_erased
    assert traces(SECRETS, text_values(db)) == [], "the database"
    assert traces(SECRETS, database_bytes(db).splitlines()) == [], "the database's bytes"


@pytest.mark.parametrize(("name", "said", "redacted"), [
    ("Jan de Vries", "Jan de Vries (x@example.nl) over het de Vries-rapport, JAN en VRIES.",
     "[gewist] ([gewist]) over het de [gewist]-rapport, [gewist] en [gewist]."),
    ("Ab Ek", "Ab Ek, en Ab", "[gewist], en Ab"),  # a short word alone is no name
    ("Ab Ek", "Geen naam", "Geen naam")])
def test_redaction_takes_the_name_its_words_and_the_address(app, db, name, said, redacted):
    person = register.create(StakeholderData(name=name, email="x@example.nl"))
    assert register.redact(said, person) == redacted
    assert register.redact(None, person) is None


def test_every_sqlite_connection_overwrites_what_it_deletes(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("a pragma of SQLite")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
