"""A job process: ``python -m app.jobs.child`` reads its job from standard input (written by
the web process that started it), builds the same app and runs the job with its limits."""

from __future__ import annotations

import importlib
import pickle
import sys


def main() -> None:
    # The payload comes through a pipe from the parent process alone, never from outside.
    payload = pickle.load(sys.stdin.buffer)  # noqa: S301
    sys.path[:0] = [entry for entry in payload["sys_path"] if entry not in sys.path]
    from app import create_app
    from app.jobs.services import run_job

    overrides, environ = payload["factory"]
    app = create_app(overrides, environ)
    if payload.get("module"):
        importlib.import_module(payload["module"])  # jobs registered outside the core
    with app.app_context():
        run_job(payload["job_id"], enforce_limits=True)


if __name__ == "__main__":
    main()
