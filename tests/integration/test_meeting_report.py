"""The meeting report (verslag) of a werkconferentie: date, place, who came (organisations
named, private persons only counted), per table its theme, facilitator and input by kind with
what was done with each and a count per outcome — as a page, a PDF, a DOCX and standalone
HTML, never naming a private person; bounded queries; and each attendee's table, ticked in
the attendance list."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from docx import Document
from flask_babel import force_locale
from pypdf import PdfReader
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.consultations import services
from app.consultations.inputs import answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.services import InputData
from app.consultations.inputs.tracing import ProcessData
from app.consultations.meetings import render
from app.consultations.meetings.report import collect
from app.consultations.models import Registration
from app.consultations.services import ConsultationData
from app.database import db as database
from app.plans import services as plans
from app.plans.programme import services as programme
from app.plans.programme.services import ActionData
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData

PRIVATE = ("Petra Privé", "petra.prive@example.nl", "Henk Zonder", "Frank Facilitator",
           "frank@example.nl")


class Werkconferentie:
    """A werkconferentie with two tables: post-its taken into a section, an action and a
    theme's goals, one not used with a reason, one still open; attendees of both kinds."""

    def __init__(self) -> None:
        self.plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
        self.section = plans.add_section(self.plan, "Hoofdstuk Meedoen")
        self.theme = programme.add_theme(self.plan, "Wonen")
        self.action = programme.add_action(self.plan, ActionData(title="Buurtbus"))
        person = {"kind": "person"}
        self.stichting = register.create(StakeholderData(
            name="Stichting Welzijn Oost", kind="organisation", email="info@welzijn.example"))
        self.buurtwerk = register.create(StakeholderData(name="Buurtwerk Noord",
                                                         kind="organisation"))
        self.petra = register.create(StakeholderData(name="Petra Privé",
                                                     email="petra.prive@example.nl", **person))
        self.henk = register.create(StakeholderData(
            name="Henk Zonder", address="Dorpsstraat 1", postcode="9679 AA", place="Scheemda",
            **person))
        self.frank = register.create(StakeholderData(name="Frank Facilitator",
                                                     email="frank@example.nl", **person))
        self.absent = register.create(StakeholderData(name="Nina Niet", email="nina@example.nl",
                                                      **person))
        self.meeting = services.create_consultation(self.plan, ConsultationData(
            title="Werkconferentie Meedoen", format="werkconferentie",
            starts_at=datetime(2026, 11, 12, 18, 0, tzinfo=UTC),
            ends_at=datetime(2026, 11, 12, 21, 0, tzinfo=UTC),
            location="Dorpshuis De Wieken"))
        self.housing = services.add_table(self.meeting, "Wonen en zorg", theme=self.theme,
                                          facilitator=self.frank)
        self.transport = services.add_table(self.meeting, "Vervoer", facilitator=self.buurtwerk)
        at_housing = input_services.add_inputs(self.meeting, [
            InputData(original_text="Meer woningen voor ouderen", kind="idee",
                      table_id=self.housing.id, stakeholder_id=self.petra.id),
            InputData(original_text="Eenzaamheid in de wijk", kind="zorg",
                      table_id=self.housing.id),
            InputData(original_text="Tiny houses bij het dorpshuis", kind="idee",
                      table_id=self.housing.id, stakeholder_id=self.stichting.id)])
        at_transport = input_services.add_inputs(self.meeting, [
            InputData(original_text="Buurtbus ook op zaterdag", kind="idee",
                      table_id=self.transport.id),
            InputData(original_text="Hoe vaak rijdt de bus?", kind="vraag",
                      table_id=self.transport.id)])
        self.inputs = [*at_housing, *at_transport]
        answers.mark_processed([at_housing[0]], True, processing=ProcessData(
            True, "section", self.section.id))
        answers.mark_processed([at_housing[1]], True, processing=ProcessData(
            True, "goals", self.theme.id))
        answers.mark_processed([at_housing[2]], False, processing=ProcessData(
            False, reason="Geen ruimte bij het dorpshuis"))
        answers.mark_processed([at_transport[0]], True, processing=ProcessData(
            True, "action", self.action.id))
        seats = {self.stichting: self.transport, self.petra: self.housing, self.henk: None}
        for person, table in seats.items():
            registration = services.register_participant(self.meeting, person, attended=True)
            registration.table_id = table.id if table else None
        services.register_participant(self.meeting, self.absent)
        database.session.commit()


