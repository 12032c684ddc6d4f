"""Several machines, one instance: two web processes (gunicorn, 2 workers each) and two job
workers, each with its own instance folder as on its own machine, sharing only PostgreSQL,
Redis and S3-compatible storage (moto's server) — the database through PgBouncer in
transaction pooling when it is installed, as in the production set-up. A user signs in on one
and goes on on the other; an attachment uploaded through one downloads through the other; an
import started on one shows its progress on the other while a worker runs it; and one web
process killed under load fails only the requests it was serving at that moment."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import requests

from app.consultations import services as consultations
from app.consultations.inputs import services as inputs
from app.consultations.inputs.services import InputData
from app.database import db
from app.plans import services as plans
from app.testing import TEST_PASSWORD, make_app, make_environ, write_municipality
from app.testing.fixtures import CSRF_PATTERN
from tests import s3
from tests.benchmarks.stakeholders import import_file
from tests.mail import PDF
from tests.processes import (
    REDIS_URL,
    free_port,
    pgbouncer,
    pgbouncer_binary,
    redis_available,
    start_worker,
)

pytestmark = [pytest.mark.redis, pytest.mark.skipif(
    not redis_available(), reason=f"no Redis server answers at {REDIS_URL}")]

ROWS, STEP = 3000, 100
LOAD_CONNECTIONS = 16


@dataclass
class Machine:
    name: str
    url: str
    environ: dict[str, str]
    web: subprocess.Popen | None = None


def start_web(machine: Machine, port: int, log) -> None:
    machine.web = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--no-control-socket", "app:create_app()"],
        env={**os.environ, **machine.environ}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)


def wait_healthy(machine: Machine, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert machine.web.poll() is None, f"web process {machine.name} stopped"
        with contextlib.suppress(OSError), urllib.request.urlopen(
                f"{machine.url}/healthz", timeout=5) as answer:
            if answer.status == 200:
                return
        time.sleep(0.3)
    raise AssertionError(f"{machine.name} did not answer /healthz")


def csrf(page: requests.Response) -> str:
    found = CSRF_PATTERN.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


def job_status(session: requests.Session, machine: Machine, job_id: str) -> dict:
    answer = session.get(f"{machine.url}/jobs/{job_id}.json", timeout=10)
    assert answer.status_code == 200, answer.text[:300]
    return answer.json()


def wait_job(session, machine, job_id, seconds: float = 240) -> tuple[dict, list[int]]:
    """The job's last status, and every progress figure seen on the way while it ran."""
    seen: list[int] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = job_status(session, machine, job_id)
        if status["done"]:
            return status, seen
        if status["status"] == "running":
            seen.append(status["progress"])
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {status}")


@contextlib.contextmanager
def instance(tmp_path: Path, database_url: str) -> Iterator[tuple[Machine, Machine, str]]:
    """Two machines' environments against one database, one Redis, one bucket."""
    municipality = write_municipality(tmp_path / "municipalities" /
                                      f"multi{uuid.uuid4().hex[:8]}", [])
    with s3.s3_server() as endpoint, contextlib.ExitStack() as stack:
        s3.create_bucket(endpoint)
        pooling: dict[str, str] = {}
        if pgbouncer_binary():
            database_url = stack.enter_context(pgbouncer(database_url, pool_size=6)).url
            pooling = {"KOERS_DATABASE_TRANSACTION_POOLING": "1"}
        else:
            print("pgbouncer is not installed: the machines connect to PostgreSQL directly")
        shared = {**s3.environment(endpoint), **pooling, "REDIS_URL": REDIS_URL,
                  "KOERS_STORAGE_URL": f"s3://{s3.BUCKET}/{municipality.name}",
                  "KOERS_WEB_CONTAINERS": "2",
                  "KOERS_MUNICIPALITIES_DIR": str(municipality.parent),
                  "KOERS_MUNICIPALITY": municipality.name,
                  "KOERS_IMPORT_STEP_ROWS": str(STEP), "KOERS_LOG_LEVEL": "WARNING"}
        machines = []
        for name in ("a", "b"):
            folder = tmp_path / f"machine-{name}"
            environ = make_environ(folder / "instance", database_url, **shared,
                                   KOERS_STORAGE_DIR=str(folder / "storage"))
            machines.append(Machine(name, f"http://127.0.0.1:{free_port()}", environ))
        yield machines[0], machines[1], endpoint


