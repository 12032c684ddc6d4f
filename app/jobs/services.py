"""The job interface: register a job function, enqueue it, report progress, read its state.

A job function takes a :class:`JobContext` and keyword parameters (JSON-serialisable) and
returns a JSON-serialisable result. It must be safe to retry: a failed job can be started
again, so it must not repeat side effects that already happened (e.g. letters already sent).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import update
from sqlalchemy.orm import Session, joinedload

from app.database import db, utcnow
from app.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)
JobFunction = Callable[..., dict[str, Any] | None]
FailureCleanup = Callable[[dict[str, Any]], None]
_registry: dict[str, JobFunction] = {}
_on_failure: dict[str, FailureCleanup] = {}


class UnknownJob(LookupError):
    pass


def job(kind: str, *, on_failure: FailureCleanup | None = None
        ) -> Callable[[JobFunction], JobFunction]:
    """Register ``function`` as the job ``kind`` (e.g. ``"stakeholders.import"``).

    ``on_failure(params)`` is called once a job of this kind has failed for good (an error,
    a limit exceeded, or it could not be queued): it removes what the job would have used,
    such as an uploaded file that holds personal data. An interrupted job keeps its files for
    a retry."""

    def decorator(function: JobFunction) -> JobFunction:
        if _registry.get(kind, function) is not function:
            raise ValueError(f"job kind {kind!r} is registered twice")
        _registry[kind] = function
        if on_failure is not None:
            _on_failure[kind] = on_failure
        return function

    return decorator


def registered_kinds() -> list[str]:
    return sorted(_registry)


@dataclass
class JobContext:
    """Given to a running job function to report progress and keep a checkpoint."""

    job_id: str
    #: What an earlier attempt of this job had done (see :meth:`save_checkpoint`), or None.
    checkpoint: dict[str, Any] | None = None

    def save_checkpoint(self, data: dict[str, Any]) -> None:
        """Record what the job has done *in the current transaction*: it commits together
        with that work, so a retry after an interruption goes on from exactly there."""
        db.session.execute(update(Job).where(Job.id == self.job_id).values(checkpoint=data))
        self.checkpoint = data

    def progress(self, percent: int, message: str = "") -> None:
        # A separate short transaction, so the job page sees progress while the job's own
        # work is still uncommitted.
        with Session(db.engine) as session:
            session.execute(update(Job).where(Job.id == self.job_id).values(
                progress=max(0, min(100, int(percent))), message=message[:500]))
            session.commit()


class Runner(Protocol):
    name: str

    def submit(self, job_id: str) -> None: ...


def runner() -> Runner:
    from flask import current_app

    return current_app.extensions["koers_jobs"]


def enqueue(kind: str, params: dict[str, Any] | None = None, *, user: Any = None) -> Job:
    """Record a job and hand it to the configured runner; returns the committed Job."""
    if kind not in _registry:
        raise UnknownJob(kind)
    record = Job(kind=kind, params=params or {}, created_by_id=getattr(user, "id", None))
    db.session.add(record)
    db.session.commit()
    runner().submit(record.id)
    return record


def run_job(job_id: str) -> None:
    """Execute a recorded job; called by every runner inside an app context."""
    record = db.session.get(Job, job_id)
    if record is None:
        log.error("job %s does not exist", job_id)
        return
    function = _registry.get(record.kind)
    record.status, record.started_at = JobStatus.RUNNING.value, utcnow()
    record.error = None
    db.session.commit()
    try:
        if function is None:
            raise UnknownJob(record.kind)
        result = function(JobContext(job_id), **record.params)
    except Exception:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, record.kind)
        record = db.session.get(Job, job_id)
        record.status, record.finished_at = JobStatus.FAILED.value, utcnow()
        record.error = traceback.format_exc(limit=5)
        db.session.commit()
        return
    db.session.commit()
    db.session.refresh(record)
    record.status, record.finished_at = JobStatus.FINISHED.value, utcnow()
    record.progress, record.result = 100, result or {}
    db.session.commit()


def get_job(job_id: str) -> Job | None:
    return db.session.get(Job, job_id, options=[joinedload(Job.created_by)])
