"""The answer workspace: open inputs filtered (theme, kind, table, lateness, channel, answered,
a Dutch full-text query, similar to one), selected by hand or all that match, answered from the
answer form grouped by theme — also from the input list — with answers numbered per
consultation (and numbered by the migration for answers given before), a bounded number of
queries, a conflict instead of a double answer, and who may do what."""

from __future__ import annotations

import importlib.machinery
import os
import re
import sys
import types
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, insert, select

from app.consultations import services
from app.consultations.inputs import answers, standard_answers, workspace
from app.consultations.inputs import services as input_services
from app.consultations.inputs.models import (
    Answer,
    Input,
    InputAnswer,
    InputTheme,
    SuggestedGroup,
    SuggestedGroupInput,
)
from app.consultations.inputs.services import InputData
from app.database import db as database
from app.plans import services as plans
from app.plans.programme import services as programme
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData
from app.theming.components import ui
from tests.adviser import Adviser, FormValues
from tests.conftest import make_app, postgres_database


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def url(consultation, path: str = "workspace") -> str:
    return f"/consultations/{consultation.id}/{path}"


def ticked(page: str) -> set[int]:
    """The inputs the answer form shows ticked."""
    return {int(value) for value in re.findall(
        r'<input type="checkbox" name="input_ids" value="(\d+)"[^>]*checked', page)}


def offered(page: str) -> set[int]:
    return {int(value) for value in re.findall(
        r'<input type="checkbox" name="input_ids" value="(\d+)"', page)}


def versions(page: str) -> str:
    return re.search(r'name="versions"[^>]*value="([^"]*)"', page).group(1)


def rows(page: str) -> set[int]:
    """The input numbers a workspace page lists."""
    return {int(number) for number in re.findall(r'<th scope="row">(\d+)</th>', page)}


@pytest.fixture
def world(db, plan, period, meeting):
    """A comment period with seven reactions on two themes, one late, one by e-mail, one from
    an organisation; a meeting table with a post-it."""
    care = programme.add_theme(plan, "Mantelzorg")
    money = programme.add_theme(plan, "Armoede")
    sender = register.create(StakeholderData(name="Stichting Welzijn Oost", kind="organisation"))
    texts = ["Ik dien een zienswijze in over de mantelzorg.",                      # 1
             "Mantelzorgers krijgen te weinig respijtzorg.",                        # 2
             "De bijzondere bijstand is te laag.",                                  # 3
             "Schuldhulp duurt te lang.",                                           # 4
             "Meer geld voor de voedselbank.",                                      # 5
             "Wij steunen het plan voor de mantelzorg.",                            # 6
             "Een vraag over de termijn."]                                          # 7
    reactions = input_services.add_inputs(period, [
        InputData(original_text=body, kind="vraag" if n == 7 else "zienswijze",
                  channel="e-mail" if n == 5 else "brief",
                  stakeholder_id=sender.id if n == 6 else None,
                  received_on=date(2017, 7, 20) if n == 4 else date(2017, 6, 1),
                  theme_ids=[care.id] if n in (1, 2, 6) else [money.id] if n in (3, 4, 5)
                  else []) for n, body in enumerate(texts, start=1)])
    table = services.add_table(meeting, "Eenzaamheid")
    post_it = input_services.add_input(meeting, InputData(
        original_text="Een buurtkamer", kind="idee", table_id=table.id, theme_ids=[care.id]))
    database.session.commit()
    return {"care": care, "money": money, "reactions": reactions, "sender": sender,
            "table": table, "post_it": post_it}


# --- numbered answers -----------------------------------------------------------------------

def test_answers_are_numbered_per_consultation_in_order(db, world, period, meeting):
    first, second, third, *_rest = world["reactions"]
    numbers = [answers.answer([item], "Dank u.", "al_voorzien").number
               for item in (third, first)]
    numbers.append(answers.answer([world["post_it"]], "Meegenomen.", "overgenomen").number)
    # re-answering gives the input a new answer with the next number
    numbers.append(answers.answer([first, second], "Anders.", "niet_overgenomen").number)
    db.session.commit()
    assert numbers == [1, 2, 1, 3]
    assert sorted(db.session.scalars(select(Answer.number).where(
        Answer.consultation_id == period.id))) == [1, 2, 3]


