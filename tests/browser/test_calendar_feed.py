"""The calendar feed from the own profile page: made, its address shown once in a field to
copy, fetched as a calendar app would, revoked. Every page is scanned with axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_make_use_and_revoke_a_calendar_feed(browser_page, axe_check, signed_in, make_user,
                                             live_server):
    page = browser_page
    signed_in(make_user("viewer", name="Vera Viewer"))
    page.goto("/profile")
    axe_check()
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=re.compile(
            "^(Maak een feedadres|Make a feed address|Feedadres maken)$")).click()
    axe_check()
    field = page.get_by_role("textbox", name=re.compile("Feedadres|Feed address"))
    expect(field).to_have_attribute("readonly", "")
    url = field.input_value()
    assert re.fullmatch(re.escape(live_server) + r"/consultations/calendar/[\w-]{43}\.ics", url)
    feed = page.context.request.get(url)  # the session does not matter: the token does
    assert feed.status == 200 and feed.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VCALENDAR" in feed.text()
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name=re.compile("profiel|profile")).last.click()
    axe_check()
    expect(page.get_by_role("main")).not_to_contain_text(url)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=re.compile("intrekken|revoke", re.IGNORECASE)).click()
    axe_check()
    expect(page.locator(".utrecht-alert--ok")).to_be_visible()
    assert page.context.request.get(url).status == 404
