"""The main flows by keyboard alone (WCAG 2.1.1, 2.4.1, 2.4.3, 2.4.7): signing in, creating a
plan and giving it a theme and an action, recording a written reaction in a consultation and
answering it. Controls are reached with Tab and Shift+Tab and worked with Enter, Space, the
arrow keys and typing — never a click. At every focus stop the focused element must show a
focus indicator, and on every page the first Tab stop is the skip link, which moves focus to
the main content. ``page.goto`` only opens a flow, where a user would type an address. Every
page is scanned with axe."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.consultations.inputs.models import Answer, Input, InputAnswer
from app.database import db
from app.plans.models import Action, Plan, Theme
from app.testing import TEST_PASSWORD, make_consultation, make_plan, make_stakeholder

pytestmark = pytest.mark.browser

Name = str | re.Pattern[str]
MAX_TABS = 60
SUCCESS = ".utrecht-alert--ok"

# The focused element and whether it shows that it has focus: an outline (not transparent)
# or a box shadow, as the NL Design System components draw their focus ring.
FOCUSED = """(targets) => {
    const element = document.activeElement;
    if (!element || element === document.body) {
        return {focused: false, hit: false, name: 'nothing (the document itself)'};
    }
    const style = getComputedStyle(element);
    const visible = colour => !/^(transparent|rgba\\(.*,\\s*0\\))$/.test(colour);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0
        && visible(style.outlineColor);
    const shadow = style.boxShadow !== 'none';
    const box = element.getBoundingClientRect();
    const label = (element.labels && element.labels[0] && element.labels[0].textContent)
        || element.getAttribute('aria-label') || element.textContent || element.value || '';
    return {
        focused: true,
        hit: targets.includes(element),
        name: `${element.tagName.toLowerCase()} "${
            label.trim().replace(/\\s+/g, ' ').slice(0, 50)}"`,
        indicator: outline ? `outline ${style.outlineWidth} ${style.outlineStyle}`
            : shadow ? `box-shadow ${style.boxShadow}` : null,
        style: `outline: ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; `
            + `box-shadow: ${style.boxShadow}; focus-visible: ${element.matches(':focus-visible')}`,
        shown: box.width > 1 && box.height > 1 && box.bottom > 0 && box.right > 0
            && box.top < window.innerHeight && box.left < window.innerWidth,
    };
}"""


def exact(name: Name) -> re.Pattern[str]:
    return name if isinstance(name, re.Pattern) else re.compile(f"^{re.escape(name)}$")


def control(page: Any, name: Name | Any, role: str | None = None) -> Any:
    """The elements called ``name``: of ``role``, or any labelled control, link or button
    (or ``name`` itself when it is a locator already)."""
    if not isinstance(name, str | re.Pattern):
        return name
    name = exact(name)
    if role:
        return page.get_by_role(role, name=name)
    return page.get_by_label(name).or_(page.get_by_role("link", name=name)).or_(
        page.get_by_role("button", name=name))


def focus_stop(page: Any, targets: Any) -> dict[str, Any]:
    """Where focus is now; fails when that element shows no focus indicator."""
    found = targets.evaluate_all(FOCUSED)
    assert found["focused"], f"no element has focus on {page.url}"
    assert found["indicator"], (f"{found['name']} has focus on {page.url} but shows no focus "
                                "indicator: " + found["style"])
    assert found["shown"], f"{found['name']} has focus on {page.url} but is not on screen"
    return found


def tab_to(page: Any, name: Name | Any, role: str | None = None, *,
           backwards: bool = False) -> None:
    """Press Tab (Shift+Tab ``backwards``) until the control called ``name`` has focus,
    checking the focus indicator at every stop on the way."""
    targets = control(page, name, role)
    key = "Shift+Tab" if backwards else "Tab"
    passed = []
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        if not targets.evaluate_all(FOCUSED)["focused"]:  # past the last control
            pytest.fail(f"{key} left {page.url} without reaching {name!r}; it passed "
                        + ", ".join(passed), pytrace=False)
        found = focus_stop(page, targets)
        if found["hit"]:
            return
        passed.append(found["name"])
    pytest.fail(f"{key} never reached {name!r} on {page.url} in {MAX_TABS} presses; it "
                "passed " + ", ".join(passed), pytrace=False)


def type_into(page: Any, name: Name, text: str) -> None:
    tab_to(page, name)
    page.keyboard.type(text)


# The parts of a date input, by the names the browser gives them in its own language.
DATE_PARTS = {"day": re.compile(r"^(Day|Dag)\b"), "month": re.compile(r"^(Month|Maand)\b"),
              "year": re.compile(r"^(Year|Jaar)\b")}


def date_order(page: Any) -> list[str]:
    """The order of day, month and year in a date input: it follows the browser's language,
    which the page cannot set, so the accessibility tree of the input's parts is read."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    names = [node.get("name", {}).get("value", "") for node in nodes
             if node.get("role", {}).get("value") == "spinbutton"]
    order = [part for name in names for part, pattern in DATE_PARTS.items()
             if pattern.match(name)]
    assert len(order) >= 3, f"no parts of a date input found on {page.url}: {names}"
    return order[:3]


