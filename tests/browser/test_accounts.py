"""Administrators manage staff accounts; a new colleague signs in with a one-time password."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

NAME = re.compile("^(Naam|Name)$")
EMAIL = re.compile("E-mailadres|E-mail address")
ROLE = re.compile("^(Rol|Role)$")
ACCOUNTS = re.compile("Medewerkers|Accounts|Staff accounts", re.IGNORECASE)
NEW_PASSWORD = re.compile("^(Nieuw wachtwoord|New password)$")


@pytest.fixture
def admin(make_user):
    return make_user("admin", name="Anna Admin")


def open_accounts(page, axe_check):
    if page.url == "about:blank":
        page.goto("/")
        axe_check()
    page.get_by_role("navigation", name=re.compile("Hoofdmenu|Main menu")).get_by_role(
        "link", name=ACCOUNTS).click()
    expect(page).to_have_url(re.compile(r"/admin/accounts/$"))
    axe_check()


def test_staff_accounts_list(browser_page, axe_check, signed_in, admin, make_user):
    page = browser_page
    make_user("editor", name="Eva Editor")
    make_user("viewer", name="Victor Viewer")
    signed_in(admin)
    open_accounts(page, axe_check)

    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(4)  # a header row and three accounts
    for name in ("Anna Admin", "Eva Editor", "Victor Viewer"):
        expect(table.get_by_role("link", name=name)).to_be_visible()

    page.get_by_role("main").get_by_role("searchbox").fill("eva")
    page.get_by_role("search").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"q=eva"))
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table.get_by_role("link", name="Eva Editor")).to_be_visible()
    axe_check()


def test_create_an_account_then_its_first_sign_in(browser_page, axe_check, signed_in, sign_in,
                                                   sign_out, admin):
    page = browser_page
    signed_in(admin)
    open_accounts(page, axe_check)
    page.get_by_role("main").get_by_role("link", name=re.compile("Nieuw|New")).click()
    expect(page).to_have_url(re.compile(r"/admin/accounts/new$"))
    expect(page.get_by_label(ROLE)).to_be_visible()
    axe_check()

    # First an empty name and a malformed address: errors, and nothing is created.
    page.get_by_label(EMAIL).fill("not-an-address")
    page.get_by_role("main").get_by_role("button").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(2)
    for label in (NAME, EMAIL):
        field = page.get_by_label(label)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#{field.get_attribute('aria-describedby')}")).to_be_visible()
    expect(page.get_by_label(EMAIL)).to_have_value("not-an-address")
    axe_check()
    # A link in the summary takes the keyboard to the field.
    summary.get_by_role("link").first.click()
    expect(page.get_by_label(NAME)).to_be_focused()

    page.get_by_label(NAME).fill("Nina Nieuw")
    page.get_by_label(EMAIL).fill("nina.nieuw@koers.example")
    page.get_by_label(ROLE).select_option("editor")
    page.get_by_role("main").get_by_role("button").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    one_time_password = page.locator("#one-time-password").inner_text().strip()
    assert len(one_time_password) >= 12
    expect(page.get_by_role("main")).to_contain_text("nina.nieuw@koers.example")
    axe_check()

    page.get_by_role("main").get_by_role("link", name=re.compile("Terug|Back")).click()
    axe_check()
    row = page.get_by_role("row").filter(has_text="Nina Nieuw")
    expect(row).to_have_count(1)
    # A header row, the administrator and the new colleague: the failed attempt made nothing.
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(3)
    sign_out()
    axe_check()

    # The colleague signs in with the one-time password and must choose their own first.
    sign_in("nina.nieuw@koers.example", one_time_password)
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.locator(".utrecht-alert--info").first).to_be_visible()
    axe_check()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/profile$"))
    axe_check()

    new_password = "four quiet herons over the dyke"
    page.get_by_label(re.compile("Huidig wachtwoord|Current password")).fill(one_time_password)
    page.get_by_label(NEW_PASSWORD).fill(new_password)
    page.get_by_label(re.compile("Herhaal|Repeat")).fill(new_password)
    page.get_by_role("region", name=re.compile("wachtwoord|password", re.IGNORECASE)).get_by_role(
        "button").click()
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.locator(".utrecht-alert--ok")).to_be_visible()
    axe_check()
    # The dashboard is the first item of the main menu.
    page.get_by_role("navigation", name=re.compile("Hoofdmenu|Main menu")).get_by_role(
        "link").first.click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nina Nieuw")
    axe_check()


def test_edit_and_deactivate_an_account_then_read_the_audit_trail(
        browser_page, axe_check, signed_in, sign_in, sign_out, admin, make_user):
    page = browser_page
    colleague = make_user("viewer", name="Victor Viewer")
    signed_in(admin)
    open_accounts(page, axe_check)
    page.get_by_role("table").get_by_role("link", name="Victor Viewer").click()
    expect(page).to_have_url(re.compile(rf"/admin/accounts/{colleague.id}$"))
    expect(page.get_by_label(NAME)).to_have_value("Victor Viewer")
    expect(page.get_by_label(ROLE)).to_have_value("viewer")
    axe_check()

    page.get_by_label(ROLE).select_option("editor")
    page.get_by_label(NAME).fill("Victor Verbeek")
    page.locator("main form").first.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/admin/accounts/$"))
    expect(page.locator(".utrecht-alert--ok")).to_contain_text("Victor Verbeek")
    axe_check()

    page.get_by_role("table").get_by_role("link", name="Victor Verbeek").click()
    axe_check()
    page.get_by_role("button", name=re.compile("Deactiveren|Deactivate")).click()
    expect(page).to_have_url(re.compile(r"/admin/accounts/$"))
    expect(page.locator(".utrecht-alert--ok")).to_contain_text("Victor Verbeek")
    row = page.get_by_role("row").filter(has_text="Victor Verbeek")
    expect(row).to_contain_text(re.compile("Gedeactiveerd|Deactivated|Inactief", re.IGNORECASE))
    axe_check()

    page.get_by_role("table").get_by_role("link", name="Victor Verbeek").click()
    expect(page.get_by_role("button", name=re.compile("Deactiveren|Deactivate"))).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("activeren|Reactivate"))).to_be_visible()
    axe_check()
    page.get_by_role("main").get_by_role("link", name=re.compile("Wijzigingen|Changes")).click()
    expect(page).to_have_url(re.compile(rf"entity_id={colleague.id}"))
    events = page.get_by_role("table").get_by_role("row")
    # Header, deactivated, changed (name, role), created — newest first.
    expect(events).to_have_count(4)
    expect(events.nth(1)).to_contain_text("Anna Admin")
    expect(events.nth(1)).to_contain_text(re.compile("Actief: ja → nee|Active: yes → no"))
    expect(events.nth(2)).to_contain_text(
        re.compile("Rol: Lezer → Redacteur|Role: Viewer → Editor"))
    expect(events.nth(2)).to_contain_text(re.compile("Naam|Name"))
    for personal in ("Victor Viewer", "Verbeek"):  # personal data: no values kept
        expect(events.nth(2)).not_to_contain_text(personal)
    axe_check()

    # The deactivated colleague can no longer sign in.
    sign_out()
    axe_check()
    sign_in(colleague.email)
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator(".error-summary")).to_be_visible()
    axe_check()
