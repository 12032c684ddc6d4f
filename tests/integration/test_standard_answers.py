"""Standard answers per plan and theme: added, changed (a stale change is a conflict),
deleted when unused and archived when used, offered in the answer form (the chosen inputs'
themes first) and filled in with one click ("Use") without JavaScript; who may do what."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from app.consultations.inputs import answers, standard_answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.models import Answer, StandardAnswer
from app.consultations.inputs.services import InputData
from app.consultations.inputs.standard_answers import StandardAnswerData
from app.errors import DomainError
from app.plans import services as plans
from app.plans.programme import services as programme
from app.plans.services import PlanData


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def url(consultation, path: str = "standard-answers") -> str:
    return f"/consultations/{consultation.id}/{path}"


def values(**changes) -> dict:
    form = {"title": "Termijn", "theme_id": "", "text": "De termijn is wettelijk vastgelegd.",
            "decision": "al_voorzien"}
    form.update(changes)
    return form


def test_an_editor_adds_changes_and_lists_standard_answers(client, login_as, db, plan, period):
    theme = programme.add_theme(plan, "Mantelzorg")
    db.session.commit()
    login_as("editor")
    assert client.get(url(period, "standard-answers/new")).status_code == 200
    response = client.submit(url(period, "standard-answers/new"),
                             values(theme_id=str(theme.id)))
    assert response.status_code == 302
    record = db.session.scalars(select(StandardAnswer)).one()
    assert (record.plan_id, record.theme_id, record.decision) == (plan.id, theme.id,
                                                                 "al_voorzien")
    page = text(client.get(url(period)))
    assert "Termijn" in page and "Mantelzorg" in page and "Already provided for" in page
    edit = url(period, f"standard-answers/{record.id}/edit")
    response = client.submit(edit, values(title="Wettelijke termijn", version="1"))
    assert response.status_code == 302
    db.session.refresh(record)
    assert (record.title, record.version) == ("Wettelijke termijn", 2)
    # a stale form is a conflict and changes nothing
    response = client.submit(edit, values(title="Oud", version="1"))
    assert response.status_code == 409
    db.session.refresh(record)
    assert record.title == "Wettelijke termijn"


def test_refusals_are_shown_beside_their_fields(client, login_as, db, plan, period):
    other = plans.create_plan(PlanData(title="Ander plan", kind="beleidsplan"))
    foreign = programme.add_theme(other, "Elders")
    db.session.commit()
    login_as("editor")
    response = client.submit(url(period, "standard-answers/new"), values(title="", text=""))
    assert response.status_code == 400
    assert "Enter a title." in text(response) and "Enter the answer." in text(response)
    with pytest.raises(DomainError):
        standard_answers.add_standard_answer(plan, StandardAnswerData(
            "Titel", "Tekst", "al_voorzien", foreign.id))
    with pytest.raises(DomainError):
        standard_answers.add_standard_answer(plan, StandardAnswerData(
            "Titel", "Tekst", "misschien"))
    assert db.session.scalar(select(func.count()).select_from(StandardAnswer)) == 0


def test_unused_ones_are_deleted_used_ones_archived_and_offered_again(client, login_as, db,
                                                                      plan, period):
    unused, used = (standard_answers.add_standard_answer(plan, StandardAnswerData(
        title, "Tekst.", "al_voorzien")) for title in ("Ongebruikt", "Gebruikt"))
    unused_id = unused.id
    item = input_services.add_input(period, InputData(
        original_text="Zienswijze", kind="zienswijze", channel="brief",
        received_on=date(2017, 6, 1)))
    answers.answer([item], "Tekst.", "al_voorzien", standard_answer=used)
    db.session.commit()
    login_as("editor")
    page = text(client.get(url(period)))
    assert re.search(r"Gebruikt</th>.*?<td class=\"numeric\">1</td>", page, re.S)
    for record in (unused, used):
        response = client.submit(url(period, f"standard-answers/{record.id}/remove"),
                                 {"version": str(record.version)})
        assert response.status_code == 302
    page = text(client.get(url(period)))
    assert "“Gebruikt” has been archived: answers used it." in page
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(StandardAnswer).where(
        StandardAnswer.id == unused_id)) == 0
    db.session.refresh(used)
    assert used.archived
    assert "Archived standard answers (1)" in page
    assert db.session.scalars(select(Answer)).one().standard_answer_id == used.id
    # an archived one is not offered when answering
    other = input_services.add_input(period, InputData(
        original_text="Nog een", kind="zienswijze", channel="brief",
        received_on=date(2017, 6, 1)))
    db.session.commit()
    assert f'name="use" value="{used.id}"' not in text(
        client.get(url(period, "answer") + f"?input={other.id}"))
    response = client.submit(url(period, f"standard-answers/{used.id}/restore"),
                             {"version": str(used.version)})
    assert response.status_code == 302
    db.session.refresh(used)
    assert not used.archived
    assert f'name="use" value="{used.id}"' in text(
        client.get(url(period, "answer") + f"?input={other.id}"))


def test_use_fills_text_and_decision_keeps_the_inputs_and_offers_the_theme_first(
        client, login_as, db, plan, period):
    care, money = programme.add_theme(plan, "Mantelzorg"), programme.add_theme(plan, "Armoede")
    general = standard_answers.add_standard_answer(plan, StandardAnswerData(
        "Algemeen", "Dank voor uw reactie.", "al_voorzien"))
    poverty = standard_answers.add_standard_answer(plan, StandardAnswerData(
        "Bijstand", "De bijstand is landelijk geregeld.", "buiten_reikwijdte", money.id))
    caring = standard_answers.add_standard_answer(plan, StandardAnswerData(
        "Respijtzorg", "Er komt meer respijtzorg.", "overgenomen", care.id))
    first, second = input_services.add_inputs(period, [InputData(
        original_text=f"Mantelzorg {n}", kind="zienswijze", channel="brief",
        received_on=date(2017, 6, 1), theme_ids=[care.id]) for n in (1, 2)])
    db.session.commit()
    login_as("editor")
    page = text(client.get(url(period, "answer") + f"?input={first.id}&input={second.id}"))
    order = [int(v) for v in re.findall(r'name="use" value="(\d+)"', page)]
    assert order == [caring.id, general.id, poverty.id]
    versions = re.search(r'name="versions"[^>]*value="([^"]*)"', page).group(1)
    response = client.submit(url(period, "answer"), {
        "input_ids": [str(first.id), str(second.id)], "text": "", "decision": "overgenomen",
        "changed_section_id": "", "versions": versions, "use": str(caring.id)})
    assert response.status_code == 200
    filled = text(response)
    assert "Er komt meer respijtzorg.</textarea>" in filled
    assert re.search(r'<option selected value="overgenomen">', filled)
    assert len(re.findall(r'name="input_ids" value="\d+"[^>]*checked', filled)) == 2
    assert f'name="standard_answer_id" type="hidden" value="{caring.id}"' in filled \
        or re.search(rf'name="standard_answer_id"[^>]*value="{caring.id}"', filled)
    assert "Please correct" not in filled  # nothing was refused: nothing was saved yet
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    # the text stays editable: this answer says more than the standard one
    response = client.submit(url(period, "answer"), {
        "input_ids": [str(first.id), str(second.id)], "changed_section_id": "",
        "text": "Er komt meer respijtzorg, ook in het weekend.", "decision": "overgenomen",
        "versions": versions, "standard_answer_id": str(caring.id)})
    assert response.status_code == 302
    record = db.session.scalars(select(Answer)).one()
    assert (record.text, record.standard_answer_id, record.number) == (
        "Er komt meer respijtzorg, ook in het weekend.", caring.id, 1)
    assert standard_answers.times_used([caring.id, general.id]) == {caring.id: 1}


def test_only_editors_manage_standard_answers(client, login_as, db, plan, period):
    record = standard_answers.add_standard_answer(plan, StandardAnswerData(
        "Termijn", "Tekst.", "al_voorzien"))
    db.session.commit()
    assert client.get(url(period)).status_code == 302
    login_as("viewer")
    assert client.get(url(period)).status_code == 403
    assert client.get(url(period, "standard-answers/new")).status_code == 403
    assert client.submit(url(period, f"standard-answers/{record.id}/remove"),
                         {"version": "1"}).status_code == 403
    login_as("editor")
    assert client.get(url(period)).status_code == 200
    # a standard answer of another plan is not found through this consultation
    other = plans.create_plan(PlanData(title="Ander plan", kind="beleidsplan"))
    foreign = standard_answers.add_standard_answer(other, StandardAnswerData(
        "Elders", "Tekst.", "al_voorzien"))
    db.session.commit()
    assert client.get(url(period, f"standard-answers/{foreign.id}/edit")).status_code == 404
