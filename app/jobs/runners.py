"""Runners: RQ on Redis when ``REDIS_URL`` is set, otherwise a small in-process thread pool."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

from app.jobs.services import run_job

log = logging.getLogger(__name__)
QUEUE_PREFIX = "koers"


class InProcessRunner:
    """Runs jobs in threads of the web process: fine for one small instance; jobs still
    queued when the process stops are lost, so larger instances use Redis."""

    name = "in-process"

    def __init__(self, app: Flask, *, inline: bool = False, workers: int = 2) -> None:
        self.app = app
        self.inline = inline
        self._pool = None if inline else ThreadPoolExecutor(workers, "koers-job")

    def _run(self, job_id: str) -> None:
        with self.app.app_context():
            run_job(job_id)

    def submit(self, job_id: str) -> None:
        if self._pool is None:
            self._run(job_id)
        else:
            self._pool.submit(self._run, job_id)


class RQRunner:
    """Queues jobs on Redis; ``koers worker`` runs them."""

    name = "rq"

    def __init__(self, redis_url: str, municipality: str) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(redis_url)
        # One queue per municipality, so instances may share a Redis server.
        self.queue = Queue(f"{QUEUE_PREFIX}-{municipality}", connection=self.connection)

    def submit(self, job_id: str) -> None:
        self.queue.enqueue("app.jobs.worker.execute", job_id, job_id=f"koers-{job_id}",
                           job_timeout=3600, failure_ttl=7 * 24 * 3600)


def make_runner(app: Flask) -> InProcessRunner | RQRunner:
    if app.config.get("REDIS_URL"):
        return RQRunner(app.config["REDIS_URL"], app.config["KOERS_MUNICIPALITY"].slug)
    return InProcessRunner(app, inline=app.config.get("KOERS_JOBS_INLINE", False))
