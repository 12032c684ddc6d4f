"""Jobs never endanger the web process, and their life is honest: a job over its memory or
time limit is stopped in its own process with a reason; a job whose process dies becomes
interrupted and a retry goes on from its checkpoint; a job that cannot be queued leaves
nothing behind."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.database import db
from app.jobs.models import Job, JobStatus
from app.jobs.services import JobContext, JobsUnavailable, enqueue, job, reap_interrupted, retry
from app.jobs.watchdog import resident_mb

pytestmark = pytest.mark.faults

MEMORY_LIMIT_MB = 250


def _remove_marker(params: dict) -> None:
    Path(params["marker"]).unlink(missing_ok=True)


@job("tests.faults.hog", on_failure=_remove_marker)
def memory_hog(context: JobContext, marker: str) -> dict:
    hoard = []
    for _ in range(400):  # 4 GB if nothing stopped it
        hoard.append(bytearray(10 * 1024 * 1024))
        time.sleep(0.005)
    return {"hoarded": len(hoard)}


@job("tests.faults.sleeper", on_failure=_remove_marker)
def sleeper(context: JobContext, marker: str) -> dict:
    time.sleep(60)
    return {}


@job("tests.faults.steps")
def steps(context: JobContext, log: str, total: int = 6, pause: float = 0.0) -> dict:
    """Does ``total`` steps, each written to ``log`` and checkpointed with it."""
    done = (context.checkpoint or {}).get("done", 0)
    for step in range(done + 1, total + 1):
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{step}\n")
        context.save_checkpoint({"done": step})
        db.session.commit()
        context.progress(step * 100 // total, f"step {step}")
        time.sleep(pause)
    return {"steps": total}


@pytest.fixture
def app_overrides():
    return {"KOERS_JOBS_INLINE": False, "KOERS_JOB_MEMORY_MB": MEMORY_LIMIT_MB,
            "KOERS_JOB_TIME_LIMIT_MINUTES": 0.05,  # 3 seconds
            "KOERS_JOB_HEARTBEAT_SECONDS": 1, "KOERS_JOB_INTERRUPTED_AFTER_SECONDS": 3}


def _wait_for(job_id: str, statuses: set[str], seconds: float = 60) -> Job:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        reap_interrupted()
        record = db.session.get(Job, job_id)
        if record.status in statuses:
            return record
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} still {record.status} after {seconds} s")


def test_a_job_over_its_memory_limit_is_stopped_in_its_own_process(app, make_user, tmp_path):
    marker = tmp_path / "upload.csv"
    marker.write_text("personal data")
    web_before = resident_mb()
    record = enqueue("tests.faults.hog", {"marker": str(marker)}, user=make_user("admin"))
    record = _wait_for(record.id, {JobStatus.FAILED.value})
    assert "MB" in record.message and str(MEMORY_LIMIT_MB) in record.message
    assert record.result == {"reason": record.message}
    assert "memory" in record.error
    assert not marker.exists()  # the kind's cleanup ran
    # The web process did not carry the job: its memory barely moved.
    assert resident_mb() - web_before < 100


def test_a_job_over_its_time_limit_is_stopped_with_a_reason(app, make_user, tmp_path):
    marker = tmp_path / "upload.csv"
    marker.write_text("x")
    started = time.monotonic()
    record = enqueue("tests.faults.sleeper", {"marker": str(marker)}, user=make_user("admin"))
    record = _wait_for(record.id, {JobStatus.FAILED.value}, seconds=30)
    assert time.monotonic() - started < 30
    assert "time limit" in record.error and record.message
    assert not marker.exists()


def _child_pid_of_job(seconds: float = 30) -> int:
    """The job process the runner started (the only child running app.jobs.child)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if b"app.jobs.child" in command and parent == os.getpid():
                return int(entry.name)
        time.sleep(0.1)
    raise AssertionError("no job process found")


