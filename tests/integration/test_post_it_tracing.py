"""Processing a post-it says what was done with it: taken into a section, an action or a
theme's goals, or not used with a reason — several at once, audited, refused when stale or
when the target is not of this plan, and counted on the plan's coverage page."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.consultations import services
from app.consultations.inputs import services as input_services
from app.consultations.inputs.models import Input
from app.consultations.inputs.services import InputData
from app.plans import services as plans
from app.plans.programme import services as programme
from app.plans.programme.services import ActionData
from app.plans.services import PlanData


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def versions_on(page: str) -> str:
    return re.search(r'name="versions"[^>]*value="([^"]*)"', page).group(1)


@pytest.fixture
def post_its(db, meeting):
    table = services.add_table(meeting, "Tafel 1")
    input_services.add_inputs(meeting, [
        InputData(original_text=f"Post-it {n}", kind="idee", table_id=table.id)
        for n in range(1, 5)])
    db.session.commit()
    return list(db.session.scalars(select(Input).where(
        Input.consultation_id == meeting.id).order_by(Input.number)))


def process(client, meeting, data: dict, query: str = ""):
    page = text(client.get(f"/consultations/{meeting.id}/inputs{query}"))
    return client.submit(f"/consultations/{meeting.id}/inputs/process{query}",
                         {"versions": versions_on(page), **data})


def test_post_its_taken_into_a_section_are_traced_audited_and_counted(
        client, login_as, db, plan, meeting, post_its):
    section = plans.add_section(plan, "Hoofdstuk 3: Meedoen")
    db.session.commit()
    login_as("editor")
    page = text(client.get(f"/consultations/{meeting.id}/inputs"))
    assert f'value="section:{section.id}"' in page
    response = process(client, meeting, {
        "input_ids": [str(post_its[0].id), str(post_its[1].id)], "used": "yes",
        "target": f"section:{section.id}"}, "?table_id=&per_page=50")
    assert response.status_code == 302 and "per_page=50" in response.location
    db.session.expire_all()
    first, second, third, _fourth = db.session.scalars(select(Input).where(
        Input.consultation_id == meeting.id).order_by(Input.number))
    assert (first.used_in, first.used_section_id, first.used) == ("section", section.id, True)
    assert second.used_section_id == section.id and third.used_in is None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "process")
                               .order_by(AuditEvent.id.desc())).first()
    assert str(event.changes["inputs"]["new"]) == "[1, 2]"
    assert str(event.changes["used_in"]["new"]) == "section"
    assert str(event.changes["target"]["new"]) == str(section.id)
    shown = text(client.get(f"/consultations/inputs/{first.id}"))
    assert "Hoofdstuk 3: Meedoen" in shown
    coverage = text(client.get(f"/consultations/plan/{plan.id}/coverage"))
    assert "from the meetings: 2" in coverage


def test_an_action_and_a_themes_goals_and_a_reason_for_not_used(
        client, login_as, db, plan, meeting, post_its):
    theme = programme.add_theme(plan, "Armoede")
    action = programme.add_action(plan, ActionData(title="Schuldhulp in de wijk"))
    db.session.commit()
    login_as("editor")
    assert process(client, meeting, {"input_ids": [str(post_its[0].id)], "used": "yes",
                                     "target": f"action:{action.id}"}).status_code == 302
    assert process(client, meeting, {"input_ids": [str(post_its[1].id)], "used": "yes",
                                     "target": f"goals:{theme.id}"}).status_code == 302
    assert process(client, meeting, {"input_ids": [str(post_its[2].id)], "used": "no",
                                     "reason": "Valt buiten het beleidsveld"}
                   ).status_code == 302
    db.session.expire_all()
    first, second, third, _ = db.session.scalars(select(Input).where(
        Input.consultation_id == meeting.id).order_by(Input.number))
    assert (first.used_in, first.used_action_id) == ("action", action.id)
    assert (second.used_in, second.used_theme_id) == ("goals", theme.id)
    assert (third.used, third.not_used_reason) == (False, "Valt buiten het beleidsveld")
    page = text(client.get(f"/consultations/inputs/{third.id}"))
    assert "Valt buiten het beleidsveld" in page


def test_refusals_leave_everything_unprocessed(client, login_as, db, plan, meeting, post_its):
    other = plans.create_plan(PlanData(title="Ander plan", kind="beleidsplan"))
    foreign = plans.add_section(other, "Elders")
    own = plans.add_section(plan, "Eigen")
    db.session.commit()
    login_as("editor")
    chosen = [str(post_its[0].id)]
    for data, message in [
            ({"used": "yes", "target": f"section:{foreign.id}"}, "Choose a part of this plan."),
            ({"used": "no", "target": f"section:{own.id}"},
             "Input that was not used is not taken into the plan."),
            ({"used": "yes", "reason": "waarom"},
             "A reason is given for input that was not used.")]:
        response = process(client, meeting, {"input_ids": chosen, **data})
        assert response.status_code == 400, data
        assert message in text(response)
    db.session.expire_all()
    assert not any(item.processed for item in db.session.scalars(select(Input)))


def test_a_stale_version_is_a_conflict(client, login_as, db, plan, meeting, post_its):
    section = plans.add_section(plan, "Eigen")
    db.session.commit()
    login_as("editor")
    page = text(client.get(f"/consultations/{meeting.id}/inputs"))
    post_its[0].summary = "changed meanwhile"
    db.session.commit()
    response = client.submit(f"/consultations/{meeting.id}/inputs/process", {
        "versions": versions_on(page), "input_ids": [str(post_its[0].id)], "used": "yes",
        "target": f"section:{section.id}"})
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Input, post_its[0].id).used_in is None


def test_the_list_page_queries_stay_bounded(client, login_as, db, plan, meeting, post_its,
                                            count_queries):
    section = plans.add_section(plan, "Eigen")
    db.session.commit()
    login_as("editor")
    process(client, meeting, {"whole_page": "y", "used": "yes",
                              "target": f"section:{section.id}"})
    with count_queries() as few:
        client.get(f"/consultations/{meeting.id}/inputs")
    input_services.add_inputs(meeting, [InputData(original_text=f"Meer {n}", kind="idee")
                                        for n in range(30)])
    db.session.commit()
    process(client, meeting, {"whole_page": "y", "used": "yes",
                              "target": f"section:{section.id}"}, "?per_page=50")
    with count_queries() as many:
        client.get(f"/consultations/{meeting.id}/inputs?per_page=50")
    assert many.count == few.count
