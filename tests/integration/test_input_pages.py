"""The input pages of a consultation: bulk entry after a meeting, a written reaction on time or
late, one answer covering several inputs, processing, the filtered list with a bounded number
of queries, read-only plans and who may do what."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, insert, select

from app.consultations import services
from app.consultations.inputs import answers as input_answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.models import Input, InputAnswer, InputTheme
from app.consultations.inputs.services import InputData
from app.plans import services as plans
from app.plans.programme import services as programme
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def count(db, consultation) -> int:
    return db.session.scalar(select(func.count()).select_from(Input).where(
        Input.consultation_id == consultation.id))


def url(consultation, path: str = "inputs") -> str:
    return f"/consultations/{consultation.id}/{path}"


def test_bulk_entry_records_fifty_inputs_and_keeps_the_table_and_group(client, login_as, db,
                                                                       meeting):
    table = services.add_table(meeting, "Armoede en schulden")
    services.add_table(meeting, "Eenzaamheid")
    db.session.commit()
    login_as("editor")
    lines = "\n".join(f"Post-it {n}" + ("\n" if n % 10 == 0 else "") for n in range(1, 51))
    response = client.submit(url(meeting, "inputs/bulk"), {
        "lines": lines, "table_id": str(table.id), "participant_group": "partner",
        "kind": "zorg"})
    assert response.status_code == 302
    page = text(client.get(response.location))
    assert "50 inputs recorded" in page
    assert re.search(rf'<option selected value="{table.id}">Armoede', page)
    assert re.search(r'<option selected value="partner">', page)
    assert re.search(r'<option selected value="zorg">', page)
    assert "Post-it" not in page  # the textarea is empty again
    stored = list(db.session.scalars(select(Input).where(Input.consultation_id == meeting.id)
                                     .order_by(Input.number)))
    assert [item.number for item in stored] == list(range(1, 51))
    assert {(item.table_id, item.participant_group, item.kind, item.channel)
            for item in stored} == {(table.id, "partner", "zorg", "mondeling")}
    assert stored[49].original_text == "Post-it 50"


def test_an_empty_bulk_entry_saves_nothing(client, login_as, db, meeting):
    login_as("editor")
    response = client.submit(url(meeting, "inputs/bulk"), {
        "lines": "\n  \n", "participant_group": "inwoner", "kind": "idee"})
    assert response.status_code == 400
    assert "Enter at least one input, one per line." in text(response)
    assert count(db, meeting) == 0


def reaction(**values) -> dict:
    form = {"original_text": "Ik maak bezwaar tegen de bezuiniging.", "kind": "zienswijze",
            "channel": "brief", "stakeholder_id": "", "participant_group": "",
            "received_on": "2017-07-13", "postmarked_on": "", "summary": ""}
    form.update(values)
    return form


def test_a_reaction_posted_in_time_is_on_time_and_one_posted_late_is_kept_as_late(
        client, login_as, db, period):
    login_as("editor")
    response = client.submit(url(period, "inputs/new"), reaction(postmarked_on="2017-07-11"),
                             follow_redirects=True)
    assert response.status_code == 200
    assert "Reaction 1 has been recorded. It is on time." in text(response)
    response = client.submit(url(period, "inputs/new"), reaction(postmarked_on="2017-07-12"),
                             follow_redirects=True)
    assert "Reaction 2 has been recorded. It is late" in text(response)
    stored = list(db.session.scalars(select(Input).order_by(Input.number)))
    assert [(item.number, item.late) for item in stored] == [(1, False), (2, True)]
    late_only = text(client.get(url(period) + "?late=yes"))
    assert re.search(r'<th scope="row">2</th>', late_only)
    assert not re.search(r'<th scope="row">1</th>', late_only)


def test_a_reaction_needs_its_received_date_and_a_postmark_not_after_it(client, login_as, db,
                                                                        period):
    login_as("editor")
    response = client.submit(url(period, "inputs/new"), reaction(received_on=""))
    assert response.status_code == 400
    assert "Enter the date the reaction was received." in text(response)
    response = client.submit(url(period, "inputs/new"),
                             reaction(received_on="2017-07-01", postmarked_on="2017-07-02"))
    assert response.status_code == 400
    assert "The postmark date lies after the received date." in text(response)
    assert count(db, period) == 0


def test_a_reaction_from_a_stakeholder_found_by_search(client, login_as, db, period):
    sender = register.create(StakeholderData(name="Stichting Welzijn Oost",
                                             kind="organisation"))
    db.session.commit()
    login_as("editor")
    page = text(client.get(url(period, "inputs/new") + "?q=Welzijn"))
    assert f'value="{sender.id}"' in page and "Stichting Welzijn Oost" in page
    response = client.submit(url(period, "inputs/new"),
                             reaction(stakeholder_id=str(sender.id), received_on="2017-06-01"))
    assert response.status_code == 302
    listing = text(client.get(url(period)))
    assert "Stichting Welzijn Oost" in listing


def test_one_answer_covers_two_inputs(client, login_as, db, period, plan):
    first, second, third = input_services.add_inputs(period, [
        InputData(original_text=f"Zienswijze {n}", kind="zienswijze", channel="brief",
                  received_on=date(2017, 6, 1)) for n in (1, 2, 3)])
    section = plans.add_section(plan, "Schuldhulpverlening")
    db.session.commit()
    login_as("editor")
    page = text(client.get(url(period, "answer")))
    assert "1. Zienswijze 1" in page and "Schuldhulpverlening" in page
    response = client.submit(url(period, "answer"), {
        "input_ids": [str(first.id), str(second.id)], "text": "De termijn wordt verlengd.",
        "decision": "overgenomen", "changed_section_id": str(section.id),
        "versions": re.search(r'name="versions"[^>]*value="([^"]*)"', page).group(1)})
    assert response.status_code == 302
    answers = dict(db.session.execute(select(InputAnswer.input_id, InputAnswer.answer_id)).all())
    assert set(answers) == {first.id, second.id}
    assert answers[first.id] == answers[second.id]
    assert [item.id for item in input_services.open_inputs(period)] == [third.id]
    listing = text(client.get(url(period) + "?answered=no"))
    assert "Zienswijze 3" in listing and "Zienswijze 1" not in listing
    assert "Adopted" in text(client.get(url(period) + "?answered=yes"))


def test_an_answer_needs_inputs_and_a_text(client, login_as, db, period):
    input_services.add_input(period, InputData(original_text="Vraag", kind="vraag", channel="brief",
                                               received_on=date(2017, 6, 1)))
    db.session.commit()
    login_as("editor")
    response = client.submit(url(period, "answer"), {"text": "", "decision": "al_voorzien",
                                                     "changed_section_id": ""})
    assert response.status_code == 400
    page = text(response)
    assert "Choose the inputs this answer is for." in page and "Enter the answer." in page
    assert db.session.scalar(select(func.count()).select_from(InputAnswer)) == 0


def test_the_list_filters_by_kind_and_meeting_input_is_processed(client, login_as, db,
                                                                 meeting):
    idea, concern = input_services.add_inputs(meeting, [
        InputData(original_text="Een buurtkamer", kind="idee"),
        InputData(original_text="Te weinig vrijwilligers", kind="zorg")])
    db.session.commit()
    login_as("editor")
    page = text(client.get(url(meeting) + "?kind=idee"))
    assert "Een buurtkamer" in page and "Te weinig vrijwilligers" not in page
    versions = re.search(r'name="versions"[^>]*value="([^"]*)"', page).group(1)
    response = client.submit(url(meeting, "inputs/process"), {
        "input_ids": [str(idea.id)], "used": "yes", "versions": versions})
    assert response.status_code == 302
    db.session.refresh(idea)
    db.session.refresh(concern)
    assert (idea.processed, idea.used, concern.processed) == (True, True, False)
    page = text(client.get(url(meeting) + "?processed=no"))
    assert "Te weinig vrijwilligers" in page and "Een buurtkamer" not in page
    assert client.submit(url(meeting, "inputs/process"), {
        "used": "yes", "versions": versions}).status_code == 400


KINDS = ("idee", "zorg", "advies", "zienswijze", "vraag")
GROUPS = tuple(input_services.GROUPS)
CHANNELS = tuple(input_services.CHANNELS)


def seed_inputs(db, consultation, count: int, *, first_number: int, theme_id: int,
                answer_id: int, stakeholder_id: int | None = None) -> None:
    """``count`` inputs as plain rows in a few statements (SQLAlchemy Core executemany; the
    ORM one by one would take minutes): kinds, groups, channels and lateness mixed, every
    second input with ``theme_id``, every third covered by ``answer_id``."""
    numbers = range(first_number, first_number + count)
    db.session.execute(insert(Input.__table__), [
        {"consultation_id": consultation.id, "number": number, "kind": KINDS[number % 5],
         "participant_group": GROUPS[number % len(GROUPS)],
         "channel": CHANNELS[number % len(CHANNELS)], "original_text": f"Post-it {number}",
         "late": number % 7 == 0, "stakeholder_id": stakeholder_id if number % 11 == 0 else None}
        for number in numbers])
    ids = db.session.scalars(select(Input.id).where(
        Input.consultation_id == consultation.id, Input.number >= first_number)
        .order_by(Input.number)).all()
    db.session.execute(insert(InputTheme.__table__),
                       [{"input_id": input_id, "theme_id": theme_id} for input_id in ids[::2]])
    db.session.execute(insert(InputAnswer.__table__),
                       [{"input_id": input_id, "answer_id": answer_id} for input_id in ids[::3]])
    db.session.commit()


def list_filters(theme_id: int) -> dict[str, str]:
    """One query string per filter of the list (and none), each matching many inputs."""
    return {"none": "", "theme": f"theme_id={theme_id}", "kind": "kind=idee",
            "group": "participant_group=inwoner", "answered": "answered=yes",
            "unanswered": "answered=no", "late": "late=yes", "channel": "channel=mondeling",
            "combined": f"kind=zienswijze&answered=no&theme_id={theme_id}"}


def test_the_list_stays_paginated_with_the_same_queries_for_10_and_20000_inputs(
        client, login_as, db, plan, meeting, count_queries):
    theme = programme.add_theme(plan, "Meedoen")
    person = register.create(StakeholderData(name="Jan de Vries"))
    inputs = input_services.add_inputs(meeting, [
        InputData(original_text=f"Inbreng {n}", kind=KINDS[n % 5], stakeholder_id=person.id,
                  participant_group=GROUPS[n % len(GROUPS)], channel=CHANNELS[n % 4],
                  theme_ids=[theme.id]) for n in range(10)])
    answer = input_answers.answer(inputs[:3], "Zo doen we het.", "al_voorzien")
    inputs[7].late = True  # so that every filter finds some of the ten
    db.session.commit()
    login_as("viewer")
    filters = list_filters(theme.id)

    def measure() -> dict[str, tuple[int, int, str]]:
        """Per filter: (queries, table rows shown, the total in the caption)."""
        found = {}
        for name, query in filters.items():
            address = f"{url(meeting)}?{query}"
            db.session.expire_all()
            with count_queries() as counter:
                response = client.get(address)
            assert response.status_code == 200, name
            page = text(response)
            total = re.search(r"\((\d+) in all\)", page)
            found[name] = (counter.count, page.count('<th scope="row">'),
                           total.group(1) if total else "0")
        return found

    client.get(url(meeting))  # warm up
    small = measure()
    seed_inputs(db, meeting, 20_000, first_number=11, theme_id=theme.id,
                answer_id=answer.id, stakeholder_id=person.id)
    assert count(db, meeting) == 20_010
    large = measure()
    for name in filters:
        assert large[name][0] == small[name][0], (name, small[name], large[name])
        # the user, the consultation with its plan, its tables, the plan's themes, a page of
        # rows, their count, the trace targets, the answers, the rows' themes and co-signers
        assert large[name][0] <= 9, (name, large[name])
        assert large[name][1] == 25, (name, large[name])  # one page of rows, no more
        assert int(large[name][2]) > 25, (name, large[name])
    assert large["none"][2] == "20010"
    expected_late = 1 + sum(1 for number in range(11, 20_011) if number % 7 == 0)
    assert large["late"][2] == str(expected_late)
    assert "Post-it 1000" not in text(client.get(url(meeting)))  # not on the first page


def test_an_erased_person_shows_as_erased_and_anonymous_input_shows_no_name(
        client, login_as, db, meeting):
    person = register.create(StakeholderData(name="Jan de Vries"))
    input_services.add_inputs(meeting, [
        InputData(original_text="Meer bankjes", kind="idee", stakeholder_id=person.id),
        InputData(original_text="Anoniem idee", kind="idee")])
    db.session.commit()
    register.erase(person)
    db.session.commit()
    login_as("viewer")
    page = text(client.get(url(meeting)))
    assert "Jan de Vries" not in page
    assert "Meer bankjes" in page and "Anoniem idee" in page


def test_viewers_may_look_but_not_change(client, login_as, db, meeting):
    login_as("viewer")
    page = text(client.get(url(meeting)))
    assert "inputs/bulk" not in page and "inputs/new" not in page and "/answer" not in page
    for path in ("inputs/bulk", "inputs/new", "answer", "inputs/process"):
        assert client.submit(url(meeting, path), {}).status_code == 403
    assert count(db, meeting) == 0


def test_editors_see_the_links_and_a_missing_consultation_is_404(client, login_as, meeting):
    login_as("editor")
    page = text(client.get(url(meeting)))
    assert "inputs/bulk" in page and "inputs/new" in page
    assert client.get("/consultations/9999/inputs").status_code == 404
    assert client.get("/consultations/9999/inputs/bulk").status_code == 404


def test_a_read_only_plan_refuses_changes(client, login_as, db, plan, meeting):
    plans.set_archived(plan, True)
    db.session.commit()
    login_as("editor")
    assert client.get(url(meeting, "inputs/bulk")).status_code == 409
    response = client.submit(url(meeting, "inputs/bulk"), {
        "lines": "Een idee", "participant_group": "inwoner", "kind": "idee"})
    assert response.status_code == 409
    assert "This plan is archived" in text(response)
    assert client.submit(url(meeting, "inputs/process"), {"used": "yes"}).status_code == 409
    assert count(db, meeting) == 0
    assert "inputs/bulk" not in text(client.get(url(meeting)))
