"""Browser fixtures: the app served on a free local port, Debian's Chromium driven by
Playwright, and an axe scan of every page a test opens.

``browser_page`` is a Playwright page on a fresh context (Dutch locale, ``base_url`` set to the
live server, so ``page.goto("/login")`` works). It keeps a record while the test runs:

* every document the page navigates to must be scanned with ``axe_check()`` after it loaded —
  a page left unscanned fails the test at teardown;
* every scan fails the test on a "serious" or "critical" violation, naming the rule, its help
  text and the offending elements;
* any console error (a script error, a resource that failed to load, a style or script the
  Content-Security-Policy refused) or uncaught page error fails the test.

The browser is Debian's ``/usr/bin/chromium`` (``KOERS_CHROMIUM`` to use another); Playwright
never downloads one.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import TEST_PASSWORD, KoersClient

CHROMIUM = os.environ.get("KOERS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
BLOCKING_IMPACTS = {"serious", "critical"}
# Chromium logs a console error for every response with an error status, the page itself
# included. The error pages answer 4xx on purpose, so those are judged by the test instead.
FAILED_LOAD = re.compile(r"^Failed to load resource: the server responded with a status of 4\d\d")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    # Keep each phase's report on the item, so fixtures can tell whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """``app`` served over HTTP on a free port of 127.0.0.1 while the block runs; yields its
    base URL. The browser tests and the documentation's screenshots (tests/screenshots.py)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="koers-live-server",
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The per-test ``app`` served over HTTP on 127.0.0.1; yields its base URL."""
    with served(app) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Any) -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}: apt-get install chromium (or set KOERS_CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI must run the browser suite, never skip it
        pytest.skip(message)
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class PageRecord:
    """What one page did during a test: documents opened and scanned, console errors."""

    base_url: str
    pending: dict[str, str] = field(default_factory=dict)  # document → URL as opened
    documents: set[str] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    last_url: str = ""

    def navigated(self, url: str) -> None:
        if not url.startswith(self.base_url):
            return
        document, _ = urldefrag(url)
        # A jump to a fragment of the same document (the skip link) is no new page.
        if url != self.last_url and document == urldefrag(self.last_url)[0]:
            self.last_url = url
            return
        self.last_url = url
        self.documents.add(document)
        self.pending[document] = url

    def console(self, message: Any) -> None:
        if message.type != "error":
            return
        text = message.text
        location = (message.location or {}).get("url", "")
        if FAILED_LOAD.match(text) and urldefrag(location)[0] in self.documents:
            return
        self.errors.append(f"console error at {location or '?'}: {text}")

    def page_error(self, error: Any) -> None:
        self.errors.append(f"uncaught error: {error}")

    def check_errors(self) -> None:
        if self.errors:
            found, self.errors = self.errors, []
            pytest.fail("the browser reported errors (a script failure or a Content-Security-"
                        "Policy violation shows up here):\n  " + "\n  ".join(found),
                        pytrace=False)


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe found serious accessibility problems on {url}:"]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}"
                     f" ({violation.get('helpUrl', '')})")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node.get("target", []))
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", "\n      ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def axe() -> Any:
    module = pytest.importorskip("axe_playwright_python.sync_playwright")
    return module.Axe()


@pytest.fixture
def page_record(live_server: str) -> PageRecord:
    return PageRecord(base_url=live_server)


@pytest.fixture
def browser_page(request: pytest.FixtureRequest, browser: Any, live_server: str,
                 page_record: PageRecord) -> Iterator[Any]:
    """A fresh page (own cookies, Dutch locale) on the live server, watched as described
    in this module's docstring."""
    context = browser.new_context(base_url=live_server, locale="nl-NL",
                                  timezone_id="Europe/Amsterdam")
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("framenavigated",
            lambda frame: page_record.navigated(frame.url) if frame == page.main_frame else None)
    page.on("console", page_record.console)
    page.on("pageerror", page_record.page_error)
    yield page
    context.close()
    call = getattr(request.node, "report_call", None)
    if call is None or call.failed:
        return  # the test's own failure says more than what it left unchecked
    page_record.check_errors()
    if page_record.pending:
        pytest.fail("pages opened but never scanned with axe_check(): "
                    + ", ".join(sorted(page_record.pending.values())), pytrace=False)


@pytest.fixture
def axe_check(browser_page: Any, page_record: PageRecord, axe: Any) -> Callable[..., None]:
    """``axe_check()`` scans the current document of ``browser_page`` (or the page given)."""

    def check(page: Any = None) -> None:
        page = page or browser_page
        page.wait_for_load_state("load")
        url = page.url
        violations = axe.run(page).response["violations"]
        page_record.pending.pop(urldefrag(url)[0], None)
        blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
        if blocking:
            pytest.fail(format_violations(url, blocking), pytrace=False)
        page_record.check_errors()

    return check


@pytest.fixture
def sign_in(browser_page: Any, axe_check: Callable[..., None]) -> Callable[..., None]:
    """Sign in through the form; the sign-in page is scanned on the way."""

    def sign_in_as(email: str, password: str = TEST_PASSWORD) -> None:
        browser_page.goto("/login")
        axe_check()
        browser_page.get_by_label(re.compile("E-mailadres|E-mail address")).fill(email)
        browser_page.get_by_label(re.compile("^(Wachtwoord|Password)$")).fill(password)
        browser_page.get_by_role("main").get_by_role("button").click()
        browser_page.wait_for_load_state("load")

    return sign_in_as


@pytest.fixture
def signed_in(app: Flask, browser_page: Any, live_server: str) -> Callable[..., None]:
    """Give the browser the session of ``user`` without going through the sign-in page
    (that page has tests of its own); the browser is still on ``about:blank`` after it."""

    def sign_in_quietly(user: Any, password: str = TEST_PASSWORD) -> None:
        app.test_client_class = KoersClient
        client = app.test_client()
        response = client.submit("/login", {"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        name = app.config["SESSION_COOKIE_NAME"]
        cookie = client.get_cookie(name)
        assert cookie is not None, f"no {name} cookie after signing in"
        browser_page.context.add_cookies([{
            "name": name, "value": cookie.value, "url": live_server, "httpOnly": True,
            "sameSite": "Lax"}])

    return sign_in_quietly


@pytest.fixture
def sign_out(browser_page: Any) -> Callable[[], None]:
    def sign_out_now() -> None:
        browser_page.get_by_role("banner").get_by_role(
            "button", name=re.compile("Uitloggen|Afmelden|Sign out")).click()
        browser_page.wait_for_load_state("load")

    return sign_out_now
