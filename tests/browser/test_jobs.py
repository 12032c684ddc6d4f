"""A background job started from the dashboard shows its progress, then its result."""

from __future__ import annotations

import re
import threading

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FINISHED = re.compile("Klaar|Voltooid|Afgerond|Gereed|Finished")


@pytest.fixture
def app_overrides():
    # Run jobs in job processes (not inline), so the page sees the job while it runs.
    return {"KOERS_JOBS_INLINE": False}


@pytest.fixture
def job_gate(app, monkeypatch):
    """Jobs wait for ``gate.set()`` before they start, so a test sees one while it is
    unfinished however fast or slow the machine is."""
    gate = threading.Event()
    runner = app.extensions["koers_jobs"]
    run = runner._run

    def run_when_open(job_id: str) -> None:
        gate.wait(timeout=30)
        run(job_id)

    monkeypatch.setattr(runner, "_run", run_when_open)
    yield gate
    gate.set()


def test_stock_take_shows_progress_then_the_result(browser_page, axe_check, signed_in,
                                                   make_user, job_gate):
    page = browser_page
    admin = make_user("admin", name="Anna Admin")
    signed_in(admin)
    page.goto("/")
    axe_check()

    page.get_by_role("main").get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/jobs/[^/.]+$"))
    progress = page.get_by_role("progressbar")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("value", "0")
    expect(page.get_by_label(re.compile("Voortgang|Progress"))).to_be_visible()
    expect(page.get_by_role("status")).not_to_have_text(FINISHED)
    expect(page.get_by_role("table")).to_have_count(0)
    axe_check()

    # The script polls the status and reloads the page once the job is done.
    job_gate.set()
    expect(page.get_by_role("status")).to_have_text(FINISHED, timeout=40_000)
    expect(progress).to_have_attribute("value", "100")
    expect(page.get_by_role("main").locator("[data-job-reload]")).to_have_count(0)
    table = page.get_by_role("table")
    expect(table).to_be_visible()
    for name in ("audit_events", "jobs", "users"):
        expect(table.get_by_role("row").filter(has_text=name)).to_have_count(1)
    expect(table.get_by_role("row").filter(has_text="users")).to_contain_text("1")
    axe_check()
