"""What an RQ worker executes. ``koers worker`` binds its app here before working."""

from __future__ import annotations

from flask import Flask

from app.jobs.services import run_job

_app: Flask | None = None


def bind(app: Flask) -> None:
    global _app
    _app = app


def execute(job_id: str) -> None:
    global _app
    if _app is None:  # a plain `rq worker` process: build the app from the environment
        from app import create_app

        _app = create_app()
    with _app.app_context():
        run_job(job_id)


def work(app: Flask, *, burst: bool = False) -> bool:
    """Run an RQ worker on the Koers queue with ``app``; returns whether it did any job."""
    from rq import SimpleWorker, Worker

    bind(app)
    runner = app.extensions["koers_jobs"]
    worker_class = SimpleWorker if burst else Worker
    worker = worker_class([runner.queue], connection=runner.connection)
    return worker.work(burst=burst)
