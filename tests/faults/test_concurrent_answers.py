"""Two people answering the same open input: whoever saves second gets the conflict page
(409) — never the 500 page — and the input keeps exactly one answer, the first.

Three ways the second save meets the first: after it (the form was loaded before the other
answer), during it (the other answer is committed after this request read the open inputs,
before it writes), and truly at once (two requests in two threads). Runs on SQLite and, with
``KOERS_TEST_DATABASE_URL``, on PostgreSQL.
"""

from __future__ import annotations

import re
import threading
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.consultations import services
from app.consultations.inputs import answers, workspace
from app.consultations.inputs import services as input_services
from app.consultations.inputs.models import Answer, Input, InputAnswer
from app.consultations.inputs.services import InputData
from app.consultations.models import Consultation
from app.consultations.services import ConsultationData
from app.database import db as database
from app.plans import services as plans
from app.plans.services import PlanData
from tests.conftest import KoersClient, sign_in

pytestmark = pytest.mark.faults

MINE, THEIRS = "Ons antwoord: de termijn wordt verlengd.", "Hun antwoord: dat kan niet."


@pytest.fixture
def period(app, db) -> Consultation:
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    consultation = services.create_consultation(plan, ConsultationData(
        title="Ontwerp ter inzage", format="ter_inzage", published_on=date(2017, 5, 31)))
    input_services.add_inputs(consultation, [InputData(
        original_text="Ik maak bezwaar.", kind="zienswijze", channel="brief",
        received_on=date(2017, 6, 1))])
    db.session.commit()
    return consultation


@pytest.fixture
def editors(app: Flask, make_user) -> list[KoersClient]:
    """Two editors, each signed in with their own browser."""
    app.test_client_class = KoersClient
    clients = []
    for _number in range(2):
        client: KoersClient = app.test_client()  # type: ignore[assignment]
        client.set_cookie("koers_language", "en")
        assert sign_in(client, make_user("editor").email).status_code == 302
        clients.append(client)
    return clients


def the_input(db) -> Input:
    return db.session.scalars(select(Input)).one()


def answer_form(client: KoersClient, period: Consultation, text: str) -> dict[str, Any]:
    """The answer page as loaded, filled in: the one input ticked, the text typed."""
    page = client.get(f"/consultations/{period.id}/answer").get_data(as_text=True)
    hidden = dict(re.findall(r'<input[^>]*name="(csrf_token|versions)"[^>]*value="([^"]*)"',
                             page))
    assert "csrf_token" in hidden, page[:3000]
    item = re.search(r'name="input_ids"[^>]*value="(\d+)"', page)
    assert item is not None
    return {**hidden, "input_ids": [item.group(1)], "text": text, "decision": "overgenomen",
            "changed_section_id": ""}


def assert_only_the_first_answer_stands(db, text: str) -> None:
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
    assert db.session.scalar(select(Answer.text).join(
        InputAnswer, InputAnswer.answer_id == Answer.id).where(
        InputAnswer.input_id == the_input(db).id)) == text
    assert the_input(db).processed is True


def assert_conflict_page(response: Any, *shown: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 409, page[:3000]
    assert "Someone else changed this" in page
    for text in shown:
        assert text in page


def someone_else_answers(app: Flask) -> None:
    """Another editor's answer, committed from another thread with its own session."""
    def answer() -> None:
        with app.app_context():
            answers.answer([database.session.scalars(select(Input)).one()], THEIRS,
                           "niet_overgenomen")
            database.session.commit()

    thread = threading.Thread(target=answer)
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()


def test_an_input_answered_after_the_form_was_loaded_is_a_conflict(db, period, editors):
    first, second = editors
    mine = answer_form(first, period, MINE)
    theirs = answer_form(second, period, THEIRS)
    assert second.post(f"/consultations/{period.id}/answer", data=theirs).status_code == 302

    response = first.post(f"/consultations/{period.id}/answer", data=mine)
    assert_conflict_page(response, THEIRS, MINE)
    assert_only_the_first_answer_stands(db, THEIRS)


def test_an_input_answered_while_the_save_runs_is_a_conflict(app, db, period, editors,
                                                             monkeypatch):
    """The other answer lands after this request read the open inputs and before it writes:
    the race the service must catch under its own transaction."""
    first, _second = editors
    mine = answer_form(first, period, MINE)
    read_chosen = workspace.chosen_inputs  # read right after the open inputs

    def open_inputs_then_someone_answers(consultation: Consultation, ids: Any) -> list[Input]:
        found = read_chosen(consultation, ids)
        someone_else_answers(app)
        return found

    monkeypatch.setattr(workspace, "chosen_inputs", open_inputs_then_someone_answers)
    response = first.post(f"/consultations/{period.id}/answer", data=mine)
    assert_conflict_page(response, THEIRS, MINE)
    assert_only_the_first_answer_stands(db, THEIRS)


def test_two_editors_answering_at_once_get_one_answer_and_one_conflict(db, period, editors):
    forms = [answer_form(client, period, text) for client, text in zip(
        editors, (MINE, THEIRS), strict=True)]
    start = threading.Barrier(2)
    responses: dict[int, Any] = {}

    def save(index: int) -> None:
        start.wait()
        responses[index] = editors[index].post(f"/consultations/{period.id}/answer",
                                               data=forms[index])

    threads = [threading.Thread(target=save, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(response.status_code for response in responses.values()) == [302, 409], {
        index: response.get_data(as_text=True)[:2000] for index, response in responses.items()}
    winner = next(index for index, response in responses.items()
                  if response.status_code == 302)
    loser = responses[1 - winner]
    assert_conflict_page(loser, (MINE, THEIRS)[winner])
    assert_only_the_first_answer_stands(db, (MINE, THEIRS)[winner])