@pytest.fixture
def scene(app):
    with app.test_request_context():
        return Werkconferentie()


@pytest.fixture
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split())
                    for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [paragraph.text for paragraph in section.header.paragraphs]
        parts += [paragraph.text for paragraph in section.footer.paragraphs]
    return "\n".join(parts)


# --- the content ----------------------------------------------------------------------------

def test_each_table_shows_its_input_by_kind_with_what_was_done_and_counts(app, scene):
    with app.test_request_context(), force_locale("en"):
        report = collect(scene.meeting, scene.plan)
    housing, transport = report.tables
    assert (housing.topic, housing.theme, housing.facilitator) == ("Wonen en zorg", "Wonen",
                                                                   None)  # a person: unnamed
    assert (transport.topic, transport.theme, transport.facilitator) == (
        "Vervoer", None, "Buurtwerk Noord")
    assert [(group.label, [item.number for item in group.items])
            for group in housing.kinds] == [("Idea", [1, 3]), ("Concern", [2])]
    done = {item.text: item.done for table in report.tables for item in table.items}
    assert done == {
        "Meer woningen voor ouderen": "Taken into section “Hoofdstuk Meedoen”",
        "Eenzaamheid in de wijk": "Taken into the goals of “Wonen”",
        "Tiny houses bij het dorpshuis": "Not used: Geen ruimte bij het dorpshuis",
        "Buurtbus ook op zaterdag": "Taken into action “Buurtbus”",
        "Hoe vaak rijdt de bus?": "Not yet processed"}
    assert [item.who for item in housing.items] == [None, "Stichting Welzijn Oost", None]
    assert housing.counts == (("Taken into the plan", 2), ("Not used", 1)) and \
        housing.total == 3
    assert transport.counts == (("Taken into the plan", 1), ("Not yet processed", 1))
    assert report.total == 5
    # who came: the organisation by name, the two persons only counted; the absent not at all
    assert report.organisations == ("Stichting Welzijn Oost",)
    assert (report.attendees, report.private_attendees) == (3, 2)
    assert report.place == "Dorpshuis De Wieken" and report.held_on.isoformat() == "2026-11-12"


def test_an_answered_post_it_shows_its_decision(app, scene):
    with app.test_request_context(), force_locale("en"):
        answers.answer([scene.inputs[4]], "Elk uur.", "al_voorzien")
        database.session.commit()
        report = collect(scene.meeting, scene.plan)
    item = report.tables[1].items[-1]
    assert item.outcome == "answered" and item.done.startswith("Answered: ")


def test_input_at_no_table_comes_last_and_an_empty_table_says_so(app, scene):
    with app.test_request_context(), force_locale("en"):
        services.add_table(scene.meeting, "Lege tafel")
        input_services.add_inputs(scene.meeting, [
            InputData(original_text="Los briefje bij de uitgang", kind="advies")])
        database.session.commit()
        report = collect(scene.meeting, scene.plan)
        document = render.html(report).decode()
        pdf, docx = pdf_text(render.pdf(report)), docx_text(render.docx(report))
    assert [(table.topic, table.total) for table in report.tables] == [
        ("Wonen en zorg", 3), ("Vervoer", 2), ("Lege tafel", 0), ("Not at a table", 1)]
    assert report.tables[-1].items[0].text == "Los briefje bij de uitgang"
    for shown in (document, pdf, docx):
        assert "No input was recorded at this table." in shown
        assert "Los briefje bij de uitgang" in shown


