"""Benchmark of the pages at municipal scale under gunicorn and wrk, each beside a comparator
(run by hand or with ``make bench``, not by pytest).

Seeds 1,000 plans (themes, goals, 20,000 actions; one programme of 1,000 actions), 50,000
stakeholders and 100,000 inputs over 50 consultations with their answers; serves Koers as in
production (gunicorn, sync workers, ``--preload``, 2 workers) and the minimal Flask-SQLAlchemy
app of ``tests/benchmarks/comparator`` the same way, on the same kind of database; signs in as
an administrator and loads every page with wrk (16 connections), alternating: first the
comparator's 50-row table, then the Koers page — and the comparator's bare page before
``/healthz``. Prints per page requests/s, p50, p99, non-2xx responses, queries per request
(counted in-process with the test client) and the ratio to the comparator run beside it,
marking misses of the targets; writes the same as JSON.

    make bench
    make bench ARGS="--database-url postgresql://postgres@127.0.0.1:5432/bench"
    .venv/bin/python -m tests.benchmarks.stack --keep /tmp/koers-bench --duration 3
    .venv/bin/python -m tests.benchmarks.stack --scale 0.05 --duration 1     # a quick look

``--keep DIR`` seeds SQLite in DIR once and reuses it afterwards. With a PostgreSQL URL both
apps work in throwaway databases next to the one named. wrk is installed with apt-get when
missing. Targets are only marked: the run fails (exit 1) only when a page answers anything but
200 or cannot be fetched. Figures are for the machine at hand; compare runs on one machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.audit.services import audit_many
from app.auth import services as accounts
from app.auth.models import User
from app.consultations import services as consultations
from app.consultations.inputs.answers import CHANGES_PLAN, DECISIONS
from app.consultations.inputs.forms import PAGE_SIZES
from app.consultations.inputs.models import Answer, Input, InputAnswer, InputTheme
from app.consultations.models import Consultation
from app.consultations.services import ConsultationData
from app.database import db, utcnow
from app.plans import services as plans
from app.plans.models import (
    Action,
    ActionPartner,
    Goal,
    Involvement,
    InvolvementRole,
    Law,
    Plan,
    PlanLaw,
    Section,
    Theme,
)
from app.plans.services import PlanData
from app.plans.workflow import DefaultStep
from app.stakeholders import transfer
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import normalise
from app.testing import TEST_PASSWORD, postgres_database, take_step
from tests.benchmarks import comparator, migrated_app
from tests.benchmarks.pages import signed_in, time_pages
from tests.benchmarks.plans import EMAIL, SECRET, free_port, signed_in_opener, wait_for
from tests.benchmarks.search import texts
from tests.benchmarks.stakeholders import import_file
from tests.integration.test_input_pages import CHANNELS, GROUPS, KINDS

FRAMEWORK = "Beleidskader sociaal domein 2026-2030"
PROGRAMME = "Uitvoeringsprogramma sociaal domein"
TOPICS = ("Wonen en zorg", "Jeugd en onderwijs", "Armoede en schulden", "Werk en inkomen",
          "Mantelzorg", "Eenzaamheid", "Gezondheid", "Inclusie", "Sport en bewegen",
          "Veiligheid")
THEMES = ("Meedoen", "Gezond leven", "Zelfstandig wonen", "Ontmoeting", "Bestaanszekerheid",
          "Opgroeien", "Mantelzorg", "Toegankelijkheid", "Werk", "Veilig thuis")
#: what the filtered pages ask for: a plan title word, a theme name, a name, a kind of input
TEXT_FILTER, THEME_FILTER, NAME_SEARCH, INPUT_KIND = ("mantelzorg", "toegankelijkheid",
                                                     "jansen", "idee")
COMPARATOR_LIST, COMPARATOR_BARE = "/rows/7", "/hello"
MARKER = "seeded.json"  # in the --keep folder, once seeding has finished
LUA = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non_2xx = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non_2xx")
  end
  local errors = summary.errors
  io.write(string.format('\nRESULT {"requests": %.0f, "duration_us": %.0f, "non_2xx": %.0f, ' ..
    '"status_errors": %.0f, "socket_errors": %.0f, "p50_us": %.0f, "p99_us": %.0f, ' ..
    '"max_us": %.0f}\n', summary.requests, summary.duration, bad, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


# --- the instance ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Scale:
    """What the instance holds; ``--scale`` multiplies every count."""

    plans: int = 1_000
    actions: int = 20_000
    programme_actions: int = 1_000
    stakeholders: int = 50_000
    inputs: int = 100_000
    consultations: int = 50

    def times(self, factor: float) -> Scale:
        return Scale(**{name: max(3, round(value * factor))
                        for name, value in asdict(self).items()})


def seed(scale: Scale) -> None:
    """The whole instance, in bulk where the volume is (in a request context)."""
    rng = random.Random(14)
    user = accounts.create_user(EMAIL, "Benchmark", "admin", password=TEST_PASSWORD).user
    db.session.commit()
    seed_stakeholders(scale.stakeholders)
    framework, programme = seed_plans(scale, user)
    seed_consultations(scale, user, framework, programme, rng)
    plan = db.session.get(Plan, framework)
    take_step(plan, DefaultStep.ADOPT_DRAFT, user=user)
    take_step(plan, DefaultStep.LAY_OPEN, user=user)
    audit_many("update", [(plan, {"summary": {"old": f"Versie {n}", "new": f"Versie {n + 1}"}})
                          for n in range(300)], actor=user, source="web")
    db.session.commit()


def seed_stakeholders(count: int) -> None:
    """Through the import, as tests.benchmarks.stakeholders fills the register: persons in
    organisations, with categories, tags and search terms."""
    done = 0
    while done < count:
        batch = min(10_000, count - done)
        transfer.import_rows(transfer.check(transfer.read(import_file(batch, offset=done),
                                                          "betrokkenen.csv")))
        db.session.commit()
        done += batch


def _stakeholders(kind: str, limit: int) -> Sequence[int]:
    return db.session.scalars(sa.select(Stakeholder.id).where(Stakeholder.kind == kind)
                              .order_by(Stakeholder.id).limit(limit)).all()


def seed_plans(scale: Scale, user: User) -> tuple[int, int]:
    """The framework (30 sections, 10 themes), its programme (20 themes and the programme's
    actions, each with a trekker and two partners) and the other plans (a law, 3 themes);
    every theme with 2 goals, the remaining actions spread over all but the programme.
    Returns the ids of the framework and the programme."""
    persons, organisations = _stakeholders("person", 1_000), _stakeholders("organisation", 200)
    framework = plans.create_plan(PlanData(
        title=FRAMEWORK, kind="beleidskader", summary="Samen krachtig in het sociaal domein.",
        laws=[Law.WMO, Law.JEUGDWET, Law.PARTICIPATIEWET], period_start=date(2026, 1, 1),
        period_end=date(2030, 12, 31), owner_id=user.id, sponsor_id=persons[0]), actor=user)
    programme = plans.create_plan(PlanData(title=PROGRAMME, kind="uitvoeringsprogramma",
                                           parent_id=framework.id, owner_id=user.id), actor=user)
    now = utcnow()
    db.session.execute(sa.insert(Plan.__table__), [
        {"title": title, "sort_title": normalise(title), "kind": ("nota", "beleidsplan")[n % 2],
         "workflow": "core.default", "state": "core.concept", "phase": "concept",
         "owner_id": user.id if n % 4 == 0 else None, "archived": False, "version": 1,
         "created_at": now, "updated_at": now}
        for n, title in ((n, f"{TOPICS[n % len(TOPICS)]} {n:04d}")
                         for n in range(scale.plans - 2))])
    others = db.session.scalars(sa.select(Plan.id).where(
        Plan.id.not_in([framework.id, programme.id])).order_by(Plan.id)).all()
    laws = list(Law)
    db.session.execute(sa.insert(PlanLaw.__table__), [
        {"plan_id": plan_id, "law": laws[n % len(laws)]} for n, plan_id in enumerate(others)])
    db.session.execute(sa.insert(Section.__table__), [
        {"plan_id": framework.id, "position": n, "title": f"Hoofdstuk {n + 1}", "version": 1,
         "body": "Samen met **inwoners** en partners.\n\n- één\n- twee\n\n" * 3,
         "updated_at": now} for n in range(30)])
    counts = {framework.id: 10, programme.id: 20} | dict.fromkeys(others, 3)
    db.session.execute(sa.insert(Theme.__table__), [
        {"plan_id": plan_id, "position": n, "name": THEMES[(plan_id + n) % len(THEMES)],
         "version": 1} for plan_id, count in counts.items() for n in range(count)])
    themes: dict[int, list[int]] = {}
    for theme_id, plan_id in db.session.execute(
            sa.select(Theme.id, Theme.plan_id).order_by(Theme.id)):
        themes.setdefault(plan_id, []).append(theme_id)
    db.session.execute(sa.insert(Goal.__table__), [
        {"theme_id": theme_id, "position": n, "title": f"Doel {n + 1}", "version": 1}
        for ids in themes.values() for theme_id in ids for n in range(2)])
    goals: dict[int, list[int]] = {}
    for goal_id, theme_id in db.session.execute(
            sa.select(Goal.id, Goal.theme_id).order_by(Goal.id)):
        goals.setdefault(theme_id, []).append(goal_id)
    placed = [programme.id] * scale.programme_actions + [
        [framework.id, *others][n % (len(others) + 1)]
        for n in range(scale.actions - scale.programme_actions)]
    positions: dict[int, int] = {}
    rows = []
    for n, plan_id in enumerate(placed):
        position = positions[plan_id] = positions.get(plan_id, -1) + 1
        theme_id = themes[plan_id][position % len(themes[plan_id])]
        rows.append({
            "plan_id": plan_id, "theme_id": theme_id, "goal_id": goals[theme_id][position % 2],
            "title": f"Actie {position + 1}: {THEMES[n % len(THEMES)].lower()} in de wijk",
            "position": position, "status": ("planned", "running", "done")[n % 3],
            "progress": n % 101, "version": 1, "budget": Decimal("1250.50"),
            "start_date": date(2026, 1, 1), "end_date": date(2027, 12, 31) - timedelta(n % 300),
            "trekker_id": organisations[n % len(organisations)]
            if plan_id == programme.id or n % 3 == 0 else None, "updated_at": now})
    db.session.execute(sa.insert(Action.__table__), rows)
    actions = db.session.scalars(sa.select(Action.id).where(Action.plan_id == programme.id)
                                 .order_by(Action.id)).all()
    db.session.execute(sa.insert(ActionPartner.__table__), [
        {"action_id": action_id, "stakeholder_id": organisations[(n + step) % len(organisations)]}
        for n, action_id in enumerate(actions) for step in (1, 2)])
    roles = list(InvolvementRole)
    db.session.execute(sa.insert(Involvement.__table__), [
        {"plan_id": framework.id, "stakeholder_id": persons[n + 1], "role": roles[n % len(roles)],
         "theme_id": themes[framework.id][n % 10] if n % 2 else None} for n in range(40)])
    db.session.commit()
    return framework.id, programme.id


def seed_consultations(scale: Scale, user: User, framework: int, programme: int,
                       rng: random.Random) -> None:
    """``scale.consultations`` meetings — the first ten on the framework, the others on other
    plans — sharing ``scale.inputs`` inputs of Dutch-like text; every second input has a
    theme, two in three are answered (four inputs to an answer) and processed."""
    pool = texts(2_000, rng)
    persons = _stakeholders("person", 1_000)
    others = db.session.scalars(sa.select(Plan.id).where(
        Plan.id.not_in([framework, programme])).order_by(Plan.id)).all()
    chosen = [framework] * min(10, scale.consultations) + [
        others[n % len(others)] for n in range(scale.consultations - 10)]
    sections = db.session.scalars(sa.select(Section.id).where(Section.plan_id == framework)
                                  .order_by(Section.position)).all()
    for index, plan_id in enumerate(chosen):
        plan = db.session.get(Plan, plan_id)
        meeting = consultations.create_consultation(plan, ConsultationData(
            title=f"Werkconferentie {index + 1}", format="bijeenkomst"), actor=user)
        db.session.flush()
        count = scale.inputs // scale.consultations + (
            scale.inputs % scale.consultations if index == 0 else 0)
        themes = db.session.scalars(sa.select(Theme.id).where(Theme.plan_id == plan_id)
                                    .order_by(Theme.id)).all()
        seed_inputs(meeting.id, count, pool=pool, persons=persons, themes=themes,
                    sections=sections if plan_id == framework else [], answerer=user.id)
        db.session.commit()


def seed_inputs(consultation_id: int, count: int, *, pool: Sequence[str],
                persons: Sequence[int], themes: Sequence[int], sections: Sequence[int],
                answerer: int) -> None:
    db.session.execute(sa.insert(Input.__table__), [
        {"consultation_id": consultation_id, "number": number, "kind": KINDS[number % 5],
         "participant_group": GROUPS[number % len(GROUPS)],
         "channel": CHANNELS[number % len(CHANNELS)],
         "original_text": pool[(consultation_id * 7919 + number) % len(pool)],
         "late": number % 7 == 0, "processed": number % 3 != 0,
         "stakeholder_id": persons[number % len(persons)] if number % 11 == 0 else None}
        for number in range(1, count + 1)])
    ids = db.session.scalars(sa.select(Input.id).where(Input.consultation_id == consultation_id)
                             .order_by(Input.number)).all()
    db.session.execute(sa.insert(InputTheme.__table__), [
        {"input_id": input_id, "theme_id": themes[n % len(themes)]}
        for n, input_id in enumerate(ids[::2])])
    answered = [input_id for n, input_id in enumerate(ids, start=1) if n % 3]
    decisions = [code for code in DECISIONS if sections or code not in CHANGES_PLAN]
    now = utcnow()
    db.session.execute(sa.insert(Answer.__table__), [
        {"consultation_id": consultation_id, "number": n + 1, "version": 1,
         "text": "Dank voor uw inbreng. We nemen dit mee in het uitvoeringsprogramma.",
         "decision": decisions[n % len(decisions)], "answered_by_id": answerer,
         "answered_at": now, "changed_section_id": sections[n % len(sections)]
         if decisions[n % len(decisions)] in CHANGES_PLAN else None}
        for n in range(math.ceil(len(answered) / 4))])
    answers = db.session.scalars(sa.select(Answer.id).where(
        Answer.consultation_id == consultation_id).order_by(Answer.number)).all()
    db.session.execute(sa.insert(InputAnswer.__table__), [
        {"input_id": input_id, "answer_id": answers[n // 4]}
        for n, input_id in enumerate(answered)])


def pages() -> dict[str, str]:
    """The Koers pages measured, by name (in an app context on the seeded database)."""
    framework = db.session.scalar(sa.select(Plan.id).where(Plan.title == FRAMEWORK))
    programme = db.session.scalar(sa.select(Plan.id).where(Plan.title == PROGRAMME))
    meeting = db.session.scalar(sa.select(Consultation.id).where(
        Consultation.plan_id == framework).order_by(Consultation.id).limit(1))

    def last_page(*conditions: Any) -> int:
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Input).where(
            Input.consultation_id == meeting, *conditions))
        return max(1, math.ceil(count / PAGE_SIZES[0]))

    inputs = f"/consultations/{meeting}/inputs"
    return {
        "dashboard": "/",
        "plan list": "/plans/",
        "plan list, text filter": f"/plans/?q={TEXT_FILTER}",
        "plan list, theme filter": f"/plans/?theme={THEME_FILTER}",
        "plan page": f"/plans/{framework}",
        "programme page (1,000 actions)": f"/plans/{programme}/programme",
        "plan text": f"/plans/{framework}/text",
        "stakeholder list": "/stakeholders/",
        "stakeholder name search": f"/stakeholders/?q={NAME_SEARCH}",
        "input list, first page": inputs,
        "input list, last page": f"{inputs}?page={last_page()}",
        "input list filtered, first": f"{inputs}?kind={INPUT_KIND}",
        "input list filtered, last": f"{inputs}?kind={INPUT_KIND}&page="
                                     f"{last_page(Input.kind == INPUT_KIND)}",
        "consultation page": f"/consultations/{meeting}",
        "coverage view": f"/consultations/plan/{framework}/coverage",
        "history": f"/plans/{framework}/history",
    }


HEALTH = "/healthz (vs bare page)"


def queries_per_page(app: Flask, urls: dict[str, str]) -> dict[str, int | None]:
    """Queries of one request per page by the signed-in test client; None: not a 200."""
    client = signed_in(app, EMAIL)
    counted: dict[str, int | None] = {}
    for name, url in urls.items():
        try:
            [(_name, counted[name], _seconds)] = time_pages(client, {name: url}, 1)
        except AssertionError:
            counted[name] = None
    return counted


# --- serving and loading --------------------------------------------------------------------

@contextlib.contextmanager
def served(target: str, environ: dict[str, str], workers: int, probe: str,
           chdir: Path | None = None) -> Iterator[str]:
    """``target`` under gunicorn as in production — sync workers, ``--preload`` — on a free
    port of 127.0.0.1; yields its base URL once ``probe`` answers."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--no-control-socket",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "sync",
         "--preload", "--log-level", "warning", *(["--chdir", str(chdir)] if chdir else []),
         target], env=environ)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(base + probe)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        print("wrk is missing: apt-get install -y wrk", flush=True)
        if subprocess.run(["apt-get", "install", "-y", "wrk"], check=False).returncode:
            subprocess.run(["apt-get", "update"], check=True)
            subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)
        found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk could not be installed (Debian: apt-get install wrk)")
    return found


