"""A viewer types in the header's search box and lands on ranked results with the words
marked, then narrows them to inputs; every page scanned with axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.testing import make_consultation, make_plan

pytestmark = pytest.mark.browser


def test_the_header_search_box_finds_a_plural_and_marks_it(browser_page, axe_check,
                                                           signed_in, make_user, app):
    plan = make_plan("Koersplan Sociaal Domein",
                     sections=[("Inleiding", "Wij kregen zienswijzen over het café.")])
    make_consultation(plan, "Ter inzage", inputs=["Mijn zienswijze over de <b>fietspaden</b>."],
                      kind="zorg")
    signed_in(make_user("viewer"))
    page = browser_page
    page.goto("/")
    axe_check()
    header = page.get_by_role("banner")
    header.get_by_label(re.compile("Zoek plannen|Search plans")).fill("zienswijze")
    header.get_by_role("button", name=re.compile("^(Zoeken|Search)$")).click()
    expect(page).to_have_url(re.compile(r"/search\?q=zienswijze"))
    axe_check()
    results = page.locator(".search-result")
    expect(results).to_have_count(2)
    expect(page.locator(".search-result mark").first).to_have_text(re.compile("zienswijz"))
    # shown as typed, never as markup
    expect(page.locator(".search-result__snippet", has_text="<b>fietspaden</b>")).to_have_count(1)
    main = page.get_by_role("main")
    main.get_by_label(re.compile("^(Soort|Kind)$")).select_option("input")
    main.get_by_role("button", name=re.compile("^(Zoeken|Search)$")).click()
    expect(results).to_have_count(1)
    axe_check()
    results.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/consultations/inputs/\d+"))
    axe_check()