def test_the_page_shows_the_report_with_downloads(client, login_as, scene, english):
    login_as("viewer")
    page = text(client.get(f"/consultations/{scene.meeting.id}/report"))
    assert "Meeting report" in page and "Dorpshuis De Wieken" in page
    assert "3, of whom 1 organisations and 2 private persons" in page
    for shown in ("Table: Wonen en zorg", "Table: Vervoer", "Buurtwerk Noord",
                  "Taken into section “Hoofdstuk Meedoen”", "Taken into action “Buurtbus”",
                  "Not used: Geen ruimte bij het dorpshuis", "Not yet processed"):
        assert shown in page, shown
    for file_format in ("pdf", "docx", "html"):
        assert f"/consultations/{scene.meeting.id}/report.{file_format}" in page
    show = text(client.get(f"/consultations/{scene.meeting.id}"))
    assert f"/consultations/{scene.meeting.id}/report" in show
    assert f"/consultations/{scene.meeting.id}/meeting-feedback" in show


@pytest.mark.parametrize("file_format", ["page", "pdf", "docx", "html"])
def test_no_private_person_is_named_in_any_format(client, login_as, scene, english,
                                                  file_format):
    login_as("viewer")
    if file_format == "page":
        shown = text(client.get(f"/consultations/{scene.meeting.id}/report"))
    else:
        response = client.get(f"/consultations/{scene.meeting.id}/report.{file_format}")
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
        shown = {"pdf": pdf_text, "docx": docx_text,
                 "html": lambda data: data.decode()}[file_format](response.data)
    assert "Stichting Welzijn Oost" in shown and "Buurtbus ook op zaterdag" in shown
    for private in PRIVATE:
        assert private not in shown, (file_format, private)


def test_the_formats_carry_the_house_style(app, scene):
    with app.test_request_context():
        report = collect(scene.meeting, scene.plan)
        document = render.html(report).decode()
        pdf, docx = render.pdf(report), render.docx(report)
    municipality = app.config["KOERS_MUNICIPALITY"].name
    assert municipality in document and "<style>" in document and "<script" not in document
    assert municipality in pdf_text(pdf)
    assert municipality in docx_text(docx)
    assert PdfReader(io.BytesIO(pdf)).metadata.title.startswith(report.labels["title"])


def test_the_html_download_allows_its_own_style_only(client, login_as, scene):
    login_as("viewer")
    response = client.get(f"/consultations/{scene.meeting.id}/report.html")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "style-src 'sha256-" in policy


def test_a_comment_period_and_an_unknown_format_have_no_report(client, login_as, scene,
                                                               period):
    login_as("viewer")
    assert client.get(f"/consultations/{period.id}/report").status_code == 404
    assert client.get(f"/consultations/{period.id}/report.pdf").status_code == 404
    assert client.get(f"/consultations/{scene.meeting.id}/report.exe").status_code == 404


def test_the_page_costs_the_same_queries_for_few_and_many_post_its(
        client, login_as, scene, count_queries, app):
    login_as("viewer")
    url = f"/consultations/{scene.meeting.id}/report"
    client.get(url)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    with app.test_request_context():
        table = services.add_table(scene.meeting, "Extra tafel", theme=scene.theme)
        added = input_services.add_inputs(scene.meeting, [
            InputData(original_text=f"Post-it {n}", kind=("idee", "zorg", "advies")[n % 3],
                      table_id=table.id, stakeholder_id=scene.stichting.id)
            for n in range(40)])
        answers.mark_processed(added[:10], True, processing=ProcessData(
            True, "action", scene.action.id))
        answers.mark_processed(added[10:20], False)
        for number in range(10):
            person = register.create(StakeholderData(name=f"Bewoner {number}"))
            services.register_participant(scene.meeting, person, attended=True)
        database.session.commit()
    with count_queries() as many:
        assert client.get(url).status_code == 200
    assert many.count == few.count, (few.statements, many.statements)
    assert few.count <= 12


# --- the attendee's table --------------------------------------------------------------------

def versions_on(page: str) -> str:
    return re.search(r'name="versions" value="([^"]*)"', page).group(1)