def fetch_problem(opener: urllib.request.OpenerDirector, url: str, requests: int = 8
                  ) -> str | None:
    """Why ``url`` cannot be measured (not a 200, or sent elsewhere), else None; the
    requests, four at a time, also warm up both workers."""
    def get(_n: int) -> str | None:
        try:
            with opener.open(url, timeout=60) as response:
                response.read()
                if response.geturl() != url:
                    return f"redirected to {response.geturl()}"
                return None if response.status == 200 else f"status {response.status}"
        except urllib.error.HTTPError as error:
            return f"status {error.code}"
        except OSError as error:
            return f"{error.__class__.__name__}: {error}"

    with ThreadPoolExecutor(4) as pool:
        return next((problem for problem in pool.map(get, range(requests)) if problem), None)


@dataclass
class Load:
    """One wrk run: its figures as the Lua script's ``done()`` reported them."""

    requests: int
    duration_us: int
    non_2xx: int
    status_errors: int
    socket_errors: int
    p50_us: int
    p99_us: int
    max_us: int

    @property
    def per_second(self) -> float:
        return self.requests / (self.duration_us / 1e6) if self.duration_us else 0.0

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors


def load(wrk: str, script: Path, url: str, cookie: str, args: argparse.Namespace) -> Load:
    done = subprocess.run(
        [wrk, "--threads", str(args.threads), "--connections", str(args.connections),
         "--duration", f"{args.duration}s", "--timeout", "10s", "--script", str(script),
         "--header", f"Cookie: {cookie}", url], capture_output=True, text=True, check=False)
    line = next((line for line in done.stdout.splitlines() if line.startswith("RESULT ")), None)
    if done.returncode or line is None:
        raise SystemExit(f"wrk failed on {url}:\n{done.stdout}\n{done.stderr}")
    return Load(**{name: int(value) for name, value in json.loads(line[7:]).items()})


