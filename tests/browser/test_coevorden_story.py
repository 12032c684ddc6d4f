"""Coevorden's story in the browser: the pillar overview with the main pillar, the ontwerp
laid open for inspection with its computed last day (Wednesday 31 May 2017 → Tuesday 11 July
2017), and the reactions refused as answered while one is still without an answer. Every page
is scanned with axe."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from app.config import PROJECT_HOME
from app.database import db
from app.plans import services as plans
from app.plans import transitions
from app.plans.programme import services as programme
from app.plans.services import PlanData

pytestmark = pytest.mark.browser

PILLARS = ("Meedoen & meetellen", "Voorkomen", "Samenwerken", "Dichtbij", "Innovatie")


@pytest.fixture
def enabled_plugins():
    return ["coevorden"]


@pytest.fixture
def municipality_dir():
    return PROJECT_HOME / "municipalities" / "coevorden"


@pytest.fixture
def ontwerp(app, make_user):
    editor = make_user("editor", name="Sanne Adviseur")
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"),
                             actor=editor)
    plans.add_section(plan, "Iedereen doet mee", "Op zijn eigen manier.", actor=editor)
    for name in PILLARS:
        programme.add_theme(plan, name, actor=editor)
    db.session.flush()
    transitions.take(plan, "coevorden.adopt_draft", user=editor,
                     values={"decided_on": date(2017, 5, 16)})
    db.session.commit()
    return editor, plan


def submit(page) -> None:
    page.get_by_role("main").locator("form button[type=submit]").last.click()


def test_pillars_lay_open_and_the_refused_answering(browser_page, axe_check, signed_in,
                                                    ontwerp):
    page = browser_page
    editor, plan = ontwerp
    signed_in(editor)
    page.goto("/")
    axe_check()

    # --- the pillar overview: the main pillar first, with its budget ---------------------
    page.get_by_role("navigation", name=re.compile("Hoofdmenu|Main menu")).get_by_role(
        "link", name=re.compile("^(Pijlers|Pillars)$")).click()
    axe_check()
    page.get_by_role("main").get_by_role("link", name="Samen Krachtig").click()
    axe_check()
    page.get_by_role("link", name=re.compile("pijler Voorkomen bewerken|pillar Voorkomen")
                     ).click()
    axe_check()
    page.get_by_label(re.compile("hoofdpijler|main pillar")).check()
    page.get_by_label(re.compile("Budget van de pijler|Pillar budget")).fill("650.000,00")
    page.get_by_role("main").locator("form").first.locator("button[type=submit]").click()
    axe_check()
    first_row = page.get_by_role("table").first.locator("tbody tr").first
    expect(first_row).to_contain_text("Voorkomen")
    expect(first_row).to_contain_text(re.compile("hoofdpijler|main pillar"))
    expect(first_row).to_contain_text("650.000,00")

    # --- the ontwerp laid open: the comment period opens with its computed last day -------
    page.goto(f"/plans/{plan.id}")
    axe_check()
    page.get_by_role("link", name=re.compile("ontwerp ter inzage leggen|open for inspection")
                     ).click()
    axe_check()
    page.get_by_label(re.compile("Eerste dag|First day")).fill("2017-05-31")
    submit(page)
    axe_check()
    page.get_by_role("navigation", name=re.compile("Onderdelen van dit plan|Parts of this plan")
                     ).get_by_role("link", name=re.compile("Inspraak|Consultation")).click()
    axe_check()
    page.get_by_role("main").get_by_role("link", name=re.compile("ter inzage")).first.click()
    axe_check()
    last_day = page.get_by_role("region", name=re.compile("Laatste dag|Last day"))
    expect(last_day.locator("strong")).to_have_text(re.compile("11 juli 2017|11 July 2017"))
    expect(last_day).to_contain_text(re.compile("31 mei 2017|31 May 2017"))
    expect(page.get_by_role("main")).to_contain_text("Inspraakverordening gemeente Coevorden")

    # --- a reaction comes in; answering is refused while it has no answer ------------------
    page.get_by_role("main").get_by_role("link", name=re.compile(
        "Schriftelijke reactie vastleggen|Record a written reaction")).first.click()
    axe_check()
    page.get_by_label(re.compile("^(Oorspronkelijke tekst|Original text)")).fill(
        "Maak preventie bij jongeren concreet.")
    page.get_by_label(re.compile("^(Soort inbreng|Kind of input)")).select_option("zienswijze")
    page.get_by_label(re.compile("^(Kanaal|Channel)")).select_option("brief")
    page.get_by_label(re.compile("^(Ontvangen op|Received on)")).fill("2017-07-03")
    submit(page)
    expect(page.locator(".utrecht-alert--ok")).to_be_visible()
    axe_check()

    page.goto(f"/plans/{plan.id}")
    axe_check()
    page.get_by_role("link", name=re.compile("reacties zijn beantwoord|reactions have been "
                                             "answered")).click()
    axe_check()
    page.get_by_label(re.compile("nota van beantwoording")).fill("2017-09-05")
    submit(page)
    axe_check()
    main = page.get_by_role("main")
    expect(main).to_contain_text(re.compile("1 reactie heeft nog geen antwoord|1 reaction is "
                                            "still without an answer"))
    expect(main).not_to_contain_text(re.compile("loopt tot en met|runs until"))
