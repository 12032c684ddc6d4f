"""The accessibility statement, opened from the sign-in page's footer, passes axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

STATEMENT = re.compile("^(Toegankelijkheidsverklaring|Accessibility statement)$")


def test_the_statement_opens_from_the_footer_of_the_sign_in_page(browser_page, axe_check):
    page = browser_page
    page.goto("/login")
    axe_check()
    page.get_by_role("contentinfo").get_by_role("link", name=STATEMENT).click()
    expect(page).to_have_url(re.compile(r"/toegankelijkheid$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(STATEMENT)
    # The demo municipality's statement: its name and its limitations as a list.
    expect(page.get_by_role("main")).to_contain_text("Gemeente Koersdam")
    expect(page.get_by_role("main").get_by_role("listitem").first).to_be_visible()
    axe_check()
