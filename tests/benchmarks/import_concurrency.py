"""Benchmark: a large stakeholder import beside sign-ins and edits (run by hand, not by pytest).

Serves a fresh, migrated instance with gunicorn (2 workers) on a free port on 127.0.0.1 and
runs a 200,000-row import through the import job in a separate process, as ``koers worker``
would. Meanwhile a client signs in over HTTP again and again (GET /login for the CSRF token,
POST /login, then POST an ordinary edit of a stakeholder) and the benchmark reports the
sign-in and edit times (p50, p99, max) and every failure — there must be none. With
``--compare`` the old way, one transaction for the whole import, runs afterwards beside the
same client on a second fresh instance.

    .venv/bin/python -m tests.benchmarks.import_concurrency                 # SQLite
    .venv/bin/python -m tests.benchmarks.import_concurrency --rows 20000 --compare
    .venv/bin/python -m tests.benchmarks.import_concurrency --database-url postgresql://postgres@127.0.0.1:5432/import_tests

Figures are for the machine at hand; compare runs on the same machine.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import sqlalchemy as sa

from app.database import db
from app.testing import TEST_PASSWORD, make_app, migrate, postgres_database
from tests.benchmarks.plans import free_port, wait_for
from tests.benchmarks.stakeholders import import_file

SECRET = "benchmark-secret-key-not-for-production"
EDITOR = "editor@koers.example"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
VERSION = re.compile(r'name="version"[^>]*value="(\d+)"')
#: 200,000 rows are about 22 MB: a municipality importing that much raises the 20 MB limit.
MAX_IMPORT_MB = "64"
IDLE_ROUNDS = 60  # sign-ins and edits before the import starts: the comparator


def environ_for(folder: Path, url: str) -> dict[str, str]:
    environ = {**os.environ, "SECRET_KEY": SECRET, "DATABASE_URL": url,
               "KOERS_INSTANCE_DIR": str(folder / "instance"), "KOERS_MUNICIPALITY": "demo",
               "KOERS_LOG_LEVEL": "WARNING", "KOERS_MAX_IMPORT_MB": MAX_IMPORT_MB}
    environ.pop("REDIS_URL", None)
    return environ


def prepare(folder: Path, url: str, rows: int) -> tuple[str, int]:
    """A migrated instance with an editor, one organisation to edit and a stored upload of
    ``rows`` rows with its import job; returns (job id, the organisation's id)."""
    from app.auth import services as accounts
    from app.jobs.models import Job
    from app.stakeholders import services, transfer
    from app.stakeholders.services import StakeholderData

    app = make_app(folder / "instance", url, {"TESTING": False, "KOERS_JOBS_INLINE": True},
                   KOERS_MAX_IMPORT_MB=MAX_IMPORT_MB)
    migrate(app)
    with app.app_context():
        user = accounts.create_user(EDITOR, "Benchmark", "editor", password=TEST_PASSWORD).user
        organisation = services.create(StakeholderData(name="Wijkteam Noord",
                                                       kind="organisation"))
        db.session.commit()
        path = transfer.store_upload(_BytesReader(import_file(rows)), "betrokkenen.csv")
        record = Job(kind="stakeholders.import", params={"path": path, "name": "bench.csv"},
                     created_by_id=user.id)
        db.session.add(record)
        db.session.commit()
        ids = record.id, organisation.id
        db.session.remove()
        db.engine.dispose()
    return ids


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data, self.position = data, 0

    def read(self, size: int) -> bytes:
        chunk = self.data[self.position:self.position + size]
        self.position += len(chunk)
        return chunk


def _job_process(folder: str, url: str, job_id: str, one_transaction: bool,
                 timings: dict) -> None:
    app = make_app(Path(folder) / "instance", url, {"TESTING": False},
                   KOERS_MAX_IMPORT_MB=MAX_IMPORT_MB)
    with app.app_context():
        started = time.perf_counter()
        if one_transaction:
            from app.jobs.models import Job
            from app.stakeholders import transfer

            record = db.session.get(Job, job_id)
            report = transfer.check(transfer.read_stored(record.params["path"]))
            checked = time.perf_counter()
            transfer.import_rows(report)
            db.session.commit()
        else:
            from app.jobs.services import run_job

            run_job(job_id)
            checked = started
        timings["seconds"] = time.perf_counter() - started
        timings["writing"] = time.perf_counter() - checked if one_transaction else None
        db.session.remove()
        db.engine.dispose()


class Client:
    """Signs in over HTTP and saves an edit, as a person in a browser would."""

    def __init__(self, base: str, organisation: int) -> None:
        self.base, self.organisation = base, organisation
        self.sign_ins: list[float] = []
        self.edits: list[float] = []
        self.failures: list[str] = []

    def round(self, n: int) -> None:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        try:
            page = opener.open(f"{self.base}/login", timeout=60).read().decode()
            started = time.perf_counter()
            with opener.open(f"{self.base}/login", urllib.parse.urlencode(
                    {"email": EDITOR, "password": TEST_PASSWORD,
                     "csrf_token": CSRF.search(page).group(1)}).encode(), timeout=60) as reply:
                if "/login" in reply.geturl():
                    raise RuntimeError("sign-in refused")
            self.sign_ins.append(time.perf_counter() - started)
            edit = f"{self.base}/stakeholders/{self.organisation}/edit"
            page = opener.open(edit, timeout=60).read().decode()
            started = time.perf_counter()
            opener.open(edit, urllib.parse.urlencode({
                "name": "Wijkteam Noord", "kind": "organisation", "notes": f"Bijgewerkt {n}",
                "legal_ground": "public_task", "version": VERSION.search(page).group(1),
                "csrf_token": CSRF.search(page).group(1)}).encode(), timeout=60).read()
            self.edits.append(time.perf_counter() - started)
        except (urllib.error.URLError, OSError, RuntimeError, AttributeError) as error:
            self.failures.append(f"{type(error).__name__}: {error}")


def percentiles(values: list[float]) -> str:
    if not values:
        return "none"
    ordered = sorted(values)
    return (f"p50 {statistics.median(ordered) * 1000:.0f} ms, p99 {_p99(ordered) * 1000:.0f} "
            f"ms, max {ordered[-1] * 1000:.0f} ms")


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def ratios(during: list[float], idle: list[float]) -> str:
    """How much slower during the import than with none (this machine, this run)."""
    if not during or not idle:
        return "no ratio"
    return (f"p50 {statistics.median(during) / statistics.median(idle):.1f} x, "
            f"p99 {_p99(during) / _p99(idle):.1f} x the idle figures")


def bench(database_url: str, rows: int, one_transaction: bool, workers: int) -> None:
    with tempfile.TemporaryDirectory() as folder, contextlib.ExitStack() as stack:
        url = (stack.enter_context(postgres_database(database_url))
               if database_url else f"sqlite:///{folder}/bench.sqlite")
        job_id, organisation = prepare(Path(folder), url, rows)
        port = free_port()
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "--no-control-socket",
             "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
             "--log-level", "warning", "app:create_app()"], env=environ_for(Path(folder), url))
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/healthz")
            client = Client(base, organisation)
            client.round(0)  # warm up both workers' first requests
            client.sign_ins.clear(), client.edits.clear()
            # The comparator, in the same run: the same client with no import running.
            for n in range(IDLE_ROUNDS):
                client.round(-1 - n)
            idle = (list(client.sign_ins), list(client.edits))
            client.sign_ins.clear(), client.edits.clear()
            timings = multiprocessing.Manager().dict()
            job = multiprocessing.get_context("spawn").Process(
                target=_job_process, args=(folder, url, job_id, one_transaction, timings))
            job.start()
            n = 0
            while job.is_alive():
                n += 1
                client.round(n)
            job.join()
            way = "one transaction (the old way)" if one_transaction else "steps (the job)"
            print(f"{sa.make_url(url).get_backend_name()}, {rows} rows, {way}: "
                  f"import {timings.get('seconds', float('nan')):.1f} s"
                  + (f" (of which writing in one transaction {timings['writing']:.1f} s)"
                     if timings.get("writing") else ""))
            print(f"  sign-ins with no import: {len(idle[0])}, {percentiles(idle[0])}")
            print(f"  sign-ins during the import: {len(client.sign_ins)}, "
                  f"{percentiles(client.sign_ins)}; {ratios(client.sign_ins, idle[0])}")
            print(f"  edits with no import: {len(idle[1])}, {percentiles(idle[1])}")
            print(f"  edits during the import: {len(client.edits)}, "
                  f"{percentiles(client.edits)}; {ratios(client.edits, idle[1])}")
            print(f"  failures: {len(client.failures)}"
                  + (f" — first: {client.failures[0]}" if client.failures else ""))
            if not one_transaction:
                engine = sa.create_engine(sa.make_url(url).set(
                    drivername="postgresql+psycopg") if database_url else url)
                with engine.connect() as connection:
                    status, result = connection.execute(sa.text(
                        "SELECT status, result FROM jobs WHERE id = :id"), {"id": job_id}).one()
                engine.dispose()
                print(f"  job: {status}; {str(result)[:160]}")
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="a PostgreSQL server database")
    parser.add_argument("--rows", type=int, default=200_000, help="rows in the import file")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--compare", action="store_true",
                        help="also run the old one-transaction import beside the client")
    args = parser.parse_args()
    bench(args.database_url, args.rows, False, args.workers)
    if args.compare:
        bench(args.database_url, args.rows, True, args.workers)


if __name__ == "__main__":
    main()
