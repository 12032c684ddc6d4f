"""The workflow "koers" and its rule "geen plan zonder inwoners en geen plan zonder partners"."""

from __future__ import annotations

from oldambt_helpers import add_input, koers_plan, text, werkconferentie

from app.plugin_api import Plan


def test_a_koersdocument_follows_the_koers_workflow(client, login_as, db):
    login_as("editor")
    plan = koers_plan(client, db)
    assert (plan.workflow, plan.state) == ("oldambt.koers", "oldambt.concept")
    page = text(client.get(f"/plans/{plan.id}"))
    assert "/steps/oldambt.hold_conference" in page


def test_adoption_is_refused_until_residents_and_partners_gave_input(client, login_as, db):
    client.set_cookie("koers_language", "en")
    login_as("editor")
    plan = koers_plan(client, db)
    meeting = werkconferentie(client, db, plan)
    response = client.submit(f"/plans/{plan.id}/steps/oldambt.hold_conference",
                             {"decided_on": "2023-03-23"})
    assert response.status_code == 302, text(response)

    step = f"/plans/{plan.id}/steps/oldambt.adopt"
    refused = client.submit(step, {"decided_on": "2023-06-27"})
    assert refused.status_code == 409
    assert "no resident has given input" in text(refused)
    assert "no partner organisation has given input" in text(refused)

    add_input(client, meeting, "inwoner", "Meer ontmoetingsplekken in de wijk")
    refused = client.submit(step, {"decided_on": "2023-06-27"})
    assert refused.status_code == 409
    assert "no resident has given input" not in text(refused)
    assert "Geen plan zonder partners" in text(refused)  # says which one is missing

    add_input(client, meeting, "partner", "Eén loket voor schulden en werk")
    assert client.submit(step, {"decided_on": "2023-06-27"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).state == "oldambt.vastgesteld"


def test_the_yearly_follow_up_meeting_is_a_kind_of_consultation(client, login_as, db):
    login_as("editor")
    plan = koers_plan(client, db)
    page = text(client.get(f"/consultations/plan/{plan.id}/new"))
    assert 'value="oldambt.vervolgbijeenkomst"' in page
    assert "Vervolgbijeenkomst (jaarlijks)" in page


def test_a_koers_in_implementation_shows_when_its_yearly_follow_up_is_due(client, login_as, db):
    client.set_cookie("koers_language", "en")
    login_as("editor")
    plan = koers_plan(client, db)
    meeting = werkconferentie(client, db, plan)  # 23 March 2023
    add_input(client, meeting, "inwoner", "Meer ontmoetingsplekken")
    add_input(client, meeting, "partner", "Eén loket")
    for name, day in (("oldambt.hold_conference", "2023-03-23"), ("oldambt.adopt", "2023-07-04"),
                      ("oldambt.translate", "2023-11-14")):
        response = client.submit(f"/plans/{plan.id}/steps/{name}", {"decided_on": day})
        assert response.status_code == 302, text(response)
    page = text(client.get(f"/plans/{plan.id}"))
    assert "the last one with residents and partners was on 23-03-2023" in page
    assert "the next is due by 23-03-2024" in page and "It is overdue." in page
    link = f"/consultations/plan/{plan.id}/new?format=oldambt.vervolgbijeenkomst"
    assert link in page
    form = text(client.get(link))
    assert '<option selected value="oldambt.vervolgbijeenkomst">' in form


def test_a_koers_still_in_concept_shows_no_follow_up(client, login_as, db):
    client.set_cookie("koers_language", "en")
    login_as("editor")
    plan = koers_plan(client, db)
    werkconferentie(client, db, plan)
    assert "Yearly follow-up meeting" not in text(client.get(f"/plans/{plan.id}"))
