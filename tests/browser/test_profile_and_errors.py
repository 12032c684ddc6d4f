"""The own profile with its language choice, and the error pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_profile_language_switch_to_english(browser_page, axe_check, signed_in, make_user):
    page = browser_page
    viewer = make_user("viewer", name="Victor Viewer")
    signed_in(viewer)
    page.goto("/")
    axe_check()
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    page.get_by_role("banner").get_by_role("link", name="Victor Viewer").click()
    expect(page).to_have_url(re.compile(r"/profile$"))
    axe_check()

    language = page.get_by_role("group", name=re.compile("^(Taal|Language)$"))
    expect(language.get_by_role("radio", name="Nederlands")).to_be_checked()
    language.get_by_role("radio", name="English").check()
    page.get_by_role("region", name=re.compile("^(Taal|Language)$")).get_by_role(
        "button").click()

    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")
    expect(page.locator(".utrecht-alert--ok")).to_have_text("Your language has been saved.")
    expect(page.get_by_role("group", name="Language").get_by_role(
        "radio", name="English")).to_be_checked()
    expect(page.get_by_role("navigation", name="Main menu")).to_be_visible()
    expect(page.get_by_role("link", name="Skip to main content")).to_be_attached()
    axe_check()

    # The choice belongs to the account, so it holds on every page.
    page.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Dashboard").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Victor Viewer")
    axe_check()


def test_unknown_address_shows_the_404_page(browser_page, axe_check):
    page = browser_page
    response = page.goto("/no/such/page")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Pagina niet gevonden|Page not found"))
    expect(page.get_by_role("main")).to_contain_text("404")
    expect(page.get_by_role("main").get_by_role("link")).to_have_attribute("href", "/")
    axe_check()


def test_viewer_gets_the_403_page_for_account_administration(browser_page, axe_check,
                                                             signed_in, make_user):
    page = browser_page
    viewer = make_user("viewer", name="Victor Viewer")
    signed_in(viewer)
    page.goto("/")
    axe_check()
    menu = page.get_by_role("navigation", name=re.compile("Hoofdmenu|Main menu"))
    expect(menu.get_by_role("link", name=re.compile("Overzicht|Dashboard"))).to_have_count(1)
    # no administration items for a viewer
    expect(menu.get_by_role("link", name=re.compile("Medewerkersaccounts|Staff accounts|Logboek"
                                                    "|Audit trail"))).to_have_count(0)

    response = page.goto("/admin/accounts/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Geen toegang|No access"))
    expect(page.get_by_role("main")).to_contain_text("403")
    expect(page.get_by_role("main")).not_to_contain_text("Traceback")
    # Still signed in: the header shows the account and the menu.
    expect(page.get_by_role("banner").get_by_role("link", name="Victor Viewer")).to_be_visible()
    axe_check()
