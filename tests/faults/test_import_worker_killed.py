"""A worker killed mid-import: a real ``koers worker`` imports a file in steps and is killed
(SIGKILL, with its work horse) part-way. The job becomes interrupted, its page offers to start
it again, a new worker completes it — every row once, nothing doubled."""

from __future__ import annotations

import io
import re
import time
import uuid

import pytest
from sqlalchemy import func, select

from app.database import db
from app.jobs.models import Job, JobStatus
from app.stakeholders.models import Stakeholder
from app.testing import KoersClient, make_app, make_environ, sign_in, write_municipality
from tests.benchmarks.stakeholders import import_file
from tests.processes import (
    REDIS_URL,
    kill_hard,
    redis_available,
    start_worker,
    wait_for,
    workers_logged_to,
)

pytestmark = [pytest.mark.faults, pytest.mark.redis,
              pytest.mark.skipif(not redis_available(),
                                 reason=f"no Redis server answers at {REDIS_URL}")]
ROWS, STEP = 2000, 100


def _job(job_id: str) -> Job:
    db.session.expire_all()
    record = db.session.get(Job, job_id)
    db.session.rollback()  # no read snapshot held open while the worker writes
    return record


def test_a_worker_killed_mid_import_is_resumed_and_nothing_is_doubled(database_url, tmp_path,
                                                                      make_user):
    municipality = write_municipality(tmp_path / "municipalities" /
                                      f"kill{uuid.uuid4().hex[:8]}", [])
    settings = {"REDIS_URL": REDIS_URL, "KOERS_MUNICIPALITIES_DIR": str(municipality.parent),
                "KOERS_MUNICIPALITY": municipality.name, "KOERS_IMPORT_STEP_ROWS": str(STEP),
                "KOERS_JOB_HEARTBEAT_SECONDS": "1", "KOERS_JOB_INTERRUPTED_AFTER_SECONDS": "3",
                "KOERS_LOG_LEVEL": "INFO"}
    instance = tmp_path / "instance"
    environ = make_environ(instance, database_url, **settings)
    app = make_app(instance, database_url, **settings)
    app.test_client_class = KoersClient
    with workers_logged_to(tmp_path / "worker.log") as (workers, log), app.app_context():
        before = db.session.scalar(select(func.count(Stakeholder.id)))
        user = make_user("editor")
        client = app.test_client()
        client.set_cookie("koers_language", "en")
        sign_in(client, user.email)
        response = client.submit("/stakeholders/import", {
            "file": (io.BytesIO(import_file(ROWS)), "betrokkenen.csv")},
            content_type="multipart/form-data")
        check_url = response.location
        db.session.remove()
        workers.append(start_worker(environ, log, "--burst"))  # the check
        assert workers[-1].wait(timeout=180) == 0
        response = client.submit(f"{check_url}/confirm")
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        import_id = re.search(r"[0-9a-f-]{36}$", response.location).group(0)

        workers.append(start_worker(environ, log))
        wait_for(lambda: ((_job(import_id).checkpoint or {}).get("done") or 0) >= 3 * STEP,
                 180, "three steps of the import", workers[-1])
        kill_hard(workers[-1])
        done = _job(import_id).checkpoint["done"]
        assert STEP * 3 <= done < ROWS, "killed part-way"

        # No heartbeat: the job page finds it interrupted and offers to start it again.
        time.sleep(4)
        page = client.get(response.location).get_data(as_text=True)
        assert "stopped before it had finished" in page
        assert f"/jobs/{import_id}/retry" in page
        assert f"{done} of {ROWS} rows had been imported" in page
        retried = client.submit(f"/jobs/{import_id}/retry",
                                {"next": response.location})
        assert retried.status_code == 302
        workers.append(start_worker(environ, log, "--burst"))
        assert workers[-1].wait(timeout=300) == 0

        record = _job(import_id)
        assert record.status == JobStatus.FINISHED, record.error
        assert record.attempts == 2 and record.result["created"] == ROWS
        imported = db.session.scalar(select(func.count(Stakeholder.id))) - before
        doubled = db.session.scalars(select(Stakeholder.name).group_by(Stakeholder.name)
                                     .having(func.count() > 1)).all()
        assert imported == ROWS and doubled == []
        db.session.remove()
        db.engine.dispose()
