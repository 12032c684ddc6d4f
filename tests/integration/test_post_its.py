"""Post-its of a meeting at volume: bulk entry with the table's theme and a kind per line,
and processing on the input list with the filters, page and page size kept, every input of
a page at once, and the list by table."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from app.consultations import services
from app.consultations.inputs import services as input_services
from app.consultations.inputs.models import Input, InputTheme
from app.consultations.inputs.services import InputData
from app.plans.programme import services as programme


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def url(consultation, path: str = "inputs") -> str:
    return f"/consultations/{consultation.id}/{path}"


def stored(db, consultation) -> list[Input]:
    return list(db.session.scalars(select(Input).where(
        Input.consultation_id == consultation.id).order_by(Input.number)))


def themes_of(db, item: Input) -> set[int]:
    return set(db.session.scalars(select(InputTheme.theme_id).where(
        InputTheme.input_id == item.id)))


def versions_on(page: str) -> str:
    return re.search(r'name="versions"[^>]*value="([^"]*)"', page).group(1)


def test_post_its_get_their_tables_theme_unless_themes_are_chosen(client, login_as, db, plan,
                                                                  meeting):
    poverty = programme.add_theme(plan, "Armoede")
    lonely = programme.add_theme(plan, "Eenzaamheid")
    table = services.add_table(meeting, "Armoede en schulden", theme=poverty)
    bare = services.add_table(meeting, "Vrije tafel")
    db.session.commit()
    login_as("editor")
    form = {"lines": "Schuldhulp dichterbij", "table_id": str(table.id),
            "participant_group": "inwoner", "kind": "idee"}
    response = client.submit(url(meeting, "inputs/bulk"), form)
    assert response.status_code == 302
    page = text(client.get(response.location))  # the table is kept, its theme ticked
    assert re.search(rf'checked[^>]*value="{poverty.id}"|value="{poverty.id}"[^>]*checked',
                     page)
    client.submit(url(meeting, "inputs/bulk"), {**form, "lines": "Een eigen keuze",
                                                "theme_ids": [str(lonely.id)]})
    client.submit(url(meeting, "inputs/bulk"), {**form, "lines": "Geen thema",
                                                "table_id": str(bare.id)})
    first, chosen, none = stored(db, meeting)
    assert themes_of(db, first) == {poverty.id}
    assert themes_of(db, chosen) == {lonely.id}
    assert themes_of(db, none) == set()


def test_a_line_may_start_with_its_kind(client, login_as, db, meeting):
    login_as("editor")
    page = text(client.get(url(meeting, "inputs/bulk")))
    assert "idea: more benches in the park" in page and "concern" in page
    lines = "\n".join(["Idee: Een buurtkamer", "ZORG: Te weinig vrijwilligers",
                       "Zienswijze: Tegen de bezuiniging", "Concern :  Eenzame ouderen",
                       "Let op: de bibliotheek", "Gewoon advies", "vraag:"])
    response = client.submit(url(meeting, "inputs/bulk"), {
        "lines": lines, "participant_group": "inwoner", "kind": "advies"})
    assert response.status_code == 302
    assert [(item.kind, item.original_text) for item in stored(db, meeting)] == [
        ("idee", "Een buurtkamer"), ("zorg", "Te weinig vrijwilligers"),
        ("zienswijze", "Tegen de bezuiniging"), ("zorg", "Eenzame ouderen"),
        ("advies", "Let op: de bibliotheek"), ("advies", "Gewoon advies")]


def add_post_its(db, meeting, count: int, tables: int) -> list:
    made = [services.add_table(meeting, f"Tafel {n}") for n in range(1, tables + 1)]
    input_services.add_inputs(meeting, [
        InputData(original_text=f"Post-it {n}", kind="idee", table_id=made[n % tables].id)
        for n in range(1, count + 1)])
    db.session.commit()
    return made


def test_the_list_shows_and_filters_by_table(client, login_as, db, meeting):
    _first, second = add_post_its(db, meeting, 4, 2)
    login_as("editor")
    page = text(client.get(url(meeting) + f"?table_id={second.id}"))
    assert "Post-it 1<" in page and "Post-it 2<" not in page
    assert "Tafel 2" in page and re.search(r'<select[^>]*name="table_id"', page)


def test_processing_keeps_the_filters_page_size_and_page(client, login_as, db, meeting):
    first, _second = add_post_its(db, meeting, 120, 2)
    login_as("editor")
    query = f"?table_id={first.id}&per_page=50&page=2&processed=no"
    page = text(client.get(url(meeting) + query))
    assert page.count('name="input_ids"') == 10
    listed = [int(part.split(":")[0]) for part in versions_on(page).split()]
    response = client.submit(url(meeting, "inputs/process") + query, {
        "input_ids": [str(listed[0])], "used": "no", "versions": versions_on(page)})
    assert response.status_code == 302
    assert parse_qs(urlparse(response.location).query) == {
        "table_id": [str(first.id)], "per_page": ["50"], "page": ["2"], "processed": ["no"]}
    page = text(client.get(response.location))
    assert page.count('name="input_ids"') == 9  # the same list, one fewer
    refused = client.submit(url(meeting, "inputs/process") + query, {
        "versions": versions_on(page)})
    assert refused.status_code == 400
    assert "Choose the inputs to process." in text(refused)
    assert text(refused).count('name="input_ids"') == 9  # the same filtered page


def test_every_input_on_the_page_at_once_and_a_page_size_choice(client, login_as, db,
                                                                  meeting):
    add_post_its(db, meeting, 60, 1)
    login_as("editor")
    page = text(client.get(url(meeting) + "?per_page=50"))
    assert page.count('name="input_ids"') == 50
    assert re.search(r'<select[^>]*name="per_page"', page)
    assert "Mark all 50 inputs on this page processed" in page
    response = client.submit(url(meeting, "inputs/process") + "?per_page=50", {
        "whole_page": "y", "used": "yes", "versions": versions_on(page)})
    assert response.status_code == 302
    processed = [item.number for item in stored(db, meeting) if item.processed]
    assert processed == list(range(1, 51))
    assert text(client.get(url(meeting) + "?per_page=1000")).count('name="input_ids"') == 25


def test_marking_200_post_its_over_6_tables_takes_a_few_interactions(client, login_as, db,
                                                                      meeting):
    """Per table: show its unprocessed post-its, 200 on a page, and mark them all used."""
    tables = add_post_its(db, meeting, 200, 6)
    login_as("editor")
    interactions = 0
    for table in tables:
        page = text(client.get(url(meeting) + f"?table_id={table.id}&processed=no&per_page=200"))
        response = client.submit(
            url(meeting, "inputs/process") + f"?table_id={table.id}&processed=no&per_page=200",
            {"whole_page": "y", "used": "yes", "versions": versions_on(page)})
        assert response.status_code == 302
        interactions += 2
    assert all(item.processed and item.used for item in stored(db, meeting))
    per_post_it = interactions / 200
    print(f"{interactions} interactions for 200 post-its: {per_post_it:.2f} per post-it")
    assert per_post_it <= 0.06
