"""An editor works in the stakeholder register: searches, opens a person, edits with a mistake
and corrects it, merges a duplicate through the preview, downloads a person's data and erases a
person. Every page on the way is scanned with axe."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.database import db
from app.stakeholders import services
from app.stakeholders.services import StakeholderData

pytestmark = pytest.mark.browser

SEARCH_FIELD = re.compile("Naam, organisatie of e-mailadres|Name, organisation or e-mail address")
SEARCH_BUTTON = re.compile("^(Zoeken|Search)$")
EMAIL = re.compile("^(E-mailadres|E-mail address)$")
NOTICE = ".utrecht-alert--ok"


@pytest.fixture
def register(app, make_user):
    welzijn = services.create(StakeholderData(name="Welzijn Koersdam", kind="organisation",
                                              categories=["maatschappelijke_partner"]))
    anna = services.create(StakeholderData(name="Anna de Vries", email="anna@example.nl",
                                           categories=["inwoner"]))
    keep = services.create(StakeholderData(name="Jan Bakker", email="jan@bakker.nl",
                                           categories=["inwoner"]))
    duplicate = services.create(StakeholderData(name="J. Bakker", email="jan@bakker.nl",
                                                phone="0597 123 456"))
    erased = services.create(StakeholderData(name="Wilhelmina Zonderland",
                                             email="w.zonderland@example.nl",
                                             categories=["mantelzorger"]))
    db.session.flush()
    services.add_membership(anna, welzijn, function="buurtcoach", is_contact=True)
    services.add_membership(duplicate, welzijn, function="vrijwilliger")
    db.session.commit()
    return {"anna": anna.id, "keep": keep.id, "duplicate": duplicate.id, "erased": erased.id,
            "welzijn": welzijn.id, "editor": make_user("editor", name="Eva Editor")}


def search(page, axe_check, text: str) -> None:
    form = page.get_by_role("search")
    form.get_by_label(SEARCH_FIELD).fill(text)
    form.get_by_role("button", name=SEARCH_BUTTON).click()
    expect(page).to_have_url(re.compile(rf"q={re.escape(text)}"))
    axe_check()


def test_an_editor_searches_edits_and_corrects_a_mistake(browser_page, axe_check, signed_in,
                                                         register):
    page = browser_page
    signed_in(register["editor"])
    page.goto("/")
    axe_check()
    page.get_by_role("navigation", name=re.compile("Hoofdmenu|Main menu")).get_by_role(
        "link", name=re.compile("Betrokkenen|Stakeholders")).click()
    expect(page).to_have_url(re.compile(r"/stakeholders/$"))
    expect(page.get_by_role("table").get_by_role("link")).to_have_count(5)
    axe_check()

    search(page, axe_check, "welzijn")  # by organisation: the organisation and its people
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(4)  # a header, the organisation, Anna and J. Bakker
    page.get_by_role("table").get_by_role("link", name="Anna de Vries").click()
    expect(page).to_have_url(re.compile(rf"/stakeholders/{register['anna']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Anna de Vries")
    expect(page.get_by_role("main")).to_contain_text("buurtcoach")
    axe_check()

    page.get_by_role("link", name=re.compile("^(Bewerken|Edit)$")).click()
    expect(page.get_by_label(EMAIL)).to_have_value("anna@example.nl")
    axe_check()
    page.get_by_label(EMAIL).fill("anna@")
    page.get_by_role("main").get_by_role("button", name=re.compile("^(Opslaan|Save)$")).click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    field = page.get_by_label(EMAIL)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{field.get_attribute('aria-describedby')}")).to_contain_text("anna@")
    axe_check()

    field.fill("anna.devries@example.nl")
    page.get_by_role("main").get_by_role("button", name=re.compile("^(Opslaan|Save)$")).click()
    expect(page).to_have_url(re.compile(rf"/stakeholders/{register['anna']}$"))
    expect(page.locator(NOTICE)).to_contain_text("Anna de Vries")
    expect(page.get_by_role("main")).to_contain_text("anna.devries@example.nl")
    axe_check()


def test_an_editor_merges_a_duplicate_through_the_preview(browser_page, axe_check, signed_in,
                                                          register):
    page = browser_page
    keep, duplicate = register["keep"], register["duplicate"]
    signed_in(register["editor"])
    page.goto("/stakeholders/")
    axe_check()
    page.get_by_role("link", name=re.compile("Mogelijk dubbele|Possible duplicates")).click()
    table = page.get_by_role("table")
    expect(table).to_contain_text("J. Bakker")
    expect(table).to_contain_text("Jan Bakker")
    axe_check()

    table.get_by_role("link", name=re.compile(
        rf"(Registratie|Merge record) {duplicate} (samenvoegen met registratie|into record) "
        rf"{keep}$")).click()
    expect(page).to_have_url(re.compile(rf"/stakeholders/{duplicate}/merge/{keep}$"))
    expect(page.get_by_role("main")).to_contain_text("stakeholder_memberships.person_id")
    axe_check()
    page.get_by_role("main").get_by_role("button").click()
    expect(page).to_have_url(re.compile(rf"/stakeholders/{keep}$"))
    expect(page.locator(NOTICE)).to_contain_text("J. Bakker")
    main = page.get_by_role("main")
    expect(main).to_contain_text("0597 123 456")  # filled in from the duplicate
    expect(main).to_contain_text("Welzijn Koersdam")  # its membership moved
    axe_check()

    page.get_by_role("link", name=re.compile("Terug naar de betrokkenen|Back to the "
                                             "stakeholders")).click()
    axe_check()
    page.get_by_role("link", name=re.compile("Mogelijk dubbele|Possible duplicates")).click()
    expect(page.get_by_role("table")).not_to_contain_text("J. Bakker")
    axe_check()


def test_an_editor_exports_and_erases_a_person(browser_page, axe_check, signed_in, register,
                                               tmp_path: Path):
    page = browser_page
    signed_in(register["editor"])
    page.goto("/stakeholders/")
    axe_check()
    search(page, axe_check, "zonderland")
    page.get_by_role("table").get_by_role("link", name="Wilhelmina Zonderland").click()
    axe_check()

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(
            r"Persoonsgegevens exporteren|Export personal data")).click()
    download = download_info.value
    assert download.suggested_filename == f"stakeholder-{register['erased']}.json"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    exported = json.loads(target.read_text(encoding="utf-8"))
    assert exported["stakeholder"]["name"] == "Wilhelmina Zonderland"
    assert exported["stakeholder"]["email"] == "w.zonderland@example.nl"

    page.get_by_role("link", name=re.compile(r"^(Persoonsgegevens wissen|Erase personal "
                                             r"data)$")).click()
    expect(page).to_have_url(re.compile(rf"/stakeholders/{register['erased']}/erase$"))
    expect(page.get_by_role("radio").first).to_be_checked()
    axe_check()
    page.get_by_role("radio").nth(1).check()  # consent withdrawn
    page.get_by_role("button", name=re.compile("wissen|Erase", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile(rf"/stakeholders/{register['erased']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Gewiste persoon|Erased person"))
    expect(page.get_by_role("main")).not_to_contain_text("Zonderland")
    expect(page.get_by_role("link", name=re.compile("^(Bewerken|Edit)$"))).to_have_count(0)
    axe_check()

    page.get_by_role("link", name=re.compile("Terug naar de betrokkenen|Back to the "
                                             "stakeholders")).click()
    axe_check()
    expect(page.get_by_role("main")).not_to_contain_text("Zonderland")
    search(page, axe_check, "zonderland")
    expect(page.get_by_role("table")).to_contain_text(
        re.compile("Geen betrokkenen gevonden|No stakeholders found"))