# --- the report -----------------------------------------------------------------------------

@dataclass
class Row:
    name: str
    path: str
    queries: int | None
    problem: str | None = None
    koers: Load | None = None
    comparator: Load | None = None
    misses: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        if self.koers is None or self.comparator is None or not self.comparator.per_second:
            return None
        return self.koers.per_second / self.comparator.per_second

    def judge(self, targets: dict[str, float]) -> None:
        ratio = targets["health_ratio" if self.name == HEALTH else "ratio"]
        self.misses = [name for name, missed in (
            ("fetch", self.problem is not None),
            ("ratio", self.ratio is not None and self.ratio < ratio),
            ("p99", self.koers is not None and self.koers.p99_us >= targets["p99_ms"] * 1000),
            ("errors", self.koers is not None and self.koers.errors > 0),
            ("queries", self.queries is None or self.queries > targets["queries"]),
        ) if missed]

    def cells(self) -> list[str]:
        def mark(text: str, name: str) -> str:
            return f"{text} ✗" if name in self.misses else f"{text}  "

        koers, other = self.koers, self.comparator
        figures = ["", "", "", ""] if koers is None else [
            f"{koers.per_second:.1f}", f"{koers.p50_us / 1000:.1f}",
            mark(f"{koers.p99_us / 1000:.1f}", "p99"),
            mark(f"{koers.non_2xx}" + (f" (+{koers.socket_errors} socket)"
                                       if koers.socket_errors else ""), "errors")]
        return [self.name, *figures,
                mark("—" if self.queries is None else str(self.queries), "queries"),
                "" if other is None else f"{other.per_second:.1f}",
                mark("" if self.ratio is None else f"{self.ratio:.2f}", "ratio"),
                self.problem or ", ".join(self.misses) or "all met"]


