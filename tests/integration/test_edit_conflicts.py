"""Every edit of a versioned record refuses a stale version with the conflict page (409) and
changes nothing.

The edit routes come from the app's url_map: every POST endpoint whose view is named
``edit…`` (or whose rule ends in ``/edit``) must have an entry in ``EDITS`` naming the record
it changes, so a new edit route without one fails here; edits named otherwise (attendance,
answering, the kennisgeving, a letter's decision) are declared there too. For each versioned
entry the test loads the form as a browser does, lets someone else save the record, submits
the form it loaded and compares the whole database before and after.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import lxml.html
import pytest
from sqlalchemy import inspect, select
from sqlalchemy.orm.attributes import flag_modified

from app.auth import services as accounts
from app.auth.models import User
from app.consultations import services
from app.consultations.feedback.models import FeedbackLetter, FeedbackMailing, LetterStatus
from app.consultations.inputs import answers, standard_answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.models import Answer, Input, StandardAnswer
from app.consultations.inputs.services import InputData
from app.consultations.models import Consultation, ConsultationTable, Registration
from app.consultations.services import ConsultationData
from app.plans import services as plans
from app.plans.models import Action, Goal, Plan, Section, Theme
from app.plans.programme import services as programme
from app.plans.programme.services import ActionData
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import StakeholderData

MINE = "Mijn versie van dit veld"
Fields = dict[str, list[str]]


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


# --- the scene: one record of every kind an edit route changes ------------------------------

@dataclass
class Scene:
    plan: Plan
    section: Section
    theme: Theme
    goal: Goal
    action: Action
    person: Stakeholder
    meeting: Consultation
    table: ConsultationTable
    registration: Registration
    period: Consultation
    answered: Input
    open: Input
    answer: Answer
    letter: FeedbackLetter
    colleague: User
    standard: StandardAnswer | None = None


@pytest.fixture
def scene(app, db) -> Scene:
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    section = plans.add_section(plan, "Mantelzorg", "Wie zorgt, krijgt steun.")
    theme = programme.add_theme(plan, "Armoede", "Niemand valt buiten.")
    goal = programme.add_goal(theme, "Minder huishoudens in armoede")
    action = programme.add_action(plan, ActionData(title="Buurtcoaches", theme_id=theme.id))
    person = register.create(StakeholderData(name="Anna de Vries", email="anna@example.nl"))
    meeting = services.create_consultation(plan, ConsultationData(
        title="Werkconferentie", format="werkconferentie", location="De Schouwburg",
        starts_at=datetime(2026, 3, 23, 13, tzinfo=UTC),
        ends_at=datetime(2026, 3, 23, 16, tzinfo=UTC)))
    table = services.add_table(meeting, "Eenzaamheid")
    registration = services.register_participant(meeting, person)
    period = services.create_consultation(plan, ConsultationData(
        title="Ontwerp ter inzage", format="ter_inzage", published_on=date(2017, 5, 31)))
    answered, still_open = input_services.add_inputs(period, [
        InputData(original_text=f"Zienswijze {n}", kind="zienswijze", channel="brief",
                  stakeholder_id=person.id, received_on=date(2017, 6, 1)) for n in (1, 2)])
    answer = answers.answer([answered], "Dat nemen we over.", "overgenomen")
    mailing = FeedbackMailing(consultation_id=period.id)
    db.session.add(mailing)
    db.session.flush()
    letter = FeedbackLetter(mailing_id=mailing.id, consultation_id=period.id,
                            stakeholder_id=person.id, channel="email",
                            recipient_email=person.email, subject="Uw zienswijze",
                            body="Dank u.", input_ids=[answered.id], status=LetterStatus.HELD)
    db.session.add(letter)
    colleague = accounts.create_user("collega@koers.example", "Karin Collega", "viewer",
                                     password="a long enough password").user
    standard = standard_answers.add_standard_answer(plan, standard_answers.StandardAnswerData(
        "Termijn", "De termijn is wettelijk.", "al_voorzien"))
    db.session.commit()
    return Scene(plan, section, theme, goal, action, person, meeting, table, registration,
                 period, answered, still_open, answer, letter, colleague, standard)


# --- what each edit route changes -----------------------------------------------------------

def _edit_text(fields: Fields, names: list[str]) -> None:
    """The editor types something else in the form's first text field."""
    fields[names[0]] = [MINE]


