"""The job-progress block of macros/jobs.html, shared by every area's job page: the progress
the page's script updates while the job runs, and until it is done a refresh link."""

from __future__ import annotations

import re
from types import SimpleNamespace

from flask import render_template_string

MACRO = '{% from "macros/jobs.html" import job_progress %}{{ job_progress(job, "/again") }}'


def render(app, **job) -> str:
    values = {"id": "j1", "progress": 40, "status": "running", "message": "Rij 4 van 10",
              "done": False, **job}
    with app.test_request_context("/", headers={"Cookie": "koers_language=en"}):
        html = render_template_string(MACRO, job=SimpleNamespace(**values))
    return re.sub(r">\s+<", "><", html.strip())


def test_a_running_job_shows_its_progress_state_and_a_refresh_link(app):
    html = render(app)
    assert '<div class="job" data-job-status-url="/jobs/j1.json" data-job-done="false">' in html
    assert '<progress id="job-progress" max="100" value="40">40%</progress>' in html
    assert '<span class="job__percent" data-job-percent>40%</span>' in html
    assert re.search(r'role="status" aria-live="polite" data-job-state '
                     r'data-running-label="[^"]+">[^<]+ — Rij 4 van 10</p>', html)
    assert '<a href="/again" data-job-reload>Refresh</a>' in html


def test_a_finished_job_shows_its_progress_without_a_refresh_link(app):
    html = render(app, status="finished", progress=100, done=True, message=None)
    assert 'data-job-done="true"' in html and 'value="100"' in html
    assert "data-job-reload" not in html and " — " not in html
