"""Reflow (WCAG 1.4.10): at 320 CSS pixels wide — a phone, or a desktop zoomed to 400 % —
every main page fits the width without scrolling sideways. A data table may scroll inside its
own ``.table-wrapper`` (the criterion allows that for tables); the page itself may not.
Every page is scanned with axe at that width too."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from app.consultations.inputs import answers
from app.consultations.inputs import services as inputs
from app.consultations.inputs.services import InputData
from app.database import db
from app.plans.programme import services as programme
from app.plans.programme.services import ActionData
from app.testing import make_consultation, make_plan, make_stakeholder

pytestmark = pytest.mark.browser

NARROW = {"width": 320, "height": 640}
# Long Dutch compounds and a URL: what breaks a narrow layout in real data.
LONG_NAME = "Stichting Welzijnsorganisatie Noordoost-Groningen en Omstreken"
SUMMARY = ("De indiener maakt bezwaar tegen de bestemmingsplanwijzigingsprocedure voor de "
           "woonzorgvoorzieningen en vraagt om uitgebreidere participatie, zie "
           "https://www.example.nl/inspraak/ontwerpbeleidsplan-sociaal-domein/zienswijzen.")

# What sticks out past the right edge, outside any element that scrolls sideways itself or
# clips (a table's wrapper, a visually hidden text):
# the innermost such elements, and the elements whose text runs out of them (a long word or
# URL), as tag#id.class "text", so a failure names what to fix.
OFFENDERS = """() => {
    const edge = window.innerWidth + 1;
    // An ancestor that clips or scrolls holds a node in, unless the node is positioned
    // absolutely from further out (a visually hidden text in a table still widens the page).
    const outOfFlow = style => style.position === 'absolute' || style.position === 'fixed';
    const contained = node => {
        let escaping = node.nodeType === Node.ELEMENT_NODE && outOfFlow(getComputedStyle(node));
        for (let up = node.parentElement; up; up = up.parentElement) {
            const style = getComputedStyle(up);
            if (escaping && style.position === 'static' && style.transform === 'none') continue;
            if (style.overflowX !== 'visible') return true;
            escaping = outOfFlow(style);
        }
        return false;
    };
    const sticksOut = [...document.body.querySelectorAll('*')].filter(element => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.right > edge && !contained(element);
    });
    const innermost = sticksOut.filter(
        element => !sticksOut.some(other => other !== element && element.contains(other)));
    const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let text = texts.nextNode(); text; text = texts.nextNode()) {
        const parent = text.parentElement;
        if (!text.textContent.trim() || innermost.includes(parent)) continue;
        range.selectNodeContents(text);
        const box = range.getBoundingClientRect();
        if (box.width > 0 && box.right > edge && !contained(text)) innermost.push(parent);
    }
    const name = element => {
        const classes = [...element.classList].map(c => '.' + c).join('');
        const id = element.id ? '#' + element.id : '';
        const text = (element.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 40);
        return `${element.tagName.toLowerCase()}${id}${classes} "${text}"`;
    };
    return {scrollWidth: document.documentElement.scrollWidth,
            innerWidth: window.innerWidth, offenders: innermost.slice(0, 12).map(name)};
}"""


def sideways_scroll(page: Any) -> str | None:
    """What makes the current page scroll sideways, or None when it fits."""
    found = page.evaluate(OFFENDERS)
    if found["scrollWidth"] <= found["innerWidth"] + 1:
        return None
    return (f"{page.url}: {found['scrollWidth']} px wide in a {found['innerWidth']} px window;"
            " sticking out: " + ("; ".join(found["offenders"]) or "(nothing named)"))


@pytest.fixture
def pages(app: Any, make_user: Any) -> tuple[Any, list[str]]:
    """An editor, and the main pages filled with long names and texts as real data has."""
    editor = make_user("editor", name="Anna-Maria van der Heijden-Schuurmans")
    partner = make_stakeholder(LONG_NAME, categories=["zorgaanbieder"])
    make_stakeholder("Joop Brink", kind="person", categories=["wethouder"])
    plan = make_plan("Beleidsplan sociaal domein en Wmo-uitvoeringsprogramma 2026-2030",
                     sections=[("Inleiding", SUMMARY)],
                     themes={"Gezondheid en welzijn van kwetsbare inwoners": ["Iedereen doet mee"],
                             "Armoedebestrijding": []},
                     owner_id=editor.id)
    theme = programme.themes_of(plan)[0]
    programme.add_action(plan, ActionData(
        title="Wijkteams in elk dorp", theme_id=theme.id, trekker_id=partner.id,
        budget=Decimal("1250000.50"), start_date=date(2026, 1, 1), end_date=date(2030, 12, 31)))
    period = make_consultation(plan, "Ontwerpbeleidsplan sociaal domein ter inzage",
                               format="ter_inzage", published_on=date(2026, 5, 6),
                               legal_basis="Inspraakverordening, artikel 3")
    added = inputs.add_inputs(period, [InputData(
        original_text=SUMMARY, summary=SUMMARY, kind="zienswijze", channel="brief",
        stakeholder_id=partner.id, received_on=date(2026, 5, 20),
        theme_ids=[theme.id]) for _ in range(3)])
    answers.answer(added[:1], "Wij nemen dit over.", "overgenomen")
    db.session.commit()
    return editor, [
        "/", "/plans/", f"/plans/{plan.id}", f"/plans/{plan.id}/programme", "/plans/new",
        f"/plans/{plan.id}/edit", "/stakeholders/", f"/consultations/{period.id}",
        f"/consultations/{period.id}/inputs", f"/consultations/{period.id}/workspace",
        "/search?q=bezwaar"]


def test_the_main_pages_reflow_at_320_css_pixels(browser_page, axe_check, signed_in, pages):
    editor, paths = pages
    page = browser_page
    page.set_viewport_size(NARROW)
    page.goto("/login")
    axe_check()
    problems = [sideways_scroll(page)]
    signed_in(editor)
    for path in paths:
        page.goto(path)
        axe_check()
        if path.startswith("/search"):  # results, not the page of nothing found
            expect(page.locator(".search-result").first).to_be_visible()
        problems.append(sideways_scroll(page))
    problems = [problem for problem in problems if problem]
    assert not problems, "pages scroll sideways at 320 px:\n  " + "\n  ".join(problems)