@dataclass(frozen=True)
class Edit:
    """An edit route: the record it changes, the URL values, where its form is (default: the
    route itself), and what the editor changes on that form."""

    model: type
    record: Callable[[Scene], Any] | None = None
    values: Callable[[Scene], dict[str, Any]] | None = None
    page: Callable[[Scene], tuple[str, dict[str, Any]]] | None = None
    change: Callable[[Scene, Fields, list[str]], None] = \
        lambda scene, fields, names: _edit_text(fields, names)
    role: str = "editor"  # who may use the route


def _tick_attended(scene: Scene, fields: Fields, names: list[str]) -> None:
    fields["attended"] = [str(scene.registration.id)]


def _answer_the_open_input(scene: Scene, fields: Fields, names: list[str]) -> None:
    fields.update(input_ids=[str(scene.open.id)], text=[MINE], decision=["overgenomen"])


def _mark_the_input_used(scene: Scene, fields: Fields, names: list[str]) -> None:
    fields.update(input_ids=[str(scene.open.id)], used=["yes"])


def _cancel_the_letter(scene: Scene, fields: Fields, names: list[str]) -> None:
    fields["choice"] = ["cancel"]


EDITS: dict[str, Edit] = {
    "plans.edit": Edit(Plan, lambda s: s.plan, lambda s: {"plan_id": s.plan.id}),
    "plans.edit_section": Edit(Section, lambda s: s.section, lambda s: {
        "plan_id": s.plan.id, "section_id": s.section.id}),
    "plans.edit_theme": Edit(Theme, lambda s: s.theme, lambda s: {
        "plan_id": s.plan.id, "theme_id": s.theme.id}),
    "plans.edit_goal": Edit(Goal, lambda s: s.goal, lambda s: {
        "plan_id": s.plan.id, "theme_id": s.theme.id, "goal_id": s.goal.id}),
    "plans.edit_action": Edit(Action, lambda s: s.action, lambda s: {
        "plan_id": s.plan.id, "action_id": s.action.id}),
    "stakeholders.edit": Edit(Stakeholder, lambda s: s.person,
                              lambda s: {"stakeholder_id": s.person.id}),
    "accounts.edit": Edit(User, lambda s: s.colleague, lambda s: {"user_id": s.colleague.id},
                          role="admin"),
    "consultations.edit": Edit(Consultation, lambda s: s.meeting,
                               lambda s: {"consultation_id": s.meeting.id}),
    "consultations.edit_table": Edit(ConsultationTable, lambda s: s.table,
                                     lambda s: {"table_id": s.table.id}),
    "consultations.attendance": Edit(
        Registration, lambda s: s.registration, lambda s: {"consultation_id": s.meeting.id},
        page=lambda s: ("consultations.show", {"consultation_id": s.meeting.id}),
        change=_tick_attended),
    "consultations.edit_input": Edit(Input, lambda s: s.answered,
                                     lambda s: {"input_id": s.answered.id}),
    "consultations.answer": Edit(Input, lambda s: s.open,
                                 lambda s: {"consultation_id": s.period.id},
                                 change=_answer_the_open_input),
    "consultations.process": Edit(Input, lambda s: s.open,
                                  lambda s: {"consultation_id": s.period.id},
                                  page=lambda s: ("consultations.inputs",
                                                  {"consultation_id": s.period.id}),
                                  change=_mark_the_input_used),
    "consultations.edit_answer": Edit(Answer, lambda s: s.answer,
                                      lambda s: {"answer_id": s.answer.id}),
    "consultations.edit_standard_answer": Edit(
        StandardAnswer, lambda s: s.standard,
        lambda s: {"consultation_id": s.period.id, "standard_id": s.standard.id}),
    "consultations.save_notice": Edit(
        Consultation, lambda s: s.period, lambda s: {"consultation_id": s.period.id},
        page=lambda s: ("consultations.show", {"consultation_id": s.period.id})),
    "consultations.decide_letter": Edit(
        FeedbackLetter, lambda s: s.letter, lambda s: {"letter_id": s.letter.id},
        page=lambda s: ("consultations.feedback", {"consultation_id": s.period.id}),
        change=_cancel_the_letter),
}


def _is_versioned(model: type) -> bool:
    # An account counts administrators' changes in a plain column (see app.auth.models).
    return inspect(model).version_id_col is not None or "version" in inspect(model).columns