def test_one_instance_on_two_machines(database_url, tmp_path, make_user, monkeypatch):
    if not database_url.startswith("postgresql"):
        pytest.skip("several machines share PostgreSQL: run with KOERS_TEST_DATABASE_URL "
                    "(make test-postgres)")
    user = make_user("editor", email="adviseur@koersdam.example")
    with instance(tmp_path, database_url) as (a, b, endpoint), \
            (tmp_path / "processes.log").open("w") as log:
        for name, value in a.environ.items():
            if name.startswith("AWS_") or name.startswith("KOERS_STORAGE_URL"):
                monkeypatch.setenv(name, value)
        app = make_app(Path(a.environ["KOERS_INSTANCE_DIR"]), database_url, **{
            key: value for key, value in a.environ.items()
            if key not in {"KOERS_INSTANCE_DIR", "DATABASE_URL"}})
        with app.app_context():
            plan = plans.create_plan(plans.PlanData(title="Samen Krachtig", kind="beleidsplan"))
            period = consultations.create_consultation(plan, consultations.ConsultationData(
                title="Ontwerp ter inzage", format="ter_inzage",
                published_on=date.today()))
            item = inputs.add_input(period, InputData(
                original_text="Zie de bijgevoegde brief.", kind="zienswijze", channel="brief",
                received_on=date.today()))
            db.session.commit()
            input_id = item.id
            db.session.remove()
            db.engine.dispose()
        processes: list[subprocess.Popen] = []
        try:
            for machine in (a, b):
                start_web(machine, int(machine.url.rsplit(":", 1)[1]), log)
                processes.append(machine.web)
                processes.append(start_worker(machine.environ, log))
            wait_healthy(a)
            wait_healthy(b)
            check_sessions_files_and_jobs(a, b, user.email, input_id)
            check_a_machine_lost_under_load(a, b, user.email)
        except BaseException:
            log.flush()
            print((tmp_path / "processes.log").read_text()[-6000:])
            raise
        finally:
            for process in processes:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
        # Nothing was written to either machine's own folder: the files are in the bucket.
        for machine in (a, b):
            stored = Path(machine.environ["KOERS_STORAGE_DIR"])
            assert not stored.exists() or not any(p.is_file() for p in stored.rglob("*"))
        assert any("/attachments/" in key for key in s3.object_keys(endpoint))


def signed_in(machine: Machine, email: str) -> requests.Session:
    session = requests.Session()
    session.cookies.set("koers_language", "en")
    form = session.get(f"{machine.url}/login", timeout=10)
    answer = session.post(f"{machine.url}/login", data={
        "csrf_token": csrf(form), "email": email, "password": TEST_PASSWORD}, timeout=10,
        allow_redirects=False)
    assert answer.status_code == 302 and "/login" not in answer.headers["Location"]
    return session