def test_a_killed_job_becomes_interrupted_and_a_retry_goes_on_from_its_checkpoint(
        app, make_user, tmp_path):
    log = tmp_path / "steps.log"
    record = enqueue("tests.faults.steps", {"log": str(log), "total": 6, "pause": 0.5},
                     user=make_user("admin"))
    deadline = time.monotonic() + 30
    while (not log.exists() or len(log.read_text().split()) < 2) and \
            time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(_child_pid_of_job(), signal.SIGKILL)
    record = _wait_for(record.id, {JobStatus.INTERRUPTED.value})
    done = record.checkpoint["done"]
    assert 2 <= done < 6
    assert record.retryable

    retry(record)
    record = _wait_for(record.id, {JobStatus.FINISHED.value})
    assert record.attempts == 2 and record.result == {"steps": 6}
    # Each step done once: the retry went on after the checkpoint (a step may have been
    # written to the log but not checkpointed when the process died; then it is redone).
    steps_logged = [int(line) for line in log.read_text().split()]
    assert sorted(set(steps_logged)) == [1, 2, 3, 4, 5, 6]
    assert len(steps_logged) - 6 <= 1


def test_a_silent_running_job_is_reaped_as_interrupted(app, make_user):
    from datetime import timedelta

    from app.database import utcnow

    record = Job(kind="tests.faults.steps", params={"log": "/dev/null"},
                 status=JobStatus.RUNNING.value, started_at=utcnow() - timedelta(minutes=5),
                 heartbeat_at=utcnow() - timedelta(minutes=5))
    fresh = Job(kind="tests.faults.steps", params={"log": "/dev/null"},
                status=JobStatus.RUNNING.value, started_at=utcnow(), heartbeat_at=utcnow())
    db.session.add_all([record, fresh])
    db.session.commit()
    assert reap_interrupted() == 1
    db.session.expire_all()
    assert db.session.get(Job, record.id).status == JobStatus.INTERRUPTED
    assert db.session.get(Job, fresh.id).status == JobStatus.RUNNING


def test_the_job_page_offers_to_start_an_interrupted_job_again(app, client, login_as):
    from datetime import timedelta

    from app.database import utcnow

    admin = login_as("admin")
    record = Job(kind="core.inventory", params={"delay": 0}, created_by_id=admin.id,
                 status=JobStatus.RUNNING.value, started_at=utcnow() - timedelta(minutes=5),
                 heartbeat_at=utcnow() - timedelta(minutes=5))
    db.session.add(record)
    db.session.commit()
    page = client.get(f"/jobs/{record.id}").get_data(as_text=True)
    assert "Onderbroken" in page and f"/jobs/{record.id}/retry" in page
    response = client.submit(f"/jobs/{record.id}/retry")
    assert response.status_code == 302
    record = _wait_for(record.id, {JobStatus.FINISHED.value})
    assert record.result["tables"]


@pytest.mark.parametrize("app_overrides", [{"REDIS_URL": "redis://127.0.0.1:1/0"}])
def test_a_job_that_cannot_be_queued_leaves_nothing_behind(app, make_user, tmp_path):
    marker = tmp_path / "upload.csv"
    marker.write_text("personal data")
    with pytest.raises(JobsUnavailable):
        enqueue("tests.faults.sleeper", {"marker": str(marker)}, user=make_user("admin"))
    assert db.session.scalar(select(func.count(Job.id))) == 0
    assert not marker.exists()


