"""Search everywhere (app/search): Dutch stems and folded accents on both databases, ranking,
escaped snippets, filters by kind and plan, permissions, erased persons never found, the index
following edits and deletes (also bulk statements), ``koers search reindex`` and garbage
queries."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, func, select, update

from app.consultations.inputs import answers as input_answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.models import Input
from app.consultations.inputs.services import InputData
from app.database import db
from app.plans import services as plans
from app.plans.programme import services as programme
from app.search import backends, services
from app.search.inputs import input_ids_matching
from app.search.models import SearchDocument
from app.stakeholders import services as register
from app.testing import make_consultation, make_plan, make_stakeholder


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def find(text: str, **filters) -> list[tuple[str, str]]:
    """(kind, plain title) of every result, best first (all pages)."""
    page = services.search(services.Query(text=text, **filters))
    assert page is not None
    found = []
    while True:
        found += [(r.kind, re.sub(r"</?mark>", "", str(r.title))) for r in page.items]
        if not page.has_next:
            return found
        page = services.search(services.Query(text=text, page=page.next_num, **filters))


def kinds(text: str, **filters) -> list[str]:
    return [kind for kind, _title in find(text, **filters)]


def inputs_matching(consultation, text: str) -> list[str]:
    ids = select(Input.original_text).where(
        Input.id.in_(input_ids_matching(consultation.id, text))).order_by(Input.number)
    return list(db.session.scalars(ids))


@pytest.fixture
def story(app, db):
    plan = make_plan("Koersplan Sociaal Domein", sections=[
        ("Inleiding", "Wij ontvingen veel **zienswijzen** over het café aan de Markt.")],
        themes=["Meedoen en ontmoeten"])
    other = make_plan("Woonvisie", sections=[("Wonen", "Een zienswijze over woningen.")],
                      themes=[])
    consultation = make_consultation(plan, "Ter inzage", inputs=[
        "Mijn zienswijze over de fietspaden.", "Goede ideeën voor het buurthuis.",
        "Het cafe in het dorp moet blijven.", "Iets heel anders: parkeren."], kind="zorg")
    return plan, other, consultation


def test_stemming_finds_plural_and_singular_and_inputs_by_text(db, story):
    _plan, _other, consultation = story
    assert inputs_matching(consultation, "zienswijzen") == ["Mijn zienswijze over de fietspaden."]
    assert inputs_matching(consultation, "fietspad") == ["Mijn zienswijze over de fietspaden."]
    found = find("zienswijzen")
    assert ("section", "Inleiding") in found and ("section", "Wonen") in found
    assert ("input", "1") in found
    # every word must match
    assert inputs_matching(consultation, "zienswijze parkeren") == []


def test_accents_are_ignored_both_ways(db, story):
    _plan, _other, consultation = story
    assert inputs_matching(consultation, "ideeen") == ["Goede ideeën voor het buurthuis."]
    assert inputs_matching(consultation, "idee") == ["Goede ideeën voor het buurthuis."]
    assert inputs_matching(consultation, "café") == ["Het cafe in het dorp moet blijven."]
    assert ("section", "Inleiding") in find("cafe")  # the section says "café"


def test_titles_rank_above_bodies_and_more_matches_above_fewer(db, story):
    make_plan("Fietspaden in de wijk", sections=[], themes=[])
    found = find("fietspaden")
    assert found[0] == ("plan", "Fietspaden in de wijk")
    assert ("input", "1") in found


def test_snippets_are_escaped_and_marked(client, login_as, db, story):
    _plan, _other, consultation = story
    input_services.add_input(consultation, InputData(
        original_text='<script>alert("x")</script> Een zienswijze & meer', kind="zorg"))
    db.session.commit()
    login_as("viewer")
    page = client.get("/search?q=zienswijzen&kind=input").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Een <mark>zienswijze</mark> " \
           "&amp; meer" in page
    assert "Input 5" in page and "Input 1" in page
    assert "Section" not in page.split("search-results")[1]  # kind filter: inputs only


def test_filters_by_kind_and_plan(db, story):
    plan, other, _consultation = story
    assert set(kinds("zienswijze")) == {"section", "input"}
    assert kinds("zienswijze", kind="section") == ["section", "section"]
    assert find("zienswijze", plan_id=other.id) == [("section", "Wonen")]
    assert set(kinds("zienswijze", plan_id=plan.id)) == {"section", "input"}


def test_pages_of_twenty_with_a_bounded_number_of_queries(client, login_as, db,
                                                          count_queries, story):
    _plan, _other, consultation = story
    input_services.add_inputs(consultation, [
        InputData(original_text=f"Zienswijze nummer {n} over het buurthuis", kind="zorg")
        for n in range(45)])
    db.session.commit()
    login_as("viewer")
    first = client.get("/search?q=buurthuis").get_data(as_text=True)
    assert "Found: 46" in first and first.count('class="search-result"') == 20
    with count_queries() as counter:
        third = client.get("/search?q=buurthuis&page=3")
    assert third.get_data(as_text=True).count('class="search-result"') == 6
    assert counter.count <= 8, counter.statements


def test_answers_and_stakeholders_are_found_and_linked(client, login_as, db, story):
    _plan, _other, consultation = story
    item = db.session.scalar(select(Input).where(Input.consultation_id == consultation.id,
                                                 Input.number == 2))
    input_answers.answer([item], "Wij nemen uw suggesties over het buurthuis over.",
                         "overgenomen")
    make_stakeholder("Stichting Buurtwerk Noord")
    db.session.commit()
    login_as("viewer")
    page = client.get("/search?q=suggestie").get_data(as_text=True)
    assert f'href="/consultations/inputs/{item.id}"' in page
    page = client.get("/search?q=buurtwerk").get_data(as_text=True)
    assert "Stichting <mark>Buurtwerk</mark> Noord" in page


def test_stakeholders_only_for_those_who_may_see_the_register(client, login_as, app, db,
                                                              story):
    make_stakeholder("Stichting Buurtwerk Noord")
    login_as("viewer")
    assert "Buurtwerk" in client.get("/search?q=buurtwerk").get_data(as_text=True)
    # a register restricted to administrators (as a municipality might decide)
    view = app.view_functions["stakeholders.index"]
    view._koers_permission = "view_audit"
    try:
        page = client.get("/search?q=buurtwerk&kind=stakeholder").get_data(as_text=True)
        assert "Buurtwerk" not in page and 'value="stakeholder"' not in page
        login_as("admin")
        assert "Buurtwerk" in client.get("/search?q=buurtwerk").get_data(as_text=True)
    finally:
        view._koers_permission = "view"


def test_signed_out_visitors_are_sent_to_sign_in(client, db, story):
    response = client.get("/search?q=zienswijze")
    assert response.status_code == 302 and "/login" in response.location


def test_erased_persons_are_never_found(db, story):
    person = make_stakeholder("Jantje Zienswijzer", kind="person")
    organisation = make_stakeholder("Huurdersvereniging Oost")
    register.add_membership(person, organisation)
    db.session.commit()
    assert find("zienswijzer") == [("stakeholder", "Jantje Zienswijzer")]
    assert ("stakeholder", "Jantje Zienswijzer") in find("huurdersvereniging")
    register.erase(person)
    db.session.commit()
    assert find("jantje") is not None and "Jantje" not in str(find("jantje"))
    assert db.session.scalar(select(func.count()).select_from(SearchDocument).where(
        SearchDocument.kind == "stakeholder", SearchDocument.record_id == person.id)) == 0


def test_the_index_follows_edits_and_deletes(db, story):
    plan, _other, _consultation = story
    section = plans.sections_of(plan)[0]
    plans.update_section(section, "Inleiding", "Nu over de bibliotheek.")
    theme = programme.themes_of(plan)[0]
    programme.update_theme(theme, "Gezondheid", None)
    db.session.commit()
    assert set(find("zienswijzen")) == {("section", "Wonen"), ("input", "1")}
    assert find("bibliotheken") == [("section", "Inleiding")]
    assert find("gezond") == [("theme", "Gezondheid")] and find("ontmoeten") == []
    plans.delete_section(section)
    db.session.commit()
    assert find("bibliotheek") == []
    organisation = make_stakeholder("Huurdersvereniging Oost")
    person = make_stakeholder("Piet Paulusma", kind="person")
    register.add_membership(person, organisation)
    db.session.commit()
    register.update_stakeholder(organisation, register.StakeholderData(
        name="Bewonersraad", kind="organisation"))
    db.session.commit()
    assert ("stakeholder", "Piet Paulusma") in find("bewonersraad")


def test_bulk_statements_on_indexed_models_are_followed(db, story):
    _plan, _other, consultation = story
    db.session.execute(update(Input).where(Input.number == 4,
                                           Input.consultation_id == consultation.id)
                       .values(summary="Over de bibliotheek"))
    db.session.commit()
    assert find("bibliotheek") == [("input", "4")]
    db.session.execute(delete(Input).where(Input.number == 4,
                                           Input.consultation_id == consultation.id))
    db.session.commit()
    assert find("bibliotheek") == []


def test_reindex_rebuilds_everything(app, db, story):
    _plan, _other, consultation = story
    db.session.execute(delete(SearchDocument).where(SearchDocument.kind == "input"))
    db.session.commit()
    assert inputs_matching(consultation, "zienswijze") == []
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "input: 4" in result.output
    assert inputs_matching(consultation, "zienswijze") == ["Mijn zienswijze over de fietspaden."]
    assert ("section", "Inleiding") in find("zienswijze")


@pytest.mark.parametrize("garbage", [
    '"', '""', "'", "*", "NEAR", "NEAR(a b)", "a OR", "AND", "-", "^", ":", "(", ")",
    "zien*", '"zienswijze', "title:zienswijze", "zienswijze | café & !", "\\", "%", "_",
    "de het een", "x" * 5000, "ĳ ﬁ ẞ", "\x00", "😀"])
def test_garbage_queries_give_a_clear_message_never_an_error(client, login_as, db, story,
                                                             garbage):
    login_as("viewer")
    response = client.get("/search", query_string={"q": garbage})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert ("no words to look for" in page or "too long" in page or "Nothing found" in page
            or "Found:" in page)
    assert inputs_matching(story[2], garbage) is not None


def test_operator_words_are_searched_as_words(db, story):
    assert kinds("zienswijze OR parkeren") == []  # "or" is a word here, and not found
    assert kinds('"zienswijze"') == kinds("zienswijze")
    assert kinds("NEAR zienswijze") == []


def test_the_header_search_box_leads_to_the_results(client, login_as, db, story):
    login_as("viewer")
    page = client.get("/plans/").get_data(as_text=True)
    assert 'action="/search"' in page and 'for="header-search-q"' in page
    empty = client.get("/search").get_data(as_text=True)
    assert "Found:" not in empty and "no words" not in empty


def test_a_very_broad_search_counts_up_to_the_limit(client, login_as, db, story, monkeypatch):
    _plan, _other, consultation = story
    input_services.add_inputs(consultation, [
        InputData(original_text=f"Zienswijze nummer {n} over het buurthuis", kind="zorg")
        for n in range(45)])
    db.session.commit()
    monkeypatch.setattr(backends, "COUNT_LIMIT", 40)
    monkeypatch.setattr(services, "COUNT_LIMIT", 40)
    login_as("viewer")
    first = client.get("/search?q=buurthuis").get_data(as_text=True)
    assert "Found: more than 40." in first and first.count('class="search-result"') == 20
    assert "page=2" in first and "page=3" not in first  # the pages end at the limit
    page = services.search(services.Query(text="buurthuis", page=2))
    assert page.more and page.total == 40 and len(page.items) == 20
    past = services.search(services.Query(text="buurthuis", page=4))
    assert past.more and past.total == 40 and past.items == []
    exact = services.search(services.Query(text="fietspaden"))
    assert not exact.more and exact.total == 1


def test_titles_rank_first_however_common_the_word(db, story, monkeypatch):
    """PostgreSQL ranks the newest matches and every title match of a very common word: an old
    document whose title matches still comes first."""
    make_plan("Het buurthuis", sections=[], themes=[])
    _plan, _other, consultation = story
    input_services.add_inputs(consultation, [
        InputData(original_text=f"Nummer {n}: het buurthuis, het buurthuis", kind="zorg")
        for n in range(12)])
    db.session.commit()
    monkeypatch.setattr(backends, "RANKED", 5)
    monkeypatch.setattr(backends, "COUNT_LIMIT", 4)
    monkeypatch.setattr(services, "COUNT_LIMIT", 4)
    page = services.search(services.Query(text="buurthuis"))
    assert page.more
    assert (page.items[0].kind, str(page.items[0].title)) == ("plan", "Het <mark>buurthuis</mark>")
    assert {result.kind for result in page.items[1:]} == {"input"}
