"""The consultation pages: a plan's consultations tab, a new meeting or comment period through
the form (local times stored as UTC), the computed last day with how it was computed, tables,
registrations, the iCalendar file, viewers, read-only plans and erased persons."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.consultations import services
from app.consultations.inputs import services as input_services
from app.consultations.inputs.services import InputData
from app.consultations.models import Consultation, ConsultationTable, Registration
from app.consultations.services import ConsultationData
from app.plans import services as plans
from app.plans.models import Plan
from app.plans.programme import services as programme
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def new_plan(db, title: str = "Samen Krachtig") -> Plan:
    plan = plans.create_plan(PlanData(title=title, kind="beleidsplan"))
    db.session.commit()
    return plan


def consultation_form(**values) -> dict:
    form = {"title": "Werkconferentie Samen Krachtig", "format": "werkconferentie",
            "description": "", "starts_at": "", "ends_at": "", "location": "",
            "organiser_id": "", "published_on": "", "legal_basis": ""}
    form.update(values)
    return form


def comment_period(db, plan: Plan, published_on: date) -> Consultation:
    period = services.create_consultation(plan, ConsultationData(
        title="Ontwerpbeleidsplan ter inzage", format="ter_inzage",
        published_on=published_on, legal_basis="Inspraakverordening Berkelland, art. 3"))
    db.session.commit()
    return period


def meeting(db, plan: Plan) -> Consultation:
    found = services.create_consultation(plan, ConsultationData(
        title="Werkconferentie", format="werkconferentie", location="De Schouwburg",
        starts_at=datetime(2026, 3, 23, 13, tzinfo=UTC),
        ends_at=datetime(2026, 3, 23, 16, tzinfo=UTC)))
    db.session.commit()
    return found


def test_a_work_conference_is_created_through_the_form(client, login_as, db):
    plan = new_plan(db)
    welzijn = register.create(StakeholderData(name="Welzijn Berkelland", kind="organisation"))
    db.session.commit()
    login_as("editor")

    tab = text(client.get(f"/consultations/plan/{plan.id}"))
    assert "No consultations yet." in tab and "New consultation" in tab
    form_page = client.get(f"/consultations/plan/{plan.id}/new")
    assert form_page.status_code == 200
    assert "Welzijn Berkelland" in text(form_page) and "Work conference" in text(form_page)

    response = client.submit(f"/consultations/plan/{plan.id}/new", consultation_form(
        starts_at="2026-03-23T14:00", ends_at="2026-03-23T17:30", location="De Schouwburg",
        organiser_id=str(welzijn.id), channels=["website", "social_media"]))
    assert response.status_code == 302
    created = db.session.scalars(select(Consultation)).one()
    # entered in Europe/Amsterdam (winter time, UTC+1), stored in UTC
    assert created.starts_at == datetime(2026, 3, 23, 13, tzinfo=UTC)
    assert created.ends_at == datetime(2026, 3, 23, 16, 30, tzinfo=UTC)
    assert (created.organiser_id, created.channels) == (welzijn.id, ["social_media",
                                                                      "website"])
    assert response.location.endswith(f"/consultations/{created.id}")

    page = text(client.get(response.location))
    assert "Welzijn Berkelland" in page and "De Schouwburg" in page
    assert "Add to calendar" in page and "Social media" in page
    tab = text(client.get(f"/consultations/plan/{plan.id}"))
    assert "Werkconferentie Samen Krachtig" in tab and "Work conference" in tab
    assert f"/consultations/{created.id}" in tab


def test_an_end_before_the_start_is_shown_at_its_field(client, login_as, db):
    plan = new_plan(db)
    login_as("editor")
    response = client.submit(f"/consultations/plan/{plan.id}/new", consultation_form(
        starts_at="2026-03-23T14:00", ends_at="2026-03-23T10:00"))
    assert response.status_code == 400
    page = text(response)
    assert "The meeting ends before it starts." in page
    assert 'id="ends_at-error"' in page
    assert db.session.scalars(select(Consultation)).first() is None


def test_a_comment_period_needs_its_publication_date(client, login_as, db):
    plan = new_plan(db)
    login_as("editor")
    response = client.submit(f"/consultations/plan/{plan.id}/new",
                             consultation_form(format="ter_inzage"))
    assert response.status_code == 400
    assert 'id="published_on-error"' in text(response)


def test_a_comment_period_shows_its_last_day_and_legal_basis(client, login_as, db):
    plan = new_plan(db)
    login_as("editor")
    response = client.submit(f"/consultations/plan/{plan.id}/new", consultation_form(
        title="Ontwerp ter inzage", format="ter_inzage", published_on="2017-05-31",
        legal_basis="Inspraakverordening Berkelland, art. 3"))
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "Last day for reactions" in page and "11 July 2017" in page
    assert "31 May 2017" in page and "Inspraakverordening Berkelland, art. 3" in page
    assert "The period did not need an extension." in page
    assert "Add to calendar" not in page
    created = db.session.scalars(select(Consultation)).one()
    assert client.get(f"/consultations/{created.id}.ics").status_code == 404
    tab = text(client.get(f"/consultations/plan/{plan.id}"))
    assert "31-05-2017 \u2013 11-07-2017" in tab


def test_the_extension_days_are_named(client, login_as, db):
    plan = new_plan(db)
    period = comment_period(db, plan, date(2026, 4, 3))
    login_as("viewer")
    page = text(client.get(f"/consultations/{period.id}"))
    panel = page[page.index("Last day for reactions"):]
    assert "18 May 2026" in panel and "14 May 2026" in panel
    for reason in ("Ascension Day", "made equal to a holiday by royal decree", "Saturday",
                   "Sunday"):
        assert reason in panel
    assert panel.index("Ascension Day") < panel.index("royal decree") < panel.index(
        "Saturday") < panel.index("Sunday")


def test_a_table_is_added_and_a_participant_registered(client, login_as, db):
    plan = new_plan(db)
    theme = programme.add_theme(plan, "Armoede en schulden")
    facilitator = register.create(StakeholderData(name="Welzijn Berkelland",
                                                  kind="organisation"))
    resident = register.create(StakeholderData(name="Henk de Vries"))
    db.session.commit()
    found = meeting(db, plan)
    login_as("editor")
    base = f"/consultations/{found.id}"

    page = text(client.get(base))
    assert "Add a table" in page and "Armoede en schulden" in page
    response = client.submit(f"{base}/tables", {
        "topic": "Schulden voorkomen", "facilitator_id": str(facilitator.id),
        "theme_id": str(theme.id)})
    assert response.status_code == 302
    table = db.session.scalars(select(ConsultationTable)).one()
    assert (table.facilitator_id, table.theme_id) == (facilitator.id, theme.id)
    refused = client.submit(f"{base}/tables", {"topic": " "})
    assert refused.status_code == 400 and "Enter a topic." in text(refused)

    search = text(client.get(f"{base}?q=vries"))
    assert "Henk de Vries" in search and f'value="{resident.id}"' in search
    response = client.submit(f"{base}/registrations", {
        "stakeholder_id": str(resident.id), "attended": "y", "q": "vries"})
    assert response.status_code == 302
    registration = db.session.scalars(select(Registration)).one()
    assert registration.stakeholder_id == resident.id and registration.attended
    missing = client.submit(f"{base}/registrations", {"q": "vries"})
    assert missing.status_code == 400 and "Choose a participant." in text(missing)

    page = text(client.get(base))
    tables = page[page.index('id="tables"'):page.index('id="registrations"')]
    assert "Schulden voorkomen" in tables and "Welzijn Berkelland" in tables
    assert "Armoede en schulden" in tables
    registrations = page[page.index('id="registrations"'):]
    # editors see attendance as a checkbox they can change
    assert re.search(r"Henk de Vries</a></th>\s*<td><input type=\"checkbox\" name=\"attended\" "
                     rf'value="{registration.id}" id="attended-{registration.id}" checked>',
                     registrations)


def test_the_meeting_as_an_icalendar_file(client, login_as, db):
    plan = new_plan(db)
    found = meeting(db, plan)
    login_as("viewer")
    response = client.get(f"/consultations/{found.id}.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    body = text(response)
    assert "BEGIN:VEVENT" in body and "DTSTART:20260323T130000Z" in body
    assert "DTEND:20260323T160000Z" in body and "SUMMARY:Werkconferentie" in body
    assert "LOCATION:De Schouwburg" in body and f"UID:consultation-{found.id}@" in body
    without_start = services.create_consultation(plan, ConsultationData(
        title="Later te plannen", format="bijeenkomst"))
    db.session.commit()
    assert client.get(f"/consultations/{without_start.id}.ics").status_code == 404


def test_viewers_see_no_edit_links_and_may_not_post(client, login_as, db):
    plan = new_plan(db)
    found = meeting(db, plan)
    login_as("viewer")
    tab = text(client.get(f"/consultations/plan/{plan.id}"))
    assert "Werkconferentie" in tab and "New consultation" not in tab
    page = text(client.get(f"/consultations/{found.id}"))
    assert "Add a table" not in page and "Register a participant" not in page
    assert client.get(f"/consultations/plan/{plan.id}/new").status_code == 403
    assert client.submit(f"/consultations/plan/{plan.id}/new",
                         consultation_form()).status_code == 403
    assert client.submit(f"/consultations/{found.id}/tables",
                         {"topic": "x"}).status_code == 403
    assert client.submit(f"/consultations/{found.id}/registrations",
                         {"stakeholder_id": "1"}).status_code == 403


def test_a_read_only_plan_refuses_changes(client, login_as, db):
    plan = new_plan(db)
    found = meeting(db, plan)
    plans.set_archived(plan, True)
    db.session.commit()
    login_as("editor")
    assert "New consultation" not in text(client.get(f"/consultations/plan/{plan.id}"))
    assert "Add a table" not in text(client.get(f"/consultations/{found.id}"))
    assert client.get(f"/consultations/plan/{plan.id}/new").status_code == 409
    assert client.submit(f"/consultations/{found.id}/tables",
                         {"topic": "x"}).status_code == 409


def test_an_erased_participant_shows_as_erased(client, login_as, db):
    plan = new_plan(db)
    found = meeting(db, plan)
    person = register.create(StakeholderData(name="Wilhelmina Zonderland"))
    db.session.flush()
    services.register_participant(found, person, attended=True)
    input_services.add_input(found, InputData(original_text="Meer buurtcoaches.", kind="idee",
                                              stakeholder_id=person.id))
    db.session.commit()
    register.erase(person)
    db.session.commit()
    login_as("viewer")
    page = text(client.get(f"/consultations/{found.id}"))
    assert "Erased person" in page and "Zonderland" not in page
    tab = text(client.get(f"/consultations/plan/{plan.id}"))
    assert re.search(r'<td class="numeric">1</td>', tab)


def test_plugins_fill_the_consultation_slot_with_the_consultation(client, login_as, db,
                                                                   throwaway_hooks):
    from app.plugin_api import SlotContent, hookimpl

    class Panel:
        @hookimpl
        def template_slot(self, slot, context):
            if slot == "consultation.overview":
                consultation, plan = context["consultation"], context["plan"]
                return SlotContent(lambda: f'<p class="panel">{consultation.title} '
                                           f'of {plan.title}</p>')
            return None

    throwaway_hooks(Panel(), name="panel")
    plan = new_plan(db)
    consultation = meeting(db, plan)
    db.session.commit()
    login_as("viewer")
    page = text(client.get(f"/consultations/{consultation.id}"))
    assert f"{consultation.title} of Samen Krachtig" in page


def test_a_link_may_choose_the_kind_of_consultation_in_advance(client, login_as, db):
    plan = new_plan(db)
    db.session.commit()
    login_as("editor")
    page = text(client.get(f"/consultations/plan/{plan.id}/new?format=ter_inzage"))
    assert '<option selected value="ter_inzage">' in page
    unknown = text(client.get(f"/consultations/plan/{plan.id}/new?format=bingo"))
    assert "<option selected" not in unknown.split('id="format"')[1].split("</select>")[0]
