"""Pillars: the main pillar, pillar budgets and indicators, the overview and the plan panel."""

from __future__ import annotations

import re

from coevorden_helpers import PILLARS, beleidsplan, pillar, text
from koers_coevorden.models import Indicator, Pillar
from sqlalchemy import select


def test_the_overview_shows_goals_actions_and_budgets_per_pillar(client, login_as, db):
    login_as("editor")
    plan = beleidsplan(client, db)
    meedoen = pillar(db, plan, "Meedoen & meetellen")
    client.submit(f"/plans/{plan.id}/themes/{meedoen.id}/goals/new",
                  {"title": "Inwoners doen hun verhaal één of twee keer"})
    response = client.submit(f"/plans/{plan.id}/actions/new", {
        "title": "Eén gezamenlijk dossier", "theme_id": str(meedoen.id), "budget": "1.250,50",
        "status": "planned", "progress": "0"})
    assert response.status_code == 302, text(response)
    response = client.submit(f"/p/coevorden/pillars/{meedoen.id}", {
        "is_main": "y", "budget": "250.000,00", "version": "0"})
    assert response.status_code == 302, text(response)

    page = text(client.get(f"/p/coevorden/plans/{plan.id}"))
    rows = re.findall(r"<tr>\s*<th scope=\"row\">(.*?)</tr>", page, re.S)
    assert rows[0].startswith("Meedoen &amp; meetellen")  # the main pillar first
    assert "hoofdpijler" in rows[0] or "main pillar" in rows[0]
    assert "Inwoners doen hun verhaal" in rows[0]
    assert "€\xa01.250,50" in rows[0] and "€\xa0250.000,00" in rows[0]
    plan_page = text(client.get(f"/plans/{plan.id}"))
    assert "€\xa0250.000,00" in plan_page  # the plan panel


def test_there_is_one_main_pillar_per_plan(client, login_as, db):
    login_as("editor")
    plan = beleidsplan(client, db)
    first, second = pillar(db, plan, PILLARS[0]), pillar(db, plan, PILLARS[1])
    client.submit(f"/p/coevorden/pillars/{first.id}", {"is_main": "y", "version": "0"})
    client.submit(f"/p/coevorden/pillars/{second.id}", {"is_main": "y", "version": "0"})
    db.session.expire_all()
    main = list(db.session.scalars(select(Pillar.theme_id).where(Pillar.is_main.is_(True))))
    assert main == [second.id]


def test_a_stale_pillar_edit_is_refused_and_a_negative_budget_too(client, login_as, db):
    client.set_cookie("koers_language", "en")
    login_as("editor")
    plan = beleidsplan(client, db)
    theme = pillar(db, plan, "Voorkomen")
    assert client.submit(f"/p/coevorden/pillars/{theme.id}",
                         {"budget": "100", "version": "0"}).status_code == 302
    stale = client.submit(f"/p/coevorden/pillars/{theme.id}", {"budget": "5", "version": "0"})
    assert stale.status_code == 409 and "Someone else changed this pillar" in text(stale)
    bad = client.submit(f"/p/coevorden/pillars/{theme.id}", {"budget": "-5", "version": "1"})
    assert bad.status_code == 400 and "negative" in text(bad)
    db.session.expire_all()
    assert db.session.scalar(select(Pillar.budget).where(Pillar.theme_id == theme.id)) == 100


def test_indicators_are_added_shown_and_removed(client, login_as, db):
    client.set_cookie("koers_language", "en")
    login_as("editor")
    plan = beleidsplan(client, db)
    theme = pillar(db, plan, "Dichtbij")
    empty = client.submit(f"/p/coevorden/pillars/{theme.id}/indicators", {"name": ""})
    assert empty.status_code == 400 and "Enter a name." in text(empty)
    client.submit(f"/p/coevorden/pillars/{theme.id}/indicators", {
        "name": "Kernen met een aanspreekpunt", "baseline": "8", "target": "16"})
    page = text(client.get(f"/p/coevorden/plans/{plan.id}"))
    assert "Kernen met een aanspreekpunt" in page and "16" in page
    indicator = db.session.scalars(select(Indicator)).one()
    client.submit(f"/p/coevorden/indicators/{indicator.id}/delete")
    assert db.session.scalar(select(Indicator.id)) is None


def test_a_viewer_reads_but_cannot_change(client, login_as, db):
    login_as("editor")
    plan = beleidsplan(client, db)
    theme = pillar(db, plan, "Innovatie")
    client.submit("/logout")
    login_as("viewer")
    assert client.get(f"/p/coevorden/plans/{plan.id}").status_code == 200
    assert client.get("/p/coevorden/").status_code == 200
    assert client.get(f"/p/coevorden/pillars/{theme.id}").status_code == 403


def test_the_overview_makes_the_same_number_of_queries_for_few_and_many(
        client, login_as, db, count_queries):
    login_as("editor")
    plan = beleidsplan(client, db)
    with count_queries() as few:
        assert client.get(f"/p/coevorden/plans/{plan.id}").status_code == 200
    for n in range(20):
        client.submit(f"/plans/{plan.id}/themes/new", {"name": f"Extra pijler {n}"})
    with count_queries() as many:
        page = text(client.get(f"/p/coevorden/plans/{plan.id}"))
    assert "Extra pijler 19" in page
    assert many.count == few.count