def type_date(page: Any, name: Name, day: date) -> None:
    """Tab to the date input ``name`` and type ``day`` into its parts (a full part moves focus
    to the next)."""
    tab_to(page, name)
    parts = {"day": f"{day.day:02}", "month": f"{day.month:02}", "year": f"{day.year}"}
    for part in date_order(page):
        page.keyboard.type(parts[part])
    expect(control(page, name)).to_have_value(day.isoformat())


def choose(page: Any, name: Name, option: Name) -> None:
    """Tab to the drop-down ``name`` and move with the arrow keys to ``option``, down first,
    then up (a closed select changes its value with the arrow keys)."""
    tab_to(page, name)
    wanted = exact(option)
    selected = "() => document.activeElement.selectedOptions[0]?.textContent.trim() ?? ''"
    for key in ("ArrowDown", "ArrowUp"):
        for _ in range(30):
            if wanted.search(page.evaluate(selected)):
                return
            before = page.evaluate(selected)
            page.keyboard.press(key)
            if page.evaluate(selected) == before:
                break  # the end of the list
    pytest.fail(f"no option {option!r} in {name!r} on {page.url}", pytrace=False)


def press_and_load(page: Any, axe_check: Any, key: str = "Enter") -> None:
    """Press ``key`` on what has focus, which opens or sends a page; scan the new page."""
    with page.expect_navigation(wait_until="load"):
        page.keyboard.press(key)
    axe_check()


def activate(page: Any, axe_check: Any, name: Name, role: str | None = None) -> None:
    """Tab to a link or button and press Enter on it."""
    tab_to(page, name, role)
    press_and_load(page, axe_check)


def skip_to_content(page: Any) -> None:
    """On a freshly loaded page the first Tab stop is the skip link, shown when focused;
    Enter on it moves focus to the main content, so the next Tab goes into it."""
    skip = page.locator("a[href='#content']")
    page.keyboard.press("Tab")
    found = focus_stop(page, skip)
    assert found["hit"], f"the first Tab stop on {page.url} is {found['name']}, not the skip link"
    page.keyboard.press("Enter")
    expect(page.locator("main#content")).to_be_focused()


def label(dutch: str, english: str) -> re.Pattern[str]:
    return re.compile(f"^({dutch}|{english})$")


# --- signing in -----------------------------------------------------------------------------

def test_signing_in_by_keyboard(browser_page, axe_check, make_user):
    user = make_user("editor", name="Eva Editor")
    page = browser_page
    page.goto("/login")
    axe_check()
    skip_to_content(page)
    type_into(page, label("E-mailadres", "E-mail address"), user.email)
    type_into(page, label("Wachtwoord", "Password"), TEST_PASSWORD)
    press_and_load(page, axe_check)  # Enter in the password field sends the form
    expect(page.get_by_role("banner")).to_contain_text("Eva Editor")
    # Signed in, the header has more to pass; the skip link still comes first.
    skip_to_content(page)
    tab_to(page, label("Beleidsplannen", "Policy plans"), backwards=True)  # back into the menu
    press_and_load(page, axe_check)
    expect(page).to_have_url(re.compile(r"/plans/$"))


# --- a plan, a theme and an action ------------------------------------------------------------

def test_a_plan_with_a_theme_and_an_action_by_keyboard(browser_page, axe_check, signed_in,
                                                       make_user):
    page = browser_page
    signed_in(make_user("editor", name="Eva Editor"))
    page.goto("/")
    axe_check()
    # Through the whole header to the main menu, checking every focus stop on the way.
    activate(page, axe_check, label("Beleidsplannen", "Policy plans"), "link")
    skip_to_content(page)
    activate(page, axe_check, label("Nieuw beleidsplan", "New policy plan"), "link")

    skip_to_content(page)
    type_into(page, label("Titel", "Title"), "Samen Krachtig")
    choose(page, label("Soort plan", "Kind of plan"), label("Beleidsplan", "Policy plan"))
    tab_to(page, "Wmo 2015")
    page.keyboard.press("Space")
    expect(page.get_by_label("Wmo 2015")).to_be_checked()
    # Back up to the title to finish it: Shift+Tab retraces the same stops.
    tab_to(page, label("Titel", "Title"), backwards=True)
    page.keyboard.press("End")
    page.keyboard.type(" 2026")
    activate(page, axe_check, label("Nieuw beleidsplan", "New policy plan"), "button")
    expect(page.get_by_role("heading", level=1)).to_have_text("Samen Krachtig 2026")
    plan_id = int(re.search(r"/plans/(\d+)$", page.url).group(1))

    # A theme, from the plan's tab of themes.
    skip_to_content(page)
    activate(page, axe_check, re.compile("^(Thema.s en programma|Themes and programme)$"), "link")
    skip_to_content(page)
    activate(page, axe_check, label("Nieuw thema", "New theme"), "link")
    skip_to_content(page)
    type_into(page, label("Naam", "Name"), "Meedoen")
    press_and_load(page, axe_check)  # Enter in the one-line field
    expect(page.locator(SUCCESS)).to_be_visible()

    # An action under that theme: the page opened at the new theme, so Tab starts there.
    expect(page).to_have_url(re.compile(r"/programme#theme-\d+$"))
    activate(page, axe_check, re.compile(r"^(Nieuwe actie|New action) \(Meedoen\)$"), "link")
    skip_to_content(page)
    type_into(page, label("Titel", "Title"), "Wijkteams in elk dorp")
    type_into(page, label("Budget in euro", "Budget in euro"), "1.250,50")
    activate(page, axe_check, label("Toevoegen", "Add"), "button")
    expect(page.get_by_role("main")).to_contain_text("Wijkteams in elk dorp")

    plan = db.session.get(Plan, plan_id)
    db.session.refresh(plan)
    assert plan.title == "Samen Krachtig 2026" and plan.kind == "beleidsplan"
    theme = db.session.scalar(select(Theme).where(Theme.plan_id == plan_id))
    action = db.session.scalar(select(Action).where(Action.plan_id == plan_id))
    assert theme.name == "Meedoen"
    assert (action.title, action.theme_id, str(action.budget)) == (
        "Wijkteams in elk dorp", theme.id, "1250.50")


