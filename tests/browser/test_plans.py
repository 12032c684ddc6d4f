"""A policy adviser works on a plan in the browser: creates it, sees a step refused with every
reason, gives it three themes with goals and actions and a child programme, takes it through
the default workflow with past decision dates, compares the ontwerp and vastgesteld revisions
and reads the history. A concurrent edit shows the conflict page; a viewer reads but cannot
change. Every page is scanned with axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.database import db
from app.plans import services
from app.plans.models import Action, Plan
from app.plans.programme import services as programme
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData

pytestmark = pytest.mark.browser

TITLE = "Samen Krachtig"
SAVE = re.compile("^(Opslaan|Save)$")
THEMES = [("Meedoen & meetellen", "Iedereen doet mee", "Eén verhaal, één keer", "1.250,50"),
          ("Voorkomen", "Problemen eerder zien", "Preventie bij de huisarts", "€ 20.000"),
          ("Dichtbij", "Hulp in de wijk", "Wijkteams in elk dorp", "7500")]


def tab(page, name: str):
    return page.get_by_role("navigation", name=re.compile("Onderdelen van dit plan|Parts of "
                                                           "this plan")).get_by_role(
        "link", name=re.compile(name))


def submit(page) -> None:
    page.get_by_role("main").locator("form button[type=submit]").last.click()


@pytest.fixture
def wethouder(app):
    person = register.create(StakeholderData(name="Joop Brink", categories=["wethouder"]))
    db.session.commit()
    return person


def test_a_plan_from_concept_to_adoption(browser_page, axe_check, signed_in, make_user,
                                         wethouder):
    page = browser_page
    signed_in(make_user("editor", name="Eva Editor"))
    page.goto("/")
    axe_check()
    page.get_by_role("navigation", name=re.compile("Hoofdmenu|Main menu")).get_by_role(
        "link", name=re.compile("Beleidsplannen|Policy plans")).click()
    axe_check()

    # --- a new plan -----------------------------------------------------------------------
    page.get_by_role("main").get_by_role("link", name=re.compile(
        "Nieuw beleidsplan|New policy plan")).click()
    axe_check()
    page.get_by_label(re.compile("^(Titel|Title)$")).fill(TITLE)
    page.get_by_label(re.compile("Soort plan|Kind of plan")).select_option("beleidsplan")
    page.get_by_label("Wmo 2015").check()
    page.get_by_label("Participatiewet").check()
    page.get_by_label(re.compile("Begin van de periode|Start of the period")).fill("2017-01-01")
    submit(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    axe_check()
    plan_id = int(re.search(r"/plans/(\d+)$", page.url).group(1))

    # --- a step refused with every reason ---------------------------------------------------
    page.get_by_role("link", name=re.compile("Het college stelt het ontwerp vast|The college "
                                             "adopts the draft")).click()
    alert = page.get_by_role("alert")
    expect(alert.get_by_role("listitem")).to_have_count(2)
    expect(alert).to_contain_text(re.compile("geen tekst|no text"))
    expect(alert).to_contain_text(re.compile("geen thema|no themes"))
    axe_check()

    # --- text, themes, goals, actions -------------------------------------------------------
    tab(page, "^(Tekst|Text)$").click()
    axe_check()
    page.get_by_label(re.compile("^(Kop|Heading)$")).fill("Meedoen en meetellen")
    page.get_by_label(re.compile("^(Tekst|Text)$")).fill(
        "Iedereen doet op zijn eigen manier mee.\n\n- inwoners\n- partners")
    submit(page)
    expect(page.get_by_role("main").locator(".markdown li")).to_have_count(2)
    axe_check()

    for theme, goal, action, budget in THEMES:
        tab(page, "Thema|Themes").click()
        axe_check()
        page.get_by_role("main").get_by_role("link", name=re.compile(
            "^(Nieuw thema|New theme)$")).click()
        axe_check()
        page.get_by_label(re.compile("^(Naam|Name)$")).fill(theme)
        submit(page)
        axe_check()
        page.get_by_role("link", name=re.compile(rf"(Nieuw doel|New goal) \({re.escape(theme)}"
                                                 r"\)")).click()
        axe_check()
        page.get_by_label(re.compile("^(Titel|Title)$")).fill(goal)
        submit(page)
        axe_check()
        page.get_by_role("link", name=re.compile(
            rf"(Nieuwe actie|New action) \({re.escape(theme)}\)")).click()
        axe_check()
        page.get_by_label(re.compile("^(Titel|Title)$")).fill(action)
        page.get_by_label(re.compile("Budget")).fill(budget)
        submit(page)
        expect(page.get_by_role("main")).to_contain_text(action)
        axe_check()
    tab(page, "Thema|Themes").click()
    axe_check()
    expect(page.get_by_role("main")).to_contain_text("€ 28.750,50")  # the programme's total
    expect(page.get_by_role("img")).to_have_count(1)  # the progress chart, with its text

    # --- a child programme for one theme ----------------------------------------------------
    tab(page, "Overzicht|Overview").click()
    axe_check()
    page.get_by_role("link", name=re.compile("programma of plan|programme or plan")).click()
    axe_check()
    page.get_by_label(re.compile("^(Titel|Title)$")).fill("Uitvoeringsprogramma voorkomen")
    page.get_by_label(re.compile("Soort plan|Kind of plan")).select_option(
        "uitvoeringsprogramma")
    page.get_by_label(re.compile("Onderdeel van|Part of")).select_option(
        label=f"{TITLE} — Voorkomen")
    submit(page)
    expect(page.get_by_role("main")).to_contain_text(TITLE)
    axe_check()
    page.get_by_role("main").get_by_role("link", name=TITLE).click()
    axe_check()
    expect(page.get_by_role("main")).to_contain_text("Uitvoeringsprogramma voorkomen")

    # --- the college adopts the draft, on a past date -----------------------------------------
    page.get_by_role("link", name=re.compile("Het college stelt het ontwerp vast|The college "
                                             "adopts the draft")).click()
    axe_check()
    page.get_by_label(re.compile("collegebesluit|college's decision")).fill("2017-05-16")
    submit(page)
    expect(page.locator(".utrecht-alert--ok")).to_be_visible()
    axe_check()

    # the text changes after the inspraak; then the council adopts (it needs an opdrachtgever)
    page.get_by_role("link", name=re.compile("^(Bewerken|Edit)$")).click()
    axe_check()
    page.get_by_label("Opdrachtgever").select_option(label="Joop Brink")
    submit(page)
    axe_check()
    tab(page, "^(Tekst|Text)$").click()
    axe_check()
    page.get_by_role("link", name=re.compile("Meedoen en meetellen")).first.click()
    axe_check()
    body = page.get_by_label(re.compile("^(Tekst|Text)$"))
    body.fill(body.input_value() + "\n\nAangevuld na de inspraakbijeenkomsten.")
    submit(page)
    axe_check()
    tab(page, "Overzicht|Overview").click()
    axe_check()
    page.get_by_role("link", name=re.compile("De raad stelt het plan vast|The council adopts "
                                             "the plan")).click()
    axe_check()
    page.get_by_label(re.compile("raadsbesluit|council's decision")).fill("2017-10-31")
    submit(page)
    expect(page.locator(".utrecht-paragraph--lead")).to_contain_text(re.compile("Vastgesteld|Adopted"))
    axe_check()

    # --- the revisions compared, and the history -------------------------------------------------
    tab(page, "Geschiedenis|History").click()
    axe_check()
    history = page.get_by_role("table").first
    expect(history).to_contain_text(re.compile(r"16[-/]05[-/]2017"))
    expect(history).to_contain_text(re.compile(r"31[-/]10[-/]2017"))
    page.get_by_role("link", name=re.compile("Versies en verschillen|Revisions and "
                                             "differences")).click()
    axe_check()
    page.get_by_label(re.compile("^(Vergelijk|Compare)$")).select_option(index=0)
    page.get_by_label(re.compile("^(met|with)$")).select_option(index=1)
    page.get_by_role("button", name=re.compile("Verschillen tonen|Show the differences")).click()
    expect(page.locator("ins.diff__line--added").filter(
        has_text="Aangevuld na de inspraakbijeenkomsten.")).to_have_count(1)
    axe_check()
    plan = db.session.get(Plan, plan_id)
    db.session.refresh(plan)
    assert plan.phase == "vastgesteld"
    assert db.session.scalars(select(Action.budget).where(Action.plan_id == plan_id)).all()


def test_a_concurrent_edit_shows_the_conflict_page(app, browser_page, axe_check, signed_in,
                                                   make_user):
    plan = services.create_plan(PlanData(title="Koersplan sociaal domein 2020",
                                         kind="koersdocument"))
    db.session.commit()
    page = browser_page
    signed_in(make_user("editor"))
    page.goto(f"/plans/{plan.id}/edit")
    axe_check()
    page.get_by_label(re.compile("^(Titel|Title)$")).fill("Koersplan 2020 (mijn versie)")
    # meanwhile a colleague saves
    services.update_plan(plan, PlanData(title="Koersplan 2020 (versie collega)",
                                        kind="koersdocument"))
    db.session.commit()
    submit(page)
    main = page.get_by_role("main")
    expect(main).to_contain_text("Koersplan 2020 (versie collega)")
    expect(main).to_contain_text("Koersplan 2020 (mijn versie)")
    axe_check()
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).title == "Koersplan 2020 (versie collega)"


def test_a_viewer_reads_but_cannot_change(app, browser_page, axe_check, signed_in, make_user):
    plan = services.create_plan(PlanData(title="Beleidskader sociaal domein",
                                         kind="beleidskader"))
    services.add_section(plan, "Inleiding", "Samen denken, samen doen.")
    programme.add_theme(plan, "Armoede")
    db.session.commit()
    page = browser_page
    signed_in(make_user("viewer"))
    page.goto(f"/plans/{plan.id}")
    axe_check()
    for name in ("^(Tekst|Text)$", "Thema|Themes", "Betrokkenheid|Involvement",
                 "Geschiedenis|History"):
        tab(page, name).click()
        axe_check()
        main = page.get_by_role("main")
        expect(main.get_by_role("button")).to_have_count(0)
        expect(main.get_by_role("link", name=re.compile("^(Bewerken|Edit)"))).to_have_count(0)
    response = page.goto(f"/plans/{plan.id}/edit")
    assert response.status == 403
    axe_check()