def _edit_routes(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "POST" in (rule.methods or ()) and (
                rule.endpoint.rpartition(".")[2].startswith("edit")
                or rule.rule.endswith("/edit"))}


def test_every_edit_route_is_declared(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules()
              if "POST" in (rule.methods or ())}
    undeclared = _edit_routes(app) - set(EDITS)
    assert not undeclared, f"declare the record these edit routes change in EDITS: {undeclared}"
    assert not set(EDITS) - routes, "EDITS names routes the app does not have"


def test_declared_records_without_a_version_really_have_none():
    # Once such a record gets a version, its edit route needs a conflict case here.
    for endpoint, edit in EDITS.items():
        assert _is_versioned(edit.model) == (edit.record is not None), endpoint


# --- a stale save, for every versioned edit -------------------------------------------------

def _form_fields(page: str, action: str) -> tuple[Fields, list[str]]:
    """What a browser submits from the form posting to ``action``, and its text fields."""
    document = lxml.html.fromstring(page)
    forms = [form for form in document.forms if form.get("action", "").split("#")[0] == action
             and form.get("method", "get").lower() == "post"]
    assert forms, f"no form posts to {action}"
    fields: Fields = {}
    texts: list[str] = []
    for element in forms[0].iter("input", "textarea", "select"):
        name = element.get("name")
        if not name or element.get("disabled") is not None:
            continue
        kind = (element.get("type") or "text").lower()
        if element.tag == "textarea":
            fields.setdefault(name, []).append(element.text or "")
            texts.append(name)
        elif element.tag == "select":
            chosen = [option.get("value", option.text or "") for option in
                      element.iter("option") if option.get("selected") is not None]
            options = list(element.iter("option"))
            if not chosen and options and element.get("multiple") is None:
                chosen = [options[0].get("value", options[0].text or "")]
            fields.setdefault(name, []).extend(chosen)
        elif kind in ("checkbox", "radio"):
            if element.get("checked") is not None:
                fields.setdefault(name, []).append(element.get("value", "on"))
        elif kind not in ("submit", "button", "file", "reset", "image"):
            fields.setdefault(name, []).append(element.get("value", ""))
            if kind == "text":
                texts.append(name)
    return fields, texts


def _database(db) -> dict[str, list[tuple]]:
    """Every row of every table, to show that a refused save changed nothing at all (the
    tables of this database: the metadata also knows plugins that other tests loaded)."""
    present = set(inspect(db.engine).get_table_names())
    return {table.name: sorted((tuple(row) for row in db.session.execute(select(table))),
                               key=repr)
            for table in db.metadata.sorted_tables if table.name in present}


def _someone_else_saves(db, record: Any) -> int:
    """Another editor saves the record meanwhile: its version moves on."""
    current = db.session.get(type(record), record.id)
    if inspect(type(record)).version_id_col is None:  # a counter the services keep
        current.version += 1
    else:
        column = next(attribute.key for attribute in inspect(type(record)).column_attrs
                      if attribute.key not in ("id", "version"))
        flag_modified(current, column)
    db.session.commit()
    return current.version


@pytest.mark.parametrize("endpoint", sorted(
    endpoint for endpoint, edit in EDITS.items() if edit.record is not None))
def test_a_stale_edit_shows_the_conflict_and_changes_nothing(app, client, login_as, db, scene,
                                                             endpoint):
    edit = EDITS[endpoint]
    assert edit.record is not None and edit.values is not None
    record = edit.record(scene)
    seen = record.version
    with app.test_request_context():
        from flask import url_for

        action = url_for(endpoint, **edit.values(scene))
        page = url_for(*edit.page(scene)[:1], **edit.page(scene)[1]) if edit.page else action
    login_as(edit.role)
    loaded = client.get(page)
    assert loaded.status_code == 200, endpoint
    fields, texts = _form_fields(loaded.get_data(as_text=True), action)
    edit.change(scene, fields, texts)

    assert _someone_else_saves(db, record) == seen + 1
    before = _database(db)
    response = client.submit(action, fields)

    page_text = response.get_data(as_text=True)
    assert response.status_code == 409, (endpoint, page_text[:2000])
    assert "Someone else changed this" in page_text
    db.session.expire_all()
    assert _database(db) == before, f"{endpoint} changed the database on a stale save"
