"""Runners: RQ on Redis when ``REDIS_URL`` is set, otherwise job processes that the web
process starts and supervises.

Either way a job never runs inside a process that serves requests: a job that runs away with
memory or time is ended without taking pages down with it (see :mod:`app.jobs.watchdog`).
"""

from __future__ import annotations

import logging
import pickle
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from flask_babel import force_locale

from app.jobs.services import fail, interrupt, module_of, run_job
from app.translate import gettext as _

log = logging.getLogger(__name__)
QUEUE_PREFIX = "koers"


class InProcessRunner:
    """Without Redis: each job runs in a job process of its own (``python -m app.jobs.child``),
    started and watched by a small thread pool of the web process. Jobs still queued in that
    pool when the web process stops are lost (their rows become interrupted when they had
    started; larger instances use Redis). ``inline`` runs the job in the calling thread —
    for tests only."""

    name = "in-process"

    def __init__(self, app: Flask, *, inline: bool = False, workers: int = 2) -> None:
        self.app = app
        self.inline = inline
        self._pool = None if inline else ThreadPoolExecutor(workers, "koers-job")

    def _run(self, job_id: str) -> None:
        if self.inline:
            with self.app.app_context():
                run_job(job_id)
            return
        try:
            self._supervise(job_id)
        except Exception:
            log.exception("job %s: its process could not be supervised", job_id)

    def _supervise(self, job_id: str) -> None:
        from app.jobs.models import Job
        from app.jobs.watchdog import EXIT_LIMIT, resident_mb

        with self.app.app_context():
            from app.database import db

            record = db.session.get(Job, job_id)
            kind = record.kind if record else ""
            db.session.remove()
        payload = {"job_id": job_id, "module": module_of(kind),
                   "factory": self.app.extensions.get("koers_factory", ({}, None)),
                   "sys_path": list(sys.path)}
        process = subprocess.Popen(
            [sys.executable, "-m", "app.jobs.child"], stdin=subprocess.PIPE,
            start_new_session=True)
        assert process.stdin is not None
        process.stdin.write(pickle.dumps(payload))
        process.stdin.close()
        limit_mb = self.app.config["KOERS_JOB_MEMORY_MB"]
        # The job's own watchdog stops it first, with a reason; this is the backstop for a
        # process too busy to run its watchdog.
        while process.poll() is None:
            if resident_mb(process.pid) > limit_mb * 1.5:
                process.send_signal(signal.SIGKILL)
                process.wait()
                self._failed(job_id, "memory", limit_mb)
                return
            time.sleep(0.5)
        if process.returncode not in (0, EXIT_LIMIT):
            self._failed(job_id, "exit", process.returncode)

    def _failed(self, job_id: str, cause: str, detail: int) -> None:
        with self.app.app_context(), force_locale(self.app.config["BABEL_DEFAULT_LOCALE"]):
            if cause == "memory":
                fail(job_id, f"job process killed above {detail} MB", _(
                    "The job used more than %(mb)d MB of memory and was stopped. The file is "
                    "probably much larger than it looks; split it into smaller files.",
                    mb=detail))
            else:  # killed from outside, or crashed: what it committed is kept
                interrupt(job_id, _("The process running the job ended unexpectedly."))

    def submit(self, job_id: str) -> None:
        if self._pool is None:
            self._run(job_id)
        else:
            self._pool.submit(self._run, job_id)

    def waiting_reason(self) -> str | None:
        return None


class RQRunner:
    """Queues jobs on Redis; ``koers worker`` runs them, each in a work horse of its own."""

    name = "rq"

    def __init__(self, redis_url: str, municipality: str, time_limit: int) -> None:
        from redis import Redis
        from rq import Queue

        # Short timeouts: a Redis that does not answer must not hold a page for long.
        self.connection = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)
        # One queue per municipality, so instances may share a Redis server.
        self.queue = Queue(f"{QUEUE_PREFIX}-{municipality}", connection=self.connection)
        self.time_limit = time_limit

    def submit(self, job_id: str) -> None:
        from app.database import db
        from app.jobs.models import Job

        record = db.session.get(Job, job_id)
        attempt = (record.attempts if record else 0) + 1
        # One RQ job per attempt: a retry never shares its id with what a killed worker left.
        # RQ's own timeout comes after the job's watchdog, which stops it with a reason.
        self.queue.enqueue("app.jobs.worker.execute", job_id,
                           module_of(record.kind) if record else None,
                           job_id=f"koers-{job_id}-{attempt}",
                           job_timeout=self.time_limit + 300, failure_ttl=7 * 24 * 3600)

    def waiting_reason(self) -> str | None:
        """Why a queued job may not start soon, for the job page; None when all is well."""
        from redis.exceptions import RedisError
        from rq import Worker

        try:
            self.connection.ping()
            workers = Worker.count(queue=self.queue)
        except RedisError:
            return _("The job queue cannot be reached at the moment. The job starts as soon "
                     "as it is back.")
        if not workers:
            return _("No background worker is running at the moment. The job starts as soon "
                     "as one is.")
        return None


def make_runner(app: Flask) -> InProcessRunner | RQRunner:
    if app.config.get("REDIS_URL"):
        return RQRunner(app.config["REDIS_URL"], app.config["KOERS_MUNICIPALITY"].slug,
                        app.config["KOERS_JOB_TIME_LIMIT_MINUTES"] * 60)
    return InProcessRunner(app, inline=app.config.get("KOERS_JOBS_INLINE", False))