HEADINGS = ["page", "req/s", "p50 ms", "p99 ms", "non-2xx", "queries", "comparator req/s",
            "ratio", "misses"]


def table(rows: list[Row], targets: dict[str, float]) -> str:
    wanted = ["target", "", "", f"< {targets['p99_ms']:.0f}", "0", f"≤ {targets['queries']:.0f}",
              "", f"≥ {targets['ratio']} (/healthz ≥ {targets['health_ratio']})", ""]
    lines = [HEADINGS, wanted, *(row.cells() for row in rows)]
    widths = [max(len(line[n]) for line in lines) for n in range(len(HEADINGS))]
    text = [" | ".join(cell.ljust(width) if n in (0, 8) else cell.rjust(width)
                       for n, (cell, width) in enumerate(zip(line, widths, strict=True)))
            for line in lines]
    text.insert(1, "-+-".join("-" * width for width in widths))
    return "\n".join(text)


# --- the run --------------------------------------------------------------------------------

def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="a PostgreSQL server database")
    parser.add_argument("--keep", type=Path, help="seed SQLite in this folder once, reuse it")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count")
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--json", type=Path,
                        default=Path(tempfile.gettempdir()) / "koers-bench-results.json")
    args = parser.parse_args()
    if args.keep and args.database_url:
        parser.error("--keep keeps a SQLite database; PostgreSQL runs in a throwaway database")
    return args


