"""Screenshots of Koers for the documentation (docs/design.md), made from the demo data.

    .venv/bin/python -m tests.screenshots [--out docs/images] [--municipality demo ...]

For each municipality (by default demo, oldambt and coevorden) a throwaway instance is
migrated and loaded with that municipality's demo data as ``koers demo setup`` loads it, served
on a free port on 127.0.0.1, and Debian's Chromium (``/usr/bin/chromium``, or
``KOERS_CHROMIUM``) signs in as the demo administrator and saves 1366x900 PNGs of the pages in
``SHOTS``: for the demo municipality ``dashboard.png``, ``plan.png`` and ``form.png``, for each
other one ``dashboard-<municipality>.png``.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, url_for
from sqlalchemy import select

from app.database import db
from app.demo import demo_admin_email, load_demo
from app.plans.models import Plan
from app.testing import make_app, migrate
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, served

VIEWPORT = {"width": 1366, "height": 900}
MUNICIPALITIES = ("demo", "oldambt", "coevorden")
#: The municipality whose screenshots carry no suffix; the others get only the ``every`` shots.
MAIN = "demo"


@dataclass(frozen=True)
class Shot:
    """One screenshot: the file's name, the page's endpoint, whether the page's form is
    submitted empty first (to show its errors), and whether every municipality gets one."""

    name: str
    endpoint: str
    submit_empty: bool = False
    every: bool = False


SHOTS = (
    Shot("dashboard", "main.dashboard", every=True),
    Shot("plan", "plans.show"),
    Shot("form", "plans.create", submit_empty=True),
)


def file_name(shot: Shot, municipality: str) -> str:
    return f"{shot.name}.png" if municipality == MAIN else f"{shot.name}-{municipality}.png"


def shots_for(municipality: str) -> list[Shot]:
    return [shot for shot in SHOTS if municipality == MAIN or shot.every]


@contextmanager
def demo_instance(municipality: str) -> Iterator[tuple[Flask, str]]:
    """A migrated instance with ``municipality``'s demo data; yields it and the demo
    administrator's one-time password."""
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder) / "instance", f"sqlite:///{folder}/screenshots.sqlite",
                       {"TESTING": False}, KOERS_MUNICIPALITY=municipality)
        logging.disable(logging.INFO)  # not a line per migration (alembic sets its own level)
        try:
            migrate(app)
        finally:
            logging.disable(logging.NOTSET)
        with app.app_context():
            result = load_demo(app.config["KOERS_MUNICIPALITY"])
            assert result.admin_password, "a fresh instance creates its administrator"
            try:
                yield app, result.admin_password
            finally:
                db.session.remove()
                db.engine.dispose()


def page_url(app: Flask, shot: Shot) -> str:
    """The path of ``shot``'s page; a plan's page is the first plan of the demo data."""
    arguments: dict[str, Any] = {}
    rule = next(app.url_map.iter_rules(shot.endpoint))
    if "plan_id" in rule.arguments:
        arguments["plan_id"] = db.session.scalars(
            select(Plan.id).where(Plan.parent_id.is_(None)).order_by(Plan.id)).first()
    with app.test_request_context():
        return url_for(shot.endpoint, **arguments)


def take(browser: Any, app: Flask, municipality: str, password: str, out: Path) -> list[Path]:
    email = demo_admin_email(app.config["KOERS_MUNICIPALITY"])
    saved = []
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    with served(app) as base_url:
        context = browser.new_context(base_url=base_url, locale="nl-NL",
                                      timezone_id="Europe/Amsterdam", viewport=VIEWPORT)
        page = context.new_page()
        page.goto("/login")
        page.locator("input[name=email]").fill(email)
        page.locator("input[name=password]").fill(password)
        with page.expect_navigation(wait_until="load"):
            page.get_by_role("main").locator("button[type=submit]").click()
        for shot in shots_for(municipality):
            page.goto(page_url(app, shot))
            if shot.submit_empty:
                with page.expect_navigation(wait_until="load"):
                    page.get_by_role("main").locator("form button[type=submit]").last.click()
                page.locator(".error-summary").wait_for()
            path = out / file_name(shot, municipality)
            page.screenshot(path=str(path), full_page=False)
            saved.append(path)
        context.close()
    return saved


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs/images"),
                        help="folder for the PNGs (default: docs/images)")
    parser.add_argument("--municipality", action="append", choices=MUNICIPALITIES,
                        help="only this municipality (repeatable; default: all three)")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for municipality in args.municipality or MUNICIPALITIES:
                with demo_instance(municipality) as (app, password):
                    for path in take(browser, app, municipality, password, args.out):
                        print(f"{path} ({path.stat().st_size // 1024} KB)")
        finally:
            browser.close()


if __name__ == "__main__":
    main()