def test_a_number_a_colleague_took_meanwhile_is_drawn_again(db, world, period, monkeypatch):
    first, second, *_rest = world["reactions"]
    answers.answer([first], "Eerste.", "al_voorzien")
    db.session.commit()
    real = database.session.scalar
    stale = [0]  # the first draw still sees no answer: read before the colleague's committed

    def drawing(statement, *args, **kwargs):
        if stale and "max(" in str(statement).lower():
            return stale.pop()
        return real(statement, *args, **kwargs)

    monkeypatch.setattr(database.session, "scalar", drawing)
    record = answers.answer([second], "Tweede.", "al_voorzien")
    monkeypatch.undo()
    db.session.commit()
    assert record.number == 2
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 2


def _upgrade_keeps_order(url: str, instance) -> None:
    app = make_app(instance, url)
    with app.app_context():
        upgrade()
        plan = plans.create_plan(PlanData(title="Oud plan", kind="beleidsplan"))
        one = services.create_consultation(plan, services.ConsultationData(
            title="Ter inzage", format="ter_inzage", published_on=date(2017, 5, 31)))
        two = services.create_consultation(plan, services.ConsultationData(
            title="Gesprek", format="werkconferentie"))
        items = input_services.add_inputs(one, [InputData(
            original_text=f"Reactie {n}", kind="zienswijze", channel="brief",
            received_on=date(2017, 6, 1)) for n in range(3)])
        other = input_services.add_input(two, InputData(original_text="Idee", kind="idee"))
        given = [answers.answer([item], "Antwoord.", "al_voorzien") for item in items]
        answers.answer([other], "Antwoord.", "overgenomen")
        # answered_at decides, not the id: the third was given first
        start = datetime(2026, 1, 5, 9, tzinfo=UTC)
        for record, minutes in zip(given, (10, 20, 0), strict=True):
            record.answered_at = start + timedelta(minutes=minutes)
        ids = [record.id for record in given]
        database.session.commit()
        database.session.remove()  # no read of this session may hold a lock on the tables
        downgrade(revision="0007_reaction_import")
        upgrade(revision="0008_answer_workspace")
        with database.engine.connect() as connection:
            found = dict(connection.execute(sa.text(
                "SELECT id, number FROM consultation_answers")).all())
            columns = {c["name"]: c for c in sa.inspect(connection).get_columns(
                "consultation_answers")}
        upgrade()
        database.engine.dispose()
    assert [found[answer_id] for answer_id in ids] == [2, 3, 1]
    assert sorted(found.values()) == [1, 1, 2, 3]
    assert columns["number"]["nullable"] is False


def test_the_migration_numbers_answers_given_before_in_the_order_given(tmp_path):
    base = os.environ.get("KOERS_TEST_DATABASE_URL")
    if base:
        with postgres_database(base) as url:
            _upgrade_keeps_order(url, tmp_path / "instance")
    else:
        _upgrade_keeps_order(f"sqlite:///{tmp_path / 'numbers.sqlite'}", tmp_path / "instance")


# --- the workspace's filters ----------------------------------------------------------------

def test_the_workspace_lists_open_inputs_and_filters_them(client, login_as, db, world, period,
                                                         meeting):
    care, money = world["care"], world["money"]
    answers.answer([world["reactions"][1]], "Respijtzorg komt er.", "overgenomen")
    db.session.commit()
    login_as("editor")
    page = text(client.get(url(period)))
    assert rows(page) == {1, 3, 4, 5, 6, 7}  # input 2 is answered
    assert "1 of 7 inputs answered" in page
    assert "Stichting Welzijn Oost" in page and "Unknown" in page  # sender, or the group
    assert rows(text(client.get(url(period) + f"?theme_id={care.id}"))) == {1, 6}
    assert rows(text(client.get(url(period) + f"?theme_id={money.id}&late=yes"))) == {4}
    assert rows(text(client.get(url(period) + "?late=no&channel=e-mail"))) == {5}
    assert rows(text(client.get(url(period) + "?kind=vraag"))) == {7}
    answered = text(client.get(url(period) + "?status=answered"))
    assert rows(answered) == {2} and "Answer 1" in answered
    assert rows(text(client.get(url(period) + "?status=all"))) == set(range(1, 8))
    meeting_page = text(client.get(url(meeting) + f"?table_id={world['table'].id}"))
    assert "Een buurtkamer" in meeting_page


