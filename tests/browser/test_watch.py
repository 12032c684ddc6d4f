"""The browser watch itself: it must catch what it is there to catch, or a green run of the
other browser tests means nothing. Each check tampers with a page on its way to the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import PageRecord

pytestmark = pytest.mark.browser


def tamper(page, path: str, addition: str) -> None:
    """Serve ``path`` with ``addition`` put before ``</body>``; headers (the CSP) unchanged."""

    def handler(route):
        response = route.fetch()
        body = response.text().replace("</body>", addition + "</body>")
        route.fulfill(response=response, body=body)

    page.route(f"**{path}", handler)


def test_a_csp_violation_is_reported(browser_page, axe_check, page_record):
    page = browser_page
    tamper(page, "/login", '<script>document.title = "inline";</script>'
                           '<p style="color: red">inline style</p>')
    with page.expect_console_message(lambda message: message.type == "error"):
        page.goto("/login")
    expect(page).not_to_have_title("inline")  # the policy refused the script
    page.wait_for_load_state("load")
    assert any("Content Security Policy" in error for error in page_record.errors)
    with pytest.raises(pytest.fail.Exception, match="Content-Security-Policy"):
        page_record.check_errors()
    axe_check()


def test_a_missing_resource_is_reported(browser_page, axe_check, page_record):
    page = browser_page
    tamper(page, "/login", '<img src="/static/missing.png" alt="">')
    with page.expect_console_message(lambda message: message.type == "error"):
        page.goto("/login")
    assert any("missing.png" in error for error in page_record.errors)
    page_record.errors.clear()
    axe_check()


def test_a_serious_violation_fails_the_scan(browser_page, axe_check):
    page = browser_page
    tamper(page, "/login", '<img src="/branding/logo" class="tampered">')
    page.goto("/login")
    with pytest.raises(pytest.fail.Exception) as failure:
        axe_check()
    message = str(failure.value)
    assert "image-alt" in message
    assert ".tampered" in message


def test_pages_left_unscanned_are_counted():
    record = PageRecord(base_url="http://127.0.0.1:5000")
    record.navigated("http://127.0.0.1:5000/login")
    record.navigated("http://127.0.0.1:5000/login#content")  # skip link: same document
    assert list(record.pending) == ["http://127.0.0.1:5000/login"]
    record.pending.clear()
    record.navigated("http://127.0.0.1:5000/login#content")  # a reload is a new page view
    record.navigated("http://127.0.0.1:5000/")
    record.navigated("about:blank")  # not the app
    assert sorted(record.pending) == ["http://127.0.0.1:5000/",
                                      "http://127.0.0.1:5000/login"]