def check_sessions_files_and_jobs(a: Machine, b: Machine, email: str, input_id: int) -> None:
    # Signed in on A, the session goes on on B (and a form from B posts to A).
    session = signed_in(a, email)
    page = session.get(f"{b.url}/consultations/inputs/{input_id}", timeout=10,
                       allow_redirects=False)
    assert page.status_code == 200 and "Zie de bijgevoegde brief." in page.text

    # An attachment uploaded through A downloads through B.
    uploaded = session.post(f"{a.url}/consultations/inputs/{input_id}/attachments",
                            data={"csrf_token": csrf(page)},
                            files={"attachment": ("brief.pdf", PDF, "application/pdf")},
                            timeout=30, allow_redirects=False)
    assert uploaded.status_code == 302, uploaded.text[:1000]
    page = session.get(f"{b.url}/consultations/inputs/{input_id}", timeout=10)
    attachment = re.search(r"/consultations/attachments/(\d+)\"", page.text).group(1)
    download = session.get(f"{b.url}/consultations/attachments/{attachment}", timeout=30)
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["Content-Type"] == "application/pdf"

    # An import started on A: a worker checks it, and B shows the import's progress while a
    # worker runs it, step by step.
    form = session.get(f"{a.url}/stakeholders/import", timeout=10)
    started = session.post(f"{a.url}/stakeholders/import", data={"csrf_token": csrf(form)},
                           files={"file": ("betrokkenen.csv", import_file(ROWS), "text/csv")},
                           timeout=60, allow_redirects=False)
    assert started.status_code == 302, started.text[:1000]
    check_url = started.headers["Location"]
    check_id = re.search(r"[0-9a-f-]{36}$", check_url).group(0)
    status, _seen = wait_job(session, b, check_id)
    assert status["status"] == "finished", status
    check_path = check_url.split("://", 1)[-1].partition("/")[2] if "://" in check_url \
        else check_url.lstrip("/")
    check_page = session.get(f"{b.url}/{check_path}", timeout=10)
    confirmed = session.post(f"{b.url}/{check_path}/confirm",
                             data={"csrf_token": csrf(check_page)}, timeout=30,
                             allow_redirects=False)
    assert confirmed.status_code == 302, confirmed.text[:1000]
    import_id = re.search(r"[0-9a-f-]{36}$", confirmed.headers["Location"]).group(0)
    status, seen = wait_job(session, b, import_id)
    assert status["status"] == "finished", status
    assert any(0 < progress < 100 for progress in seen), seen
    assert job_status(session, a, import_id)["status"] == "finished"


@dataclass
class Outcome:
    target: str
    started: float
    ended: float
    ok: bool
    rerouted: bool = False


def check_a_machine_lost_under_load(a: Machine, b: Machine, email: str) -> None:
    """Sixteen connections alternate between A and B, as a round-robin load balancer sends
    them. A is killed (SIGKILL, the whole process group: a machine lost). Requests A was
    serving at that moment fail; a request sent to A after it died is sent on to B, as a
    balancer does with a refused connection; B fails nothing."""
    cookies = signed_in(a, email).cookies
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    stop = threading.Event()
    killed_at: list[float] = []

    def load(number: int) -> None:
        session = requests.Session()
        session.cookies.update(cookies)
        turn = number
        while not stop.is_set():
            target = (a, b)[turn % 2]
            turn += 1
            started = time.monotonic()
            rerouted = False
            try:
                answer = session.get(f"{target.url}/plans/", timeout=30,
                                     headers={"Connection": "close"}, allow_redirects=False)
                ok = answer.status_code == 200
            except requests.ConnectionError:
                ok = False
                if killed_at and started > killed_at[0] and target is a:
                    rerouted = True  # A was already gone: the balancer sends it to B
                    answer = session.get(f"{b.url}/plans/", timeout=30,
                                         headers={"Connection": "close"})
                    ok = answer.status_code == 200
            with lock:
                outcomes.append(Outcome(target.name, started, time.monotonic(), ok, rerouted))

    threads = [threading.Thread(target=load, args=(n,)) for n in range(LOAD_CONNECTIONS)]
    for thread in threads:
        thread.start()
    time.sleep(4)
    killed_at.append(time.monotonic())
    os.killpg(a.web.pid, signal.SIGKILL)
    time.sleep(4)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    kill = killed_at[0]
    failed = [o for o in outcomes if not o.ok]
    in_flight_at_a = [o for o in outcomes if o.target == "a" and o.started <= kill <= o.ended]
    before = [o for o in outcomes if o.ended < kill]
    after = [o for o in outcomes if o.started > kill]
    print(f"\nload: {len(outcomes)} requests, {len(before)} before the kill "
          f"({sum(o.target == 'a' for o in before)} on A), {len(after)} after it "
          f"({sum(o.rerouted for o in after)} sent on to B); in flight on A at the kill: "
          f"{len(in_flight_at_a)}, failed: {len(failed)}")
    assert len(before) >= 20 and len(after) >= 20
    assert all(o.ok for o in before), "a request failed before anything was killed"
    assert all(o.ok for o in outcomes if o.target == "b"), "B failed a request"
    assert all(o.ok for o in after), "a request after the kill failed"
    assert all(o in in_flight_at_a for o in failed), "only A's requests in flight may fail"
    assert len(failed) <= LOAD_CONNECTIONS


@pytest.fixture(autouse=True)
def _gunicorn_available():
    if shutil.which("gunicorn", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("gunicorn is not installed in this environment")