def group_of(consultation, members, label: str) -> SuggestedGroup:
    group = SuggestedGroup(consultation_id=consultation.id, label=label, status="suggested")
    database.session.add(group)
    database.session.flush()
    database.session.add_all(SuggestedGroupInput(group_id=group.id, input_id=item.id)
                             for item in members)
    database.session.commit()
    return group


def test_the_workspace_filters_by_group_and_shows_each_inputs_group(client, login_as, db,
                                                                    world, period, meeting):
    first, second, third, fourth, *_rest = world["reactions"]
    login_as("viewer")
    page = text(client.get(url(period)))
    # No groups yet: no group filter, no group column.
    assert 'name="group_id"' not in page and '<th scope="col">Group</th>' not in page
    carers = group_of(period, [first, second], "mantelzorg respijtzorg")
    money = group_of(period, [third, fourth], "bijstand schuldhulp")
    elsewhere = group_of(meeting, [world["post_it"]], "buurtkamer")
    page = text(client.get(url(period)))
    assert f'<select class="{ui("select")}" id="group_id" name="group_id">' in page
    assert '<option value="">All groups</option>' in page
    assert f'<option value="{carers.id}">mantelzorg respijtzorg</option>' in page
    assert "buurtkamer" not in page  # another consultation's group is no choice
    assert '<th scope="col">Group</th>' in page
    cells = dict(re.findall(r'<th scope="row">(\d+)</th>.*?<td class="table__name">'
                            r'[^<]*</td>\s*<td class="table__name">([^<]*)</td>', page, re.S))
    assert cells == {"1": "mantelzorg respijtzorg", "2": "mantelzorg respijtzorg",
                     "3": "bijstand schuldhulp", "4": "bijstand schuldhulp", "5": "—",
                     "6": "—", "7": "—"}
    filtered = text(client.get(url(period) + f"?group_id={carers.id}"))
    assert rows(filtered) == {1, 2}
    assert f'<option selected value="{carers.id}">' in filtered
    assert rows(text(client.get(url(period) + f"?group_id={money.id}&late=yes"))) == {4}
    # A group of another consultation is not in the list, so it filters nothing.
    assert rows(text(client.get(url(period) + f"?group_id={elsewhere.id}"))) == set(
        range(1, 8))
    # "Answer all that match" carries the group along.
    login_as("editor")
    filtered = text(client.get(url(period) + f"?group_id={carers.id}"))
    assert f'<input type="hidden" name="group_id" value="{carers.id}">' in filtered
    answer_form = text(client.get(url(period, "answer") + f"?all=1&group_id={money.id}"))
    assert ticked(answer_form) == {third.id, fourth.id}


def test_the_groups_page_is_linked_from_the_input_list_the_workspace_and_the_consultation(
        client, login_as, db, world, period, meeting):
    login_as("viewer")
    for consultation in (period, meeting):
        link = f'href="/consultations/{consultation.id}/groups"'
        for path in ("", "/inputs", "/workspace"):
            page = text(client.get(f"/consultations/{consultation.id}{path}"))
            assert f"{link}>Groups of similar reactions</a>" in page, path
    assert client.get(f"/consultations/{period.id}/groups").status_code == 200


def test_the_dutch_query_finds_other_forms_of_a_word(client, login_as, db, world, period):
    login_as("viewer")
    assert rows(text(client.get(url(period) + "?q=zienswijzen"))) == {1}
    assert rows(text(client.get(url(period) + "?q=mantelzorger"))) >= {2}
    assert rows(text(client.get(url(period) + f"?q=mantelzorg&theme_id={world['care'].id}"))) \
        == {1, 2, 6}
    assert "No input found." in text(client.get(url(period) + "?q=fietspad"))


