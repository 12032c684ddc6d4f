"""The forms of the plan programme and the consultations choose stakeholders with the register's
picker: a choice beyond the first page is accepted and kept, an erased or unknown one is
refused beside its field, and a record's own choice stays when the record is edited."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.consultations import services as consultations
from app.consultations.inputs import services as inputs
from app.consultations.inputs.models import CoSignatory, Input
from app.consultations.models import ConsultationTable, Registration
from app.consultations.services import ConsultationData
from app.plans import services as plans
from app.plans.models import Action, Involvement
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def person(name: str):
    return register.create(StakeholderData(name=name))


def organisation(name: str):
    return register.create(StakeholderData(name=name, kind="organisation"))


def erased(name: str):
    found = person(name)
    register.erase(found)
    return found


@pytest.fixture
def plan(app, db):
    created = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    db.session.commit()
    return created


@pytest.fixture
def meeting(db, plan):
    created = consultations.create_consultation(plan, ConsultationData(
        title="Werkconferentie", format="werkconferentie",
        starts_at=datetime(2026, 3, 23, 13, tzinfo=UTC)))
    db.session.commit()
    return created


@pytest.fixture
def period(db, plan):
    created = consultations.create_consultation(plan, ConsultationData(
        title="Ter inzage", format="ter_inzage", published_on=date(2017, 5, 31)))
    db.session.commit()
    return created


# --- the plan programme ---------------------------------------------------------------------

def action_form(**values) -> dict:
    return {"title": "Buurtcoaches", "theme_id": "", "goal_id": "", "description": "",
            "trekker_id": "", "budget": "", "start_date": "", "end_date": "",
            "status": "planned", "progress": "0", **values}


def test_a_trekker_beyond_the_offered_list_is_accepted(client, login_as, db, plan):
    for n in range(200):
        person(f"Aa {n:03d}")
    late = person("Zwaantje Zijlstra")  # last by name: not among the first 200 offered
    db.session.commit()
    login_as("editor")
    page = text(client.get(f"/plans/{plan.id}/actions/new"))
    assert "Zwaantje Zijlstra" not in page and "Only the first 200 are shown" in page
    response = client.submit(f"/plans/{plan.id}/actions/new",
                             action_form(trekker_id=str(late.id)))
    assert response.status_code == 302, text(response)[:2000]
    assert db.session.scalar(select(Action.trekker_id)) == late.id


def test_an_erased_trekker_is_refused_beside_its_field(client, login_as, db, plan):
    gone = erased("Anna de Vries")
    db.session.commit()
    login_as("editor")
    response = client.submit(f"/plans/{plan.id}/actions/new",
                             action_form(trekker_id=str(gone.id)))
    assert response.status_code == 400
    page = text(response)
    assert 'id="trekker_id-error"' in page and "Choose a trekker from the register." in page


def test_involving_refuses_an_erased_stakeholder_on_a_long_list(client, login_as, db, plan):
    for n in range(21):
        organisation(f"Stichting {n:02d}")
    gone = erased("Anna de Vries")
    db.session.commit()
    login_as("editor")
    response = client.submit(f"/plans/{plan.id}/involvement/new",
                             {"stakeholder_id": str(gone.id), "role": "klankbord"})
    assert response.status_code == 400
    page = text(response)
    assert "Choose a stakeholder from the list." in page
    assert "Only the first 20 are shown" in page and "Anna" not in page
    assert db.session.scalar(select(Involvement.id)) is None


# --- consultations --------------------------------------------------------------------------

def test_an_archived_facilitator_is_refused_but_a_tables_own_stays(client, login_as, db,
                                                                    meeting):
    coach = organisation("Welzijn Berkelland")
    table = consultations.add_table(meeting, "Schulden", facilitator=coach)
    register.set_archived(coach, True)
    db.session.commit()
    login_as("editor")

    refused = client.submit(f"/consultations/{meeting.id}/tables", {
        "topic": "Wonen", "facilitator_id": str(coach.id)})
    assert refused.status_code == 400
    assert "Choose a facilitator from the list." in text(refused)

    form = text(client.get(f"/consultations/tables/{table.id}/edit"))
    assert re.search(rf'<option value="{coach.id}" selected>Welzijn Berkelland</option>', form)
    response = client.submit(f"/consultations/tables/{table.id}/edit", {
        "topic": "Schulden voorkomen", "facilitator_id": str(coach.id), "theme_id": "",
        "version": str(table.version)})
    assert response.status_code == 302, text(response)[:2000]
    db.session.expire_all()
    saved = db.session.get(ConsultationTable, table.id)
    assert (saved.topic, saved.facilitator_id) == ("Schulden voorkomen", coach.id)


def test_editing_keeps_an_organiser_that_is_a_person(client, login_as, db, plan):
    organiser = person("Ineke Dijkstra")  # set by a service; the form offers organisations
    found = consultations.create_consultation(plan, ConsultationData(
        title="Werkconferentie", format="werkconferentie", organiser_id=organiser.id))
    db.session.commit()
    login_as("editor")
    form = text(client.get(f"/consultations/{found.id}/edit"))
    assert f'<option value="{organiser.id}" selected>Ineke Dijkstra</option>' in form
    response = client.submit(f"/consultations/{found.id}/edit", {
        "title": "Werkconferentie Samen Krachtig", "description": "", "starts_at": "",
        "ends_at": "", "location": "", "organiser_id": str(organiser.id),
        "published_on": "", "legal_basis": "", "version": str(found.version)})
    assert response.status_code == 302, text(response)[:2000]
    db.session.refresh(found)
    assert (found.title, found.organiser_id) == ("Werkconferentie Samen Krachtig",
                                                  organiser.id)


def test_registering_an_erased_person_is_refused(client, login_as, db, meeting):
    gone = erased("Anna de Vries")
    db.session.commit()
    login_as("editor")
    response = client.submit(f"/consultations/{meeting.id}/registrations",
                             {"stakeholder_id": str(gone.id)})
    assert response.status_code == 400
    assert "Choose a participant from the list." in text(response)
    assert db.session.scalar(select(Registration.id)) is None


def reaction(**values) -> dict:
    return {"original_text": "Ik maak bezwaar.", "summary": "", "kind": "zienswijze",
            "channel": "brief", "stakeholder_id": "", "participant_group": "",
            "received_on": "2017-06-01", "postmarked_on": "", **values}


def test_a_new_input_keeps_its_choices_and_refuses_an_erased_co_signatory(
        client, login_as, db, period):
    sender = organisation("Stichting Welzijn Oost")
    signer = person("Piet Post")
    gone = erased("Anna de Vries")
    db.session.commit()
    login_as("editor")
    url = f"/consultations/{period.id}/inputs/new"

    page = text(client.get(url))
    assert "Stichting Welzijn Oost" not in page  # nothing is offered before a search
    response = client.submit(url, reaction(stakeholder_id=str(sender.id),
                                           co_signatory_ids=[str(signer.id), str(gone.id)]))
    assert response.status_code == 400
    page = text(response)
    assert "Choose co-signatories from the list." in page
    # what was chosen is offered again, chosen, without a search
    assert re.search(rf'value="{sender.id}" checked>\s*<label[^>]*>Stichting Welzijn Oost', page)
    assert re.search(rf'value="{signer.id}" checked>\s*<label[^>]*>Piet Post', page)

    response = client.submit(url, reaction(stakeholder_id=str(sender.id),
                                           co_signatory_ids=[str(signer.id)]))
    assert response.status_code == 302, text(response)[:2000]
    item = db.session.scalars(select(Input)).one()
    assert item.stakeholder_id == sender.id
    assert db.session.scalars(select(CoSignatory.stakeholder_id)).all() == [signer.id]


def test_editing_an_input_keeps_a_co_signatory_erased_since(client, login_as, db, period):
    signer = person("Anna de Vries")
    item = inputs.add_input(period, inputs.InputData(
        original_text="Wij willen meer bankjes.", kind="zienswijze", channel="brief",
        received_on=date(2017, 6, 1), co_signatory_ids=[signer.id]))
    db.session.commit()
    register.erase(signer)
    db.session.commit()
    login_as("editor")
    url = f"/consultations/inputs/{item.id}/edit"
    page = text(client.get(url))
    assert re.search(rf'value="{signer.id}" checked>\s*<label[^>]*>Erased person', page)
    response = client.submit(url, {
        "summary": "Meer bankjes", "kind": "zienswijze", "participant_group": "inwoner",
        "received_on": "2017-06-01", "postmarked_on": "", "co_signatory_ids": [str(signer.id)],
        "version": str(item.version)})
    assert response.status_code == 302, text(response)[:2000]
    assert db.session.scalars(select(CoSignatory.stakeholder_id)).all() == [signer.id]
