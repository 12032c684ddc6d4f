"""What an RQ worker executes. ``koers worker`` binds its app here before working."""

from __future__ import annotations

import importlib

from flask import Flask

from app.jobs.services import reap_interrupted, run_job

_app: Flask | None = None


def bind(app: Flask) -> None:
    global _app
    _app = app


def execute(job_id: str, module: str | None = None) -> None:
    """Run one job in the work horse RQ forked for it: a process of its own, which the job's
    watchdog may end when the job exceeds its limits (the worker then goes on)."""
    global _app
    if _app is None:  # a plain `rq worker` process: build the app from the environment
        from app import create_app

        _app = create_app()
    if module:  # a job kind registered outside the core and its plugins
        importlib.import_module(module)
    with _app.app_context():
        from app.database import db

        # Connections inherited through the fork belong to the worker: open our own.
        db.engine.dispose(close=False)
        run_job(job_id, enforce_limits=True)


def work(app: Flask, *, burst: bool = False) -> bool:
    """Run an RQ worker on the Koers queue with ``app``; returns whether it did any job. Each
    job runs in a work horse of its own (RQ's forking worker), also in burst mode."""
    from rq import Worker

    bind(app)
    with app.app_context():
        reap_interrupted()  # jobs whose worker died before this one started
    runner = app.extensions["koers_jobs"]
    worker = Worker([runner.queue], connection=runner.connection)
    return worker.work(burst=burst)
