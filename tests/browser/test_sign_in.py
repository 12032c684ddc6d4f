"""The sign-in page in both languages, a failed and a successful sign-in, the skip link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SIGN_IN = re.compile("^(Inloggen|Aanmelden|Sign in)$")
EMAIL = re.compile("E-mailadres|E-mail address")
PASSWORD = re.compile("^(Wachtwoord|Password)$")


def test_sign_in_page_in_dutch_then_english(browser_page, axe_check):
    page = browser_page
    response = page.goto("/login")
    assert response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text(SIGN_IN)
    expect(page.get_by_label(EMAIL)).to_be_visible()
    expect(page.get_by_label(PASSWORD)).to_be_visible()
    axe_check()

    page.get_by_role("banner").get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(page.get_by_label("E-mail address")).to_be_visible()
    expect(page.get_by_role("banner").get_by_role("button", name="Nederlands")).to_be_visible()
    axe_check()


def test_failed_sign_in_shows_the_errors(browser_page, axe_check, make_user):
    page = browser_page
    user = make_user("editor")
    page.goto("/login")
    axe_check()

    # Nothing filled in: a summary at the top and an error beside each field.
    page.get_by_role("main").get_by_role("button", name=SIGN_IN).click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    for label in (EMAIL, PASSWORD):
        field = page.get_by_label(label)
        expect(field).to_have_attribute("aria-invalid", "true")
        error_id = field.get_attribute("aria-describedby")
        expect(page.locator(f"#{error_id}")).to_be_visible()
    axe_check()

    # A wrong password: one message, the same as for an unknown address, and no field blamed.
    page.get_by_label(EMAIL).fill(user.email)
    page.get_by_label(PASSWORD).fill("not the password at all")
    page.get_by_role("main").get_by_role("button", name=SIGN_IN).click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(summary).to_be_visible()
    expect(summary.get_by_role("listitem")).to_have_count(1)
    expect(summary.get_by_role("link")).to_have_count(0)
    expect(page.get_by_label(EMAIL)).to_have_value(user.email)
    expect(page.get_by_label(PASSWORD)).to_have_value("")
    expect(page.get_by_role("navigation", name=re.compile("Hoofdmenu|Main menu"))).to_have_count(0)
    axe_check()


def test_administrator_signs_in_to_the_dashboard(browser_page, axe_check, make_user, sign_in):
    page = browser_page
    admin = make_user("admin", name="Anna Admin")
    sign_in(admin.email)
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Anna Admin")
    menu = page.get_by_role("navigation", name=re.compile("Hoofdmenu|Main menu"))
    expect(menu.get_by_role("link")).to_have_count(5)  # dashboard, plans, stakeholders, 2 admin
    expect(menu.locator("[aria-current=page]")).to_have_count(1)
    expect(page.get_by_role("banner").get_by_role("link", name="Anna Admin")).to_be_visible()
    axe_check()


def test_skip_link_is_first_and_moves_focus_to_main(browser_page, axe_check):
    page = browser_page
    page.goto("/login")
    axe_check()
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_class(re.compile("skip-link"))
    expect(skip).to_have_attribute("href", "#content")
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")