# --- a written reaction and its answer --------------------------------------------------------

@pytest.fixture
def comment_period(app: Any) -> Any:
    """A plan's draft laid open for reactions, and a resident in the register."""
    make_stakeholder("Anna de Vries", kind="person", categories=["inwoner"],
                     email="anna@example.nl")
    plan = make_plan("Samen Krachtig", sections=[("Mantelzorg", "Tekst van het ontwerp.")],
                     themes=["Meedoen"])
    return make_consultation(plan, "Ontwerp ter inzage", format="ter_inzage",
                             published_on=date(2026, 5, 6))


def test_a_written_reaction_recorded_and_answered_by_keyboard(browser_page, axe_check,
                                                              signed_in, make_user,
                                                              comment_period):
    page = browser_page
    signed_in(make_user("editor"))
    page.goto(f"/consultations/{comment_period.id}")
    axe_check()
    skip_to_content(page)
    activate(page, axe_check, label("Schriftelijke reactie vastleggen",
                                    "Record a written reaction"), "link")

    # The sender, found in the register: the only match is chosen. A radio group is one Tab
    # stop; the arrow keys move the choice within it.
    skip_to_content(page)
    type_into(page, label("Afzender zoeken op naam", "Find the sender by name"), "Anna")
    activate(page, axe_check, label("Zoeken", "Search"), "button")
    skip_to_content(page)
    anna = page.get_by_role("radio", name=re.compile("^Anna de Vries"))
    tab_to(page, anna)
    expect(anna).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_role("radio", name=label("Anoniem", "Anonymous"))).to_be_checked()
    page.keyboard.press("ArrowDown")
    expect(anna).to_be_checked()
    choose(page, label("Soort inbreng", "Kind of input"), label("Zienswijze", "Zienswijze"))
    choose(page, label("Kanaal", "Channel"), label("Brief", "Letter"))
    type_date(page, label("Ontvangen op", "Received on"), date(2026, 5, 20))
    type_into(page, label("Oorspronkelijke tekst", "Original text"),
              "Ik mis de mantelzorgers in hoofdstuk 1.")
    type_into(page, label("Samenvatting", "Summary"), "Mantelzorgers ontbreken")
    activate(page, axe_check, label("Reactie vastleggen", "Record the reaction"), "button")
    expect(page.locator(SUCCESS)).to_contain_text(re.compile("op tijd|on time"))

    # Answered from the list of input the reaction was recorded in.
    expect(page).to_have_url(re.compile(rf"/consultations/{comment_period.id}/inputs"))
    skip_to_content(page)
    activate(page, axe_check, label("Inbreng beantwoorden", "Answer input"), "link")
    skip_to_content(page)
    reaction = page.get_by_role("checkbox", name="1. Mantelzorgers ontbreken")
    tab_to(page, reaction)
    page.keyboard.press("Space")
    expect(reaction).to_be_checked()
    type_into(page, label("Antwoord", "Answer"), "Mantelzorgers krijgen een eigen paragraaf.")
    choose(page, label("Besluit", "Decision"), label("Overgenomen", "Adopted"))
    choose(page, re.compile("Hoofdstuk van het plan|Section of the plan"), "Mantelzorg")
    activate(page, axe_check, label("Antwoord vastleggen", "Record the answer"), "button")
    expect(page.locator(SUCCESS)).to_be_visible()

    stored = db.session.execute(
        select(Input.summary, Input.channel, Input.received_on, Answer.text, Answer.decision)
        .join(InputAnswer, InputAnswer.input_id == Input.id)
        .join(Answer, Answer.id == InputAnswer.answer_id)
        .where(Input.consultation_id == comment_period.id)).all()
    assert [tuple(row) for row in stored] == [(
        "Mantelzorgers ontbreken", "brief", date(2026, 5, 20),
        "Mantelzorgers krijgen een eigen paragraaf.", "overgenomen")]