def test_similar_inputs_come_from_the_similarity_machinery(client, login_as, db, world, period,
                                                           monkeypatch):
    first, second, *_rest, last = world["reactions"]
    name = "app.consultations.inputs.similarity"
    fake = types.ModuleType(name)
    fake.__spec__ = importlib.machinery.ModuleSpec(name, None)
    calls = []

    def similar_input_ids(consultation_id: int, input_id: int, limit: int = 50) -> list[int]:
        calls.append((consultation_id, input_id, limit))
        return [second.id, last.id]

    fake.similar_input_ids = similar_input_ids
    monkeypatch.setitem(sys.modules, name, fake)
    login_as("editor")
    page = text(client.get(url(period)))
    assert f"similar_to={first.id}" in page  # a "Similar" link per row
    page = text(client.get(url(period) + f"?similar_to={first.id}"))
    assert rows(page) == {1, 2, 7}
    assert "Showing inputs similar to input 1." in page
    assert calls == [(period.id, first.id, workspace.SIMILAR_LIMIT)]


def test_the_page_costs_the_same_queries_for_few_and_many_inputs(client, login_as, db, world,
                                                                 period, count_queries):
    login_as("editor")
    # A suggested group: the page then lists the groups for the filter and shows each row's.
    group = SuggestedGroup(consultation_id=period.id, label="mantelzorg respijtzorg",
                           status="suggested")
    database.session.add(group)
    database.session.flush()
    database.session.add_all(SuggestedGroupInput(group_id=group.id, input_id=item.id)
                             for item in world["reactions"][:2])
    queries = {"none": "", "theme": f"theme_id={world['care'].id}", "q": "q=mantelzorg",
               "late": "late=no&channel=brief&per_page=50", "answered": "status=answered",
               "group": f"group_id={group.id}"}

    def measure() -> dict[str, int]:
        found = {}
        for name, query in queries.items():
            db.session.expire_all()
            with count_queries() as counter:
                response = client.get(f"{url(period)}?{query}")
            assert response.status_code == 200, name
            found[name] = counter.count
        return found

    answers.answer([world["reactions"][1]], "Respijtzorg komt er.", "overgenomen")
    db.session.commit()
    client.get(url(period))
    small = measure()
    sender = world["sender"]
    start = 8
    database.session.execute(insert(Input.__table__), [
        {"consultation_id": period.id, "number": number, "kind": "zienswijze",
         "participant_group": "inwoner", "channel": "brief", "late": False,
         "original_text": f"Over de mantelzorg, brief {number}", "version": 1,
         "processed": False, "stakeholder_id": sender.id if number % 3 else None}
        for number in range(start, start + 300)])
    ids = list(db.session.scalars(select(Input.id).where(
        Input.consultation_id == period.id, Input.number >= start)))
    database.session.execute(insert(InputTheme.__table__), [
        {"input_id": input_id, "theme_id": world["care"].id} for input_id in ids])
    database.session.execute(insert(SuggestedGroupInput.__table__), [
        {"group_id": group.id, "input_id": input_id} for input_id in ids[100:]])
    from app.search.indexing import refresh

    refresh(database.session.connection(), {"input": set(ids)})
    given = answers.answer(
        list(db.session.scalars(select(Input).where(Input.id.in_(ids[:40])))), "Ja.",
        "overgenomen")
    assert given.number == 2
    db.session.commit()
    large = measure()
    assert large == small
    assert max(large.values()) <= 18  # 16 before groups; they add the filter's list and the rows'
    page = text(client.get(f"{url(period)}?q=mantelzorg"))
    assert len(rows(page)) == 25
    page = text(client.get(f"{url(period)}?group_id={group.id}"))
    assert len(rows(page)) == 25 and page.count("<td class=\"table__name\">mantelzorg "
                                                "respijtzorg</td>") == 25


# --- starting an answer -------------------------------------------------------------------