def prepared(app: Flask, scale: Scale, keep: Path | None) -> float:
    """Seed unless ``keep`` holds this scale already; returns the seconds spent."""
    marker = keep / MARKER if keep else None
    if marker is not None and marker.exists():
        if json.loads(marker.read_text()) != asdict(scale):
            raise SystemExit(f"{keep} holds another scale: remove it or choose another folder")
        print(f"reusing the instance seeded in {keep}", flush=True)
        return 0.0
    started = time.perf_counter()
    with app.app_context(), app.test_request_context():
        seed(scale)
        db.session.remove()
        settle(db.engine)
    if marker is not None:
        marker.write_text(json.dumps(asdict(scale)))
    return time.perf_counter() - started


def settle(engine: sa.Engine) -> None:
    """On PostgreSQL, VACUUM ANALYZE after the bulk load, as autovacuum would have done in a
    running instance: the planner gets its statistics, and autovacuum stays out of the run."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


@contextlib.contextmanager
def comparator_database(folder: Path, database_url: str) -> Iterator[str]:
    """The comparator's seeded database, of the same kind as Koers'."""
    with contextlib.ExitStack() as stack:
        url = (stack.enter_context(postgres_database(database_url)) if database_url
               else f"sqlite:///{folder}/comparator.sqlite")
        app = comparator.create_app(url)
        with app.app_context():
            comparator.seed()
            settle(comparator.db.engine)
            comparator.db.engine.dispose()
        yield url


def measure(rows: list[Row], koers: str, other: str, wrk: str, args: argparse.Namespace
            ) -> None:
    """Check every page, then load each: the comparator, then the Koers page."""
    opener = signed_in_opener(koers)
    jar = next(handler.cookiejar for handler in opener.handlers
               if isinstance(handler, urllib.request.HTTPCookieProcessor))
    cookie = "; ".join(f"{item.name}={item.value}" for item in jar)
    for row in rows:
        row.problem = row.problem or fetch_problem(opener, koers + row.path)
    for path in (COMPARATOR_LIST, COMPARATOR_BARE):
        if problem := fetch_problem(opener, other + path):
            raise SystemExit(f"the comparator's {path} cannot be fetched: {problem}")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(LUA)
        script.flush()
        for row in rows:
            if row.problem:
                continue
            compared = COMPARATOR_BARE if row.name == HEALTH else COMPARATOR_LIST
            row.comparator = load(wrk, Path(script.name), other + compared, cookie, args)
            row.koers = load(wrk, Path(script.name), koers + row.path, cookie, args)
            print(f"  {row.name:32} {row.koers.per_second:8.1f} req/s "
                  f"(comparator {row.comparator.per_second:.1f})", flush=True)


def main() -> None:
    args = arguments()
    started = time.perf_counter()
    wrk = wrk_binary()
    scale = Scale().times(args.scale)
    if args.keep:
        args.keep = args.keep.resolve()
        args.keep.mkdir(parents=True, exist_ok=True)
        if not (args.keep / MARKER).exists():  # an interrupted seeding starts afresh
            (args.keep / "bench.sqlite").unlink(missing_ok=True)
    with migrated_app(args.database_url, folder=args.keep) as app:
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        backend = sa.make_url(url).get_backend_name()
        seeding = prepared(app, scale, args.keep)
        print(f"seeding: {seeding:.1f} s", flush=True)
        with app.app_context():
            urls = pages() | {HEALTH: "/healthz"}
            counted = queries_per_page(app, urls)
            db.session.remove()
            db.engine.dispose()
        rows = [Row(name, path, counted[name],
                    None if counted[name] is not None else "not 200 in the test client")
                for name, path in urls.items()]
        environ = {**os.environ, "SECRET_KEY": SECRET, "DATABASE_URL": url,
                   "KOERS_INSTANCE_DIR": app.instance_path, "KOERS_MUNICIPALITY": "demo",
                   "KOERS_LOG_LEVEL": "WARNING"}
        for name in ("REDIS_URL", "KOERS_CONFIG"):
            environ.pop(name, None)
        folder = Path(app.instance_path).parent
        with comparator_database(folder, args.database_url) as other_url, \
                served("app:create_app()", environ, args.workers, "/healthz") as koers, \
                served("comparator:create_app()", {**os.environ, "COMPARATOR_DATABASE_URL":
                       other_url}, args.workers, COMPARATOR_BARE,
                       chdir=Path(comparator.__file__).parent.parent) as other:
            print(f"loading every page for {args.duration} s with {args.connections} "
                  f"connections, comparator first:", flush=True)
            measure(rows, koers, other, wrk, args)
    report(rows, args, backend, scale, seeding, time.perf_counter() - started)
    sys.exit(1 if any(row.problem or (row.koers and row.koers.errors)
                      or (row.comparator and row.comparator.errors) for row in rows) else 0)


def report(rows: list[Row], args: argparse.Namespace, backend: str, scale: Scale,
           seeding: float, total: float) -> None:
    targets = {"ratio": 0.4 if backend == "postgresql" else 0.5, "p99_ms": 50.0,
               "queries": 8, "health_ratio": 0.9}
    for row in rows:
        row.judge(targets)
    met = sum(not row.misses for row in rows)
    print(f"\ndatabase: {backend}; {scale.plans} plans, {scale.actions} actions "
          f"(programme {scale.programme_actions}), {scale.stakeholders} stakeholders, "
          f"{scale.inputs} inputs in {scale.consultations} consultations")
    print(f"gunicorn: {args.workers} sync workers, --preload; wrk: {args.connections} "
          f"connections, {args.threads} thread(s), {args.duration} s per page; "
          f"ratio = Koers req/s / comparator req/s of the run just before\n")
    print(table(rows, targets))
    print(f"\nevery target met on {met} of {len(rows)} pages; seeding {seeding:.1f} s, "
          f"total {total:.1f} s; JSON: {args.json}")
    args.json.write_text(json.dumps({
        "database": backend, "scale": asdict(scale), "targets": targets,
        "settings": {"workers": args.workers, "connections": args.connections,
                     "threads": args.threads, "duration_s": args.duration},
        "seeding_s": round(seeding, 1), "total_s": round(total, 1),
        "pages": [{"name": row.name, "path": row.path, "queries": row.queries,
                   "problem": row.problem, "ratio": row.ratio, "misses": row.misses,
                   "koers": row.koers and {**asdict(row.koers), "rps": row.koers.per_second},
                   "comparator": row.comparator and {**asdict(row.comparator),
                                                     "rps": row.comparator.per_second}}
                  for row in rows]}, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
