"""Background jobs: one interface, progress on a page, in-process or RQ on Redis."""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import select

from app.database import db
from app.jobs.models import Job, JobStatus
from app.jobs.services import JobContext, enqueue, job

REDIS_URL = os.environ.get("KOERS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
progress_seen: list[int] = []


@job("tests.count")
def count_job(context: JobContext, upto: int = 4, fail: bool = False):
    for number in range(1, upto + 1):
        context.progress(number * 100 // upto, f"step {number}")
        progress_seen.append(db.session.scalar(select(Job.progress).where(
            Job.id == context.job_id)))
    if fail:
        raise RuntimeError("boom")
    return {"counted": upto}


def test_inline_job_reports_progress_and_result(app, make_user):
    progress_seen.clear()
    user = make_user("admin")
    record = enqueue("tests.count", {"upto": 4}, user=user)
    db.session.expire_all()
    record = db.session.get(Job, record.id)
    assert record.status == JobStatus.FINISHED
    assert record.progress == 100 and record.result == {"counted": 4}
    assert progress_seen == [25, 50, 75, 100]  # visible to others while the job runs
    assert record.started_at and record.finished_at


def test_failed_job_is_recorded_and_can_be_seen(app, make_user):
    record = enqueue("tests.count", {"fail": True}, user=make_user())
    db.session.expire_all()
    record = db.session.get(Job, record.id)
    assert record.status == JobStatus.FAILED and "boom" in record.error


def test_unknown_job_kind_is_refused(app):
    from app.jobs.services import UnknownJob

    with pytest.raises(UnknownJob):
        enqueue("tests.nonexistent")


def test_thread_runner_runs_in_the_background(database_url, tmp_path, make_user):
    from tests.conftest import make_app

    app = make_app(tmp_path / "bg", database_url, {"KOERS_JOBS_INLINE": False})
    with app.app_context():
        from app.auth import services

        user_id = services.create_user("bg@koers.example", "Bg", "admin",
                                       password="x" * 12).user.id
        db.session.commit()
        record = enqueue("tests.count", {"upto": 2}, user=type("U", (), {"id": user_id}))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            db.session.expire_all()
            if db.session.get(Job, record.id).done:
                break
            time.sleep(0.05)
        assert db.session.get(Job, record.id).status == JobStatus.FINISHED
        db.session.remove()
        db.engine.dispose()


def test_job_page_shows_progress_to_its_owner_only(client, login_as, make_user):
    user = login_as("admin")
    response = client.submit("/jobs/inventory")
    assert response.status_code == 302
    job_url = response.location
    page = client.get(job_url).get_data(as_text=True)
    assert "<progress" in page and 'value="100"' in page and "users" in page
    status = client.get(job_url + ".json").get_json()
    assert status["status"] == "finished" and status["progress"] == 100 and status["done"]
    client.submit("/logout")
    from tests.conftest import sign_in

    other = make_user("editor")
    sign_in(client, other.email)
    assert client.get(job_url).status_code == 404
    assert user.id != other.id


def redis_available() -> bool:
    try:
        from redis import Redis

        return bool(Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except Exception:
        return False


@pytest.mark.redis
@pytest.mark.skipif(not redis_available(), reason=f"no Redis server answers at {REDIS_URL}")
def test_rq_runner_queues_on_redis_and_a_worker_runs_it(database_url, tmp_path):
    from redis import Redis

    from app.jobs.worker import work
    from tests.conftest import make_app

    Redis.from_url(REDIS_URL).flushdb()
    app = make_app(tmp_path / "rq", database_url, REDIS_URL=REDIS_URL)
    assert app.extensions["koers_jobs"].name == "rq"
    with app.app_context():
        record = enqueue("tests.count", {"upto": 3})
        assert db.session.get(Job, record.id).status == JobStatus.QUEUED
        assert app.extensions["koers_jobs"].queue.count == 1
        assert work(app, burst=True) is True
        db.session.expire_all()
        finished = db.session.get(Job, record.id)
        assert finished.status == JobStatus.FINISHED and finished.result == {"counted": 3}
        db.session.remove()
        db.engine.dispose()
    Redis.from_url(REDIS_URL).flushdb()
