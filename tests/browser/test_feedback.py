"""Terugkoppeling in the browser: an editor previews who gets what, sends the feedback, sees
the mailing, prints a post letter and marks it sent, and finds every letter in the outbox —
every page scanned with axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.integration.test_feedback import Scene, outbox_files

pytestmark = pytest.mark.browser


def test_an_editor_sends_feedback_and_finds_it_in_the_outbox(app, browser_page, axe_check,
                                                             signed_in, make_user):
    with app.test_request_context():
        scene = Scene()
    page = browser_page
    signed_in(make_user("editor", name="Eva Editor"))
    page.goto(f"/consultations/{scene.period.id}")
    axe_check()
    page.get_by_role("link", name=re.compile("Terugkoppeling|Feedback to participants")).click()
    expect(page.get_by_role("table").first).to_contain_text("Anna de Vries")
    axe_check()

    page.locator("form[action$='/feedback'] button[type=submit]").click()
    expect(page.locator("#mailings")).to_be_visible()
    axe_check()
    assert len(outbox_files(app)) == 2

    post = page.locator("section[aria-labelledby=post]")
    expect(post).to_contain_text("Bert Jansen")
    post.get_by_role("link").first.click()
    expect(page.locator("address")).to_contain_text("Dorpsstraat 1")
    axe_check()
    page.go_back()
    axe_check()
    page.locator("section[aria-labelledby=post] button[value=mark_sent]").click()
    expect(page.locator("section[aria-labelledby=post]")).not_to_contain_text("Bert Jansen")
    axe_check()

    page.goto("/consultations/feedback/outbox")
    expect(page.get_by_role("table")).to_contain_text("Carla Smit")
    axe_check()