def registrations(meeting) -> dict[int, Registration]:
    database.session.expire_all()
    return {item.stakeholder_id: item for item in database.session.scalars(
        select(Registration).where(Registration.consultation_id == meeting.id))}


def test_the_tick_list_gives_each_attendee_a_table(client, login_as, scene, english):
    login_as("editor")
    before = registrations(scene.meeting)
    page = text(client.get(f"/consultations/{scene.meeting.id}"))
    henk, petra = before[scene.henk.id], before[scene.petra.id]
    absent = before[scene.absent.id]
    assert f'name="table-{henk.id}"' in page and "Table of Henk Zonder" in page
    response = client.submit(f"/consultations/{scene.meeting.id}/attendance", {
        "versions": versions_on(page),
        "attended": [str(item.id) for item in before.values()],  # Nina came after all
        f"table-{henk.id}": str(scene.transport.id), f"table-{petra.id}": "",
        f"table-{absent.id}": str(scene.housing.id),
        f"table-{before[scene.stichting.id].id}": str(scene.transport.id)})
    assert response.status_code == 302
    after = registrations(scene.meeting)
    assert after[scene.henk.id].table_id == scene.transport.id
    assert after[scene.petra.id].table_id is None
    assert (after[scene.absent.id].attended, after[scene.absent.id].table_id) == (
        True, scene.housing.id)
    assert after[scene.stichting.id].table_id == scene.transport.id  # unchanged
    event = database.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "attendance").order_by(AuditEvent.id.desc())).first()
    assert str(event.changes["table"]["new"]) == str(sorted(
        [scene.henk.id, scene.petra.id, scene.absent.id]))
    page = text(client.get(f"/consultations/{scene.meeting.id}"))
    assert re.search(rf'name="table-{henk.id}".*?<option value="{scene.transport.id}" '
                     r'selected>Vervoer</option>', page, re.S)


def test_a_table_of_another_meeting_is_refused_and_nothing_saved(client, login_as, scene, app):
    with app.test_request_context():
        other = services.create_consultation(scene.plan, ConsultationData(
            title="Andere bijeenkomst", format="bijeenkomst"))
        foreign = services.add_table(other, "Elders")
        database.session.commit()
    login_as("editor")
    page = text(client.get(f"/consultations/{scene.meeting.id}"))
    henk = registrations(scene.meeting)[scene.henk.id]
    response = client.submit(f"/consultations/{scene.meeting.id}/attendance", {
        "versions": versions_on(page), "attended": [], f"table-{henk.id}": str(foreign.id)})
    assert response.status_code == 400
    after = registrations(scene.meeting)
    assert after[scene.henk.id].table_id is None and after[scene.henk.id].attended


def test_a_viewer_sees_the_tables_but_cannot_change_them(client, login_as, scene, english):
    login_as("viewer")
    page = text(client.get(f"/consultations/{scene.meeting.id}"))
    assert 'name="table-' not in page and "Vervoer" in page
    response = client.submit(f"/consultations/{scene.meeting.id}/attendance", {})
    assert response.status_code == 403



def test_removing_a_table_unseats_its_attendees_and_a_meeting_can_still_be_deleted(app, db):
    with app.test_request_context():
        plan = plans.create_plan(PlanData(title="Plan", kind="beleidsplan"))
        meeting = services.create_consultation(plan, ConsultationData(
            title="Ontbijtsessie", format="ontbijtsessie"))
        first, second = services.add_table(meeting, "Eén"), services.add_table(meeting, "Twee")
        for name, table in (("Ans", first), ("Bas", second)):
            registration = services.register_participant(
                meeting, register.create(StakeholderData(name=name)), attended=True)
            registration.table_id = table.id
        db.session.commit()
        services.remove_table(first)
        db.session.commit()
        seats = sorted(db.session.scalars(select(Registration.table_id).where(
            Registration.consultation_id == meeting.id)), key=str)
        assert seats == [second.id, None]
        assert services.delete_or_archive(meeting) is True  # its seated attendees go with it
        db.session.commit()
        assert db.session.scalar(select(Registration.id).limit(1)) is None
