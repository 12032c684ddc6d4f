"""Printing from the browser (app/static/css/print.css): a plan's text, its implementation
programme, a consultation's input list with answers and a feedback letter print without the
site's frame, navigation, filters and buttons, with each plan section and each letter on a
page of its own, tables whole and bordered, and an external link's address after its text.
Each page is scanned with axe on screen before it is looked at as paper."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.consultations.feedback import services as feedback
from app.consultations.feedback.models import FeedbackLetter
from app.database import db
from app.plans import services as plans
from app.plans.programme import services as programme
from tests.integration.test_feedback import Scene

pytestmark = pytest.mark.browser

LINK = "https://www.example.nl/mantelzorg"
FRAME = (".site-header", ".main-nav", ".site-footer", ".nl-skip-link")


def style(page: Any, selector: str, prop: str, pseudo: str | None = None,
          index: int = 0) -> str:
    return page.evaluate(
        "([selector, prop, pseudo, index]) => getComputedStyle("
        "document.querySelectorAll(selector)[index], pseudo)[prop]",
        [selector, prop, pseudo, index])


def displays(page: Any, selector: str) -> list[str]:
    return page.evaluate("selector => [...document.querySelectorAll(selector)].map("
                         "el => getComputedStyle(el).display)", selector)


def open_as_paper(page: Any, axe_check: Any, path: str) -> None:
    """Open ``path`` on screen, scan it, then look at it as the printer will."""
    page.emulate_media(media="screen")
    page.goto(path)
    axe_check()
    assert style(page, ".site-header", "display") != "none"
    page.emulate_media(media="print")
    for selector in FRAME:
        assert set(displays(page, selector)) == {"none"}, selector
    buttons = displays(page, "button, .utrecht-button-link")
    assert buttons and set(buttons) == {"none"}
    expect(page.locator("main")).to_be_visible()
    assert style(page, "body", "fontSize") == "14.6667px"  # 11pt


@pytest.fixture
def scene(app) -> Scene:
    with app.test_request_context():
        scene = Scene()
        plans.add_section(scene.plan, "Mantelzorg",
                          f"Lees meer op [de site over mantelzorg]({LINK}).")
        theme = programme.add_theme(scene.plan, "Meedoen")
        programme.add_action(scene.plan, programme.ActionData(
            title="Mantelzorgpunt in elk dorp", theme_id=theme.id))
        feedback.create_mailing(scene.period)
        db.session.commit()
    return scene


def test_plans_inputs_and_letters_print_as_paper(app, browser_page, axe_check, signed_in,
                                                 make_user, scene):
    page = browser_page
    signed_in(make_user("editor"))

    # The plan's text: a page per section, the external link's address printed.
    open_as_paper(page, axe_check, f"/plans/{scene.plan.id}/text")
    sections = page.locator(".plan-section")
    expect(sections).to_have_count(2)
    expect(sections.first).to_be_visible()
    assert style(page, ".plan-section", "breakBefore", index=0) != "page"
    assert style(page, ".plan-section", "breakBefore", index=1) == "page"
    assert set(displays(page, "main form[method=post]")) == {"none"}  # add, move, remove
    external = f'main a[href="{LINK}"]'
    assert LINK in style(page, external, "content", "::after")
    assert style(page, "main a[href^='/']", "content", "::after") in ("none", "normal")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) >= 2

    # The programme: its actions table whole and bordered, no editing links.
    open_as_paper(page, axe_check, f"/plans/{scene.plan.id}/programme")
    expect(page.get_by_role("table").first).to_contain_text("Mantelzorgpunt in elk dorp")
    assert style(page, ".table-wrapper", "overflowX") == "visible"
    assert style(page, ".table-wrapper td", "borderTopStyle") == "solid"
    assert style(page, ".table-wrapper tr", "breakInside") == "avoid"
    assert style(page, ".panel", "breakInside") == "avoid"
    assert set(displays(page, ".action-list")) == {"none"}
    # The column of edit links (its header only for screen readers) is left off.
    assert set(displays(page, ".table-wrapper tr > :last-child")) == {"none"}

    # The input list with its answers, without the filters.
    open_as_paper(page, axe_check, f"/consultations/{scene.period.id}/inputs")
    table = page.locator("main table")
    expect(table).to_contain_text("Mantelzorgers ontbreken")
    expect(table).to_contain_text(re.compile("Overgenomen|Adopted", re.IGNORECASE))
    assert style(page, "form.filters", "display") == "none"
    assert set(displays(page, "main td > input[type=checkbox]")) == {"none"}

    # A letter: only the letter; a second one printed with it starts a new page.
    letter_id = db.session.scalars(select(FeedbackLetter.id).order_by(
        FeedbackLetter.id)).first()
    open_as_paper(page, axe_check, f"/consultations/feedback/letters/{letter_id}")
    expect(page.locator(".letter")).to_be_visible()
    assert set(displays(page, ".no-print")) == {"none"}
    page.evaluate("const letter = document.querySelector('.letter');"
                  "letter.after(letter.cloneNode(true))")
    assert style(page, ".letter", "breakBefore", index=0) != "page"
    assert style(page, ".letter", "breakBefore", index=1) == "page"