def test_ticked_inputs_open_the_answer_form_first_grouped_by_theme(client, login_as, db, world,
                                                                  period):
    first, _second, third, *_rest = world["reactions"]
    login_as("editor")
    page = text(client.get(url(period)))
    assert f'name="input" value="{first.id}"' in page  # the checkboxes of a GET form
    assert f'action="/consultations/{period.id}/answer"' in page
    page = text(client.get(url(period, "answer") + f"?input={third.id}&input={first.id}"
                           "&input=999999&from=workspace"))
    assert ticked(page) == {first.id, third.id}
    assert offered(page) == {item.id for item in world["reactions"]}
    chosen_part, others_part = page.split("Add other inputs", 1)
    # the chosen ones first, under their themes in the plan's order, with their details
    assert chosen_part.index("Mantelzorg (1)") < chosen_part.index("Armoede (1)")
    assert "1. Ik dien een zienswijze in" in chosen_part and "3. De bijzondere" in chosen_part
    assert "Formal view (zienswijze)" in chosen_part
    assert "<details>" in chosen_part[-200:] or "<details" in chosen_part
    assert "2. Mantelzorgers" in others_part
    response = client.submit(url(period, "answer"), {
        "input_ids": [str(first.id), str(third.id)], "text": "We passen het plan aan.",
        "decision": "deels_overgenomen", "changed_section_id": "", "versions": versions(page),
        "from": "workspace"})
    assert response.status_code == 302 and response.location.endswith(url(period))
    assert "Answer 1 has been recorded for 2 inputs." in text(client.get(response.location))
    assert set(db.session.scalars(select(InputAnswer.input_id))) == {first.id, third.id}


def test_all_that_match_start_one_answer_and_a_large_selection_is_capped(client, login_as, db,
                                                                         world, period,
                                                                         monkeypatch):
    care = world["care"]
    login_as("editor")
    page = text(client.get(url(period) + f"?theme_id={care.id}&status=open"))
    assert "Answer all 3 inputs that match" in page
    form = re.search(r'<form method="get" action="[^"]*/answer">\s*<input type="hidden" '
                     r'name="all" value="1">(.*?)</form>', page, re.S).group(1)
    hidden = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert hidden == {"from": "workspace", "theme_id": str(care.id)}
    answer_page = text(client.get(url(period, "answer") + f"?all=1&theme_id={care.id}"))
    assert ticked(answer_page) == {world["reactions"][n].id for n in (0, 1, 5)}
    monkeypatch.setattr(workspace, "MAX_SELECTED", 2)
    answer_page = text(client.get(url(period, "answer") + "?all=1&q=mantelzorg"))
    assert len(ticked(answer_page)) == 2
    assert "3 inputs match; only the first 2 are chosen." in answer_page


def test_the_input_list_starts_an_answer_and_still_processes(client, login_as, db, world,
                                                             period, meeting):
    first, second, *_rest = world["reactions"]
    login_as("editor")
    listing = text(client.get(f"/consultations/{period.id}/inputs"))
    assert f'name="input" value="{first.id}" id="answer-{first.id}" form="answer-selection"' \
        in listing
    assert 'id="answer-selection"' in listing and "Answer selected" in listing
    assert f'href="/consultations/{period.id}/workspace"' in listing
    page = text(client.get(url(period, "answer") + f"?input={second.id}"))
    assert ticked(page) == {second.id}
    response = client.submit(url(period, "answer"), {
        "input_ids": [str(second.id)], "text": "Dank u.", "decision": "al_voorzien",
        "changed_section_id": "", "versions": versions(page)})
    assert response.location.endswith(url(period, "inputs"))  # back to the list it came from
    # the bulk processing form of the list still works beside it
    meeting_list = text(client.get(f"/consultations/{meeting.id}/inputs"))
    response = client.submit(f"/consultations/{meeting.id}/inputs/process", {
        "input_ids": [str(world["post_it"].id)], "used": "yes",
        "versions": versions(meeting_list)})
    assert response.status_code == 302
    db.session.refresh(world["post_it"])
    assert world["post_it"].processed


def test_an_input_a_colleague_answered_meanwhile_is_a_conflict_never_a_double_answer(
        client, login_as, db, world, period):
    first, second, *_rest = world["reactions"]
    login_as("editor")
    page = text(client.get(url(period, "answer") + f"?input={first.id}&input={second.id}"))
    answers.answer([first], "Al beantwoord door een collega.", "al_voorzien")
    db.session.commit()
    response = client.submit(url(period, "answer"), {
        "input_ids": [str(first.id), str(second.id)], "text": "Mijn antwoord.",
        "decision": "overgenomen", "changed_section_id": "", "versions": versions(page)})
    assert response.status_code == 409
    assert "Al beantwoord door een collega." in text(response)
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 1
    assert db.session.scalar(select(func.count()).select_from(InputAnswer)) == 1