@pytest.mark.parametrize("app_overrides", [{"REDIS_URL": "redis://127.0.0.1:1/0"}])
def test_an_import_submitted_while_redis_is_down_leaves_no_job_and_no_file(app, client,
                                                                          login_as):
    import io

    login_as("editor")
    content = b"naam;soort\nStichting Buurtkracht;organisatie\n"
    response = client.submit("/stakeholders/import",
                             {"file": (io.BytesIO(content), "betrokkenen.csv")},
                             content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "Achtergrondwerk is op dit moment niet beschikbaar" in page
    assert "Traceback" not in page
    assert db.session.scalar(select(func.count(Job.id))) == 0
    imports = Path(app.config["KOERS_STORAGE_DIR"]) / "imports"
    assert not imports.exists() or list(imports.iterdir()) == []


@pytest.mark.parametrize("app_overrides", [{"REDIS_URL": "redis://127.0.0.1:1/0"}])
def test_the_job_page_says_a_queued_job_waits_for_the_queue(app, client, login_as):
    admin = login_as("admin")
    record = Job(kind="core.inventory", params={}, created_by_id=admin.id)
    db.session.add(record)
    db.session.commit()
    page = client.get(f"/jobs/{record.id}").get_data(as_text=True)
    assert "De takenwachtrij is op dit moment niet bereikbaar" in page


REDIS_URL = os.environ.get("KOERS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.mark.redis
def test_a_worker_survives_a_job_over_its_memory_limit(database_url, tmp_path, make_user):
    """With Redis: the job runs in a work horse of its own, which its watchdog ends; the
    worker goes on with the next job."""
    import subprocess
    import sys
    import uuid

    from app.testing import make_app, make_environ, write_municipality

    municipality = write_municipality(tmp_path / "municipalities" /
                                      f"hog{uuid.uuid4().hex[:8]}", [])
    settings = {"REDIS_URL": REDIS_URL, "KOERS_MUNICIPALITIES_DIR": str(municipality.parent),
                "KOERS_MUNICIPALITY": municipality.name,
                "KOERS_JOB_MEMORY_MB": str(MEMORY_LIMIT_MB)}
    instance = tmp_path / "instance"
    app = make_app(instance, database_url, **settings)
    marker = tmp_path / "upload.csv"
    marker.write_text("personal data")
    log = tmp_path / "steps.log"
    with app.app_context():
        user = make_user("admin")
        hog = enqueue("tests.faults.hog", {"marker": str(marker)}, user=user)
        after = enqueue("tests.faults.steps", {"log": str(log), "total": 2}, user=user)
        hog_id, after_id = hog.id, after.id
        db.session.remove()
    worker = subprocess.run(
        [sys.executable, "-c", "from app.cli import main; main()", "worker", "--burst"],
        env={**os.environ, **make_environ(instance, database_url, **settings)},
        capture_output=True, text=True, timeout=180)
    assert worker.returncode == 0, worker.stderr[-3000:]
    with app.app_context():
        hog, after = db.session.get(Job, hog_id), db.session.get(Job, after_id)
        assert hog.status == JobStatus.FAILED and str(MEMORY_LIMIT_MB) in hog.message
        assert not marker.exists()
        assert after.status == JobStatus.FINISHED
        db.session.remove()


@job("tests.faults.breaks_after_two")
def breaks_after_two(context: JobContext, log: str) -> dict:
    """Commits two steps, then fails — unless a retry already got past them."""
    done = (context.checkpoint or {}).get("done", 0)
    for step in range(done + 1, 5):
        if step == 3 and done == 0:  # the first attempt breaks here
            raise RuntimeError("the database went away")
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{step}\n")
        context.save_checkpoint({"done": step})
        db.session.commit()
    return {"steps": 4}


@pytest.mark.parametrize("app_overrides", [{"KOERS_JOBS_INLINE": True}])
def test_a_job_that_fails_part_way_stays_resumable_and_keeps_its_files(app, make_user,
                                                                       tmp_path):
    log = tmp_path / "steps.log"
    record = enqueue("tests.faults.breaks_after_two", {"log": str(log)}, user=make_user())
    db.session.expire_all()
    record = db.session.get(Job, record.id)
    assert record.status == JobStatus.INTERRUPTED  # not failed: two steps are committed
    assert record.checkpoint["done"] == 2 and "opnieuw starten" in record.result["reason"]
    retry(record)
    db.session.expire_all()
    record = db.session.get(Job, record.id)
    assert record.status == JobStatus.FINISHED
    assert log.read_text().split() == ["1", "2", "3", "4"]


def test_a_decompression_bomb_is_refused_by_a_job_process_with_bounded_memory(app, client,
                                                                              login_as):
    """A 1 MB XLSX that unfolds into 390 MB of rows (it passed the old guard): its check runs
    in a job process under a 250 MB limit, refuses the file and ends cleanly; the upload is
    gone and the web process carried none of it."""
    import io

    from tests.spreadsheets import bomb_bytes

    login_as("editor")
    web_before = resident_mb()
    response = client.submit("/stakeholders/import",
                             {"file": (io.BytesIO(bomb_bytes()), "bom.xlsx")},
                             content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:1000]
    record = db.session.scalars(select(Job)).one()
    record = _wait_for(record.id, {JobStatus.FINISHED.value, JobStatus.FAILED.value})
    assert record.status == JobStatus.FINISHED, record.message  # not stopped by the limit
    assert record.result["state"] == "file_error"
    page = client.get(response.location).get_data(as_text=True)
    assert "nothing has been imported" in page or "niets geïmporteerd" in page
    imports = Path(app.config["KOERS_STORAGE_DIR"]) / "imports"
    assert list(imports.iterdir()) == []
    assert resident_mb() - web_before < 100
