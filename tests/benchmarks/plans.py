"""Benchmark of the plan pages under gunicorn (run by hand, not by pytest).

Seeds 1,000 plans — one of them with 50 themes x 20 actions, 30 sections and a child
programme — serves the instance with gunicorn on a free port on 127.0.0.1, signs in, and
reports requests per second for the plan list, the plan page and the programme page next to
a minimal page (``/healthz``), with a few concurrent clients for a fixed number of requests.

    .venv/bin/python -m tests.benchmarks.plans
    .venv/bin/python -m tests.benchmarks.plans --database-url postgresql://postgres@127.0.0.1:5432/test

Figures are for the machine at hand; compare runs on the same machine.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa

from app.database import db, utcnow
from app.plans import services
from app.plans.models import Action, Plan, Section, Theme
from app.plans.programme import services as programme
from app.plans.programme.services import ActionData
from app.plans.services import PlanData
from app.testing import TEST_PASSWORD
from tests.benchmarks import migrated_app

SECRET = "benchmark-secret-key-not-for-production"
EMAIL = "bench@koers.example"


def seed(plans: int) -> int:
    """``plans`` plans; returns the id of the big one."""
    from app.auth import services as accounts

    accounts.create_user(EMAIL, "Benchmark", "viewer", password=TEST_PASSWORD)
    big = services.create_plan(PlanData(title="Beleidskader sociaal domein", kind="beleidskader",
                                        laws=["wmo2015", "jeugdwet", "participatiewet"],
                                        period_start=date(2026, 1, 1)))
    services.create_plan(PlanData(title="Uitvoeringsprogramma", kind="uitvoeringsprogramma",
                                  parent_id=big.id))
    db.session.flush()
    now = utcnow()
    db.session.execute(sa.insert(Theme.__table__), [
        {"plan_id": big.id, "position": n, "name": f"Thema {n}", "version": 1}
        for n in range(50)])
    themes = db.session.scalars(sa.select(Theme.id).where(Theme.plan_id == big.id)).all()
    db.session.execute(sa.insert(Action.__table__), [
        {"plan_id": big.id, "theme_id": theme, "title": f"Actie {theme}.{n}", "position": n,
         "status": "running", "progress": (theme + n) % 100, "version": 1,
         "budget": Decimal("1250.50"), "start_date": date(2026, 1, 1),
         "end_date": date(2027, 12, 31), "updated_at": now}
        for theme in themes for n in range(20)])
    db.session.execute(sa.insert(Section.__table__), [
        {"plan_id": big.id, "position": n, "title": f"Hoofdstuk {n}",
         "body": "Samen met **inwoners** en partners.\n\n- één\n- twee", "version": 1,
         "updated_at": now} for n in range(30)])
    db.session.execute(sa.insert(Plan.__table__), [
        {"title": f"Plan {n:04d}", "sort_title": f"plan {n:04d}", "kind": "nota",
         "workflow": "core.default", "state": "core.concept", "phase": "concept",
         "archived": False, "version": 1, "created_at": now, "updated_at": now}
        for n in range(plans - 2)])
    small = db.session.scalar(sa.select(Plan.id).where(Plan.title == "Plan 0000"))
    programme.add_action(db.session.get(Plan, small), ActionData(title="Eén actie"))
    db.session.commit()
    return big.id


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=5):
            return
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def signed_in_opener(base: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    opener.open(f"{base}/login", urllib.parse.urlencode(
        {"email": EMAIL, "password": TEST_PASSWORD, "csrf_token": token}).encode())
    return opener


def measure(opener: urllib.request.OpenerDirector, url: str, requests: int,
            clients: int) -> float:
    """Requests per second for ``requests`` GETs of ``url`` by ``clients`` threads."""
    def get(_n: int) -> int:
        with opener.open(url, timeout=60) as response:
            response.read()
            return response.status

    for _ in range(3):
        get(0)
    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        statuses = list(pool.map(get, range(requests)))
    elapsed = time.perf_counter() - started
    assert all(status == 200 for status in statuses), url
    return requests / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="a PostgreSQL server database")
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200, help="requests per page")
    parser.add_argument("--clients", type=int, default=4, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    args = parser.parse_args()
    with migrated_app(args.database_url) as app:
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        with app.app_context():
            big = seed(args.plans)
            db.session.remove()
            db.engine.dispose()
        port = free_port()
        environ = {**os.environ, "SECRET_KEY": SECRET, "DATABASE_URL": url,
                   "KOERS_INSTANCE_DIR": app.instance_path,
                   "KOERS_MUNICIPALITY": "demo", "KOERS_LOG_LEVEL": "WARNING"}
        environ.pop("REDIS_URL", None)
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--no-control-socket",
             "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
             "--log-level", "warning", "app:create_app()"], env=environ)
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/healthz")
            opener = signed_in_opener(base)
            print(f"database: {sa.make_url(url).get_backend_name()}, {args.plans} plans, "
                  f"{args.workers} gunicorn workers, {args.clients} clients, "
                  f"{args.requests} requests per page")
            for label, path in (("minimal page /healthz", "/healthz"),
                                ("plan list", "/plans/"),
                                ("plan list, filtered", "/plans/?phase=concept&law=wmo2015"),
                                ("plan page (50 themes x 20 actions)", f"/plans/{big}"),
                                ("programme page (50 x 20)", f"/plans/{big}/programme"),
                                ("text page (30 sections)", f"/plans/{big}/text")):
                rate = measure(opener, base + path, args.requests, args.clients)
                print(f"{label:40} {rate:8.1f} requests/s")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