def press(adviser: Adviser, path: str, shown: dict, visible: dict, hidden: dict):
    """Submit a form: the fields a person sees are counted, the hidden ones and the button
    pressed (its name and value) are sent along."""
    adviser.fill(shown, visible)
    adviser.submissions += 1
    return adviser.client.submit(path, {**visible, **hidden})


def test_answering_a_group_of_ten_from_the_workspace_takes_four_steps(client, login_as, db,
                                                                      plan, period):
    theme = programme.add_theme(plan, "Vervoer")
    input_services.add_inputs(period, [InputData(
        original_text=f"De buslijn naar het dorp moet blijven ({n}).", kind="zienswijze",
        channel="e-mail", received_on=date(2017, 6, 2), theme_ids=[theme.id]) for n in range(10)]
        + [InputData(original_text="Iets anders.", kind="zienswijze", channel="brief",
                     received_on=date(2017, 6, 2))])
    standard = standard_answers.add_standard_answer(plan, standard_answers.StandardAnswerData(
        "Buslijn", "De provincie beslist over de buslijn.", "buiten_reikwijdte", theme.id))
    db.session.commit()
    login_as("editor")
    adviser = Adviser(client)
    workspace_page = text(client.get(url(period)))  # where the adviser is
    assert "0 of 11 inputs answered" in workspace_page
    found = adviser.search(url(period), "q", "buslijn")
    assert "Answer all 10 inputs that match" in found
    form = adviser.open(url(period, "answer") + "?all=1&q=buslijn&from=workspace")
    shown = FormValues(form).values
    assert len(shown["input_ids"]) == 10
    used = text(press(adviser, url(period, "answer"), shown, {
        "input_ids": sorted(shown["input_ids"]), "text": "", "decision": shown["decision"],
        "changed_section_id": ""}, {"use": str(standard.id), "versions": versions(form),
                                     "from": "workspace"}))
    filled = FormValues(used).values
    assert filled["text"] == "De provincie beslist over de buslijn."
    assert filled["decision"] == "buiten_reikwijdte" and len(filled["input_ids"]) == 10
    response = press(adviser, url(period, "answer"), filled, {
        "input_ids": sorted(filled["input_ids"]), "text": filled["text"],
        "decision": filled["decision"], "changed_section_id": ""}, {
        "versions": versions(used), "from": "workspace",
        "standard_answer_id": re.search(r'name="standard_answer_id"[^>]*value="(\d+)"',
                                        used).group(1)})
    assert response.status_code == 302 and response.location.endswith(url(period))
    assert adviser.submissions + adviser.clicks <= 4
    assert adviser.fields <= 1  # the search words only
    record = db.session.scalars(select(Answer)).one()
    assert record.standard_answer_id == standard.id
    assert "10 of 11 inputs answered" in text(client.get(url(period)))


# --- who may do what ------------------------------------------------------------------------

def test_readers_see_the_workspace_without_answering(client, login_as, db, world, period):
    response = client.get(url(period))
    assert response.status_code == 302 and response.location.startswith("/login")
    login_as("viewer")
    page = text(client.get(url(period)))
    assert rows(page) == {1, 2, 3, 4, 5, 6, 7}
    assert 'name="input"' not in page and "Answer selected" not in page
    assert client.get(url(period, "answer") + f"?input={world['reactions'][0].id}") \
        .status_code == 403
    login_as("editor")
    assert 'name="input"' in text(client.get(url(period)))


def test_the_workspace_can_be_used_with_the_keyboard(client, login_as, db, world, period):
    login_as("editor")
    page = text(client.get(url(period)))
    assert 'href="#results"' in page and 'id="results" tabindex="-1"' in page
    assert "accesskey" not in page
    assert "<summary>Keyboard</summary>" in page
    # the filters come before the results, the results before the buttons that act on them
    assert page.index('role="search"') < page.index('id="results"') \
        < page.index("Answer selected")
