"""The job interface: register a job function, enqueue it, report progress, read its state.

A job function takes a :class:`JobContext` and keyword parameters (JSON-serialisable) and
returns a JSON-serialisable result. It must be safe to retry: an interrupted job is started
again, so it must not repeat side effects that already happened (e.g. letters already sent);
:meth:`JobContext.save_checkpoint` lets a long job say how far it got.

A job's life: ``queued`` → ``running`` (with a heartbeat) → ``finished`` or ``failed``. A
running job whose heartbeat stops (its process was killed, the machine restarted) becomes
``interrupted`` and may be retried; see :func:`reap_interrupted`.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from flask import current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, joinedload

from app.auth.models import User
from app.database import db, utcnow
from app.errors import DomainError
from app.jobs.models import Job, JobStatus
from app.jobs.watchdog import Watchdog
from app.translate import lazy_gettext as _l

log = logging.getLogger(__name__)
JobFunction = Callable[..., dict[str, Any] | None]
FailureCleanup = Callable[[dict[str, Any]], None]
_registry: dict[str, JobFunction] = {}
_on_failure: dict[str, FailureCleanup] = {}


class UnknownJob(LookupError):
    pass


class JobsUnavailable(DomainError):
    """The job could not be handed to its runner (e.g. Redis is down)."""

    def __init__(self, *, kept: bool = False) -> None:
        super().__init__(str(_l(
            "Background work is unavailable at the moment. The job stays interrupted; try "
            "again in a few minutes.") if kept else _l(
            "Background work is unavailable at the moment, so this was not started and "
            "nothing was kept. Try again in a few minutes; if it keeps happening, tell your "
            "administrator.")))


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


def module_of(kind: str) -> str | None:
    """The module that registers ``kind``: a job process imports it before running the job."""
    function = _registry.get(kind)
    return function.__module__ if function else None


@dataclass
class JobContext:
    """Given to a running job function to report progress and keep a checkpoint."""

    job_id: str
    #: What an earlier attempt of this job had done (see :meth:`save_checkpoint`), or None.
    checkpoint: dict[str, Any] | None = None

    def progress(self, percent: int, message: str = "") -> None:
        # A separate short transaction, so the job page sees progress while the job's own
        # work is still uncommitted.
        with Session(db.engine) as session:
            session.execute(update(Job).where(Job.id == self.job_id).values(
                progress=max(0, min(100, int(percent))), message=message[:500],
                heartbeat_at=utcnow()))
            session.commit()

    def save_checkpoint(self, data: dict[str, Any]) -> None:
        """Record what the job has done *in the current transaction*: it commits together
        with that work, so a retry after an interruption goes on from exactly there."""
        db.session.execute(update(Job).where(Job.id == self.job_id).values(
            checkpoint=data, heartbeat_at=utcnow()))
        self.checkpoint = data


class Runner(Protocol):
    name: str

    def submit(self, job_id: str) -> None: ...

    def waiting_reason(self) -> str | None: ...


def runner() -> Runner:
    return current_app.extensions["koers_jobs"]


def enqueue(kind: str, params: dict[str, Any] | None = None, *, user: Any = None) -> Job:
    """Record a job and hand it to the configured runner; returns the committed Job.
    Raises :class:`JobsUnavailable` (leaving no job and no files) when it cannot be queued."""
    if kind not in _registry:
        raise UnknownJob(kind)
    record = Job(kind=kind, params=params or {}, created_by_id=getattr(user, "id", None))
    db.session.add(record)
    db.session.commit()
    hand_over(record)
    return record


def hand_over(record: Job, *, undo: Callable[[], None] | None = None) -> None:
    """Give a committed job to the runner. When that fails, the job is removed again (after
    ``undo`` has removed what refers to it), its kind's cleanup runs, and
    :class:`JobsUnavailable` is raised: no row waits forever for a queue that never had it."""
    try:
        runner().submit(record.id)
    except Exception as error:
        log.warning("job %s (%s) could not be queued: %s", record.id, record.kind,
                    error.__class__.__name__)
        db.session.rollback()
        if undo is not None:
            undo()
        db.session.execute(db.delete(Job).where(Job.id == record.id))
        db.session.commit()
        _clean_up(record.kind, record.params)
        raise JobsUnavailable() from error


def _clean_up(kind: str, params: dict[str, Any]) -> None:
    cleanup = _on_failure.get(kind)
    if cleanup is None:
        return
    try:
        cleanup(params)
    except Exception:
        log.exception("clean-up after job kind %s failed", kind)


def limits() -> JobLimits:
    config = current_app.config
    return JobLimits(memory_mb=config["KOERS_JOB_MEMORY_MB"],
                     seconds=config["KOERS_JOB_TIME_LIMIT_MINUTES"] * 60,
                     heartbeat_seconds=config["KOERS_JOB_HEARTBEAT_SECONDS"],
                     interrupted_after=config["KOERS_JOB_INTERRUPTED_AFTER_SECONDS"])


@dataclass(frozen=True)
class JobLimits:
    memory_mb: int
    seconds: int
    heartbeat_seconds: int
    interrupted_after: int


def run_job(job_id: str, *, enforce_limits: bool = False) -> None:
    """Execute a recorded job; called by every runner inside an app context.

    ``enforce_limits``: this process exists for the job (a job process, an RQ work horse),
    so a watchdog may end it when the job exceeds its memory or time limit."""
    reap_interrupted()
    record = db.session.get(Job, job_id)
    if record is None:
        log.error("job %s does not exist", job_id)
        return
    if record.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        log.warning("job %s is %s; not run again", job_id, record.status)
        return
    function = _registry.get(record.kind)
    now = utcnow()
    record.status, record.started_at, record.heartbeat_at = JobStatus.RUNNING.value, now, now
    record.attempts = (record.attempts or 0) + 1
    record.error = None
    db.session.commit()
    attempt, checkpoint, params = record.attempts, record.checkpoint, dict(record.params)
    kind = record.kind
    watchdog = Watchdog(current_app._get_current_object(), job_id, attempt,  # type: ignore[attr-defined]
                        limits(), enforce=enforce_limits, fail=fail)
    watchdog.start()
    try:
        if function is None:
            raise UnknownJob(kind)
        result = function(JobContext(job_id, checkpoint), **params)
        db.session.commit()
    except Exception:
        watchdog.stop()
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, kind)
        fail(job_id, traceback.format_exc(limit=5))
        return
    watchdog.stop()
    if enforce_limits:
        log.info("job %s (%s) finished; peak memory %.0f MB", job_id, kind,
                 watchdog.peak_mb)
    db.session.execute(update(Job).where(Job.id == job_id, Job.attempts == attempt).values(
        status=JobStatus.FINISHED.value, finished_at=utcnow(), heartbeat_at=utcnow(),
        progress=100, result=result or {}))
    db.session.commit()


def fail(job_id: str, error: str, message: str | None = None) -> None:
    """Mark a job failed for good (in its own transaction) and run its kind's cleanup.

    A job that has committed part of its work (it saved a checkpoint) is never left half
    done: it becomes *interrupted* instead, keeps its files, and starting it again goes on
    from the checkpoint — an import is either all in or resumable, never stuck half-way."""
    with Session(db.engine) as session:
        record = session.get(Job, job_id)
        if record is None or record.status in (JobStatus.FINISHED, JobStatus.FAILED):
            return
        partway = bool(record.checkpoint)
        record.status = (JobStatus.INTERRUPTED if partway else JobStatus.FAILED).value
        record.finished_at, record.error = utcnow(), error
        if message is None and partway:
            message = str(_l("The job stopped part-way because of an error. What it had done "
                             "is kept; starting it again goes on from there."))
        if message is not None:  # the reason a person reads on the job page
            record.message = message[:500]
            record.result = {"reason": message}
        kind, params = record.kind, dict(record.params)
        session.commit()
    if not partway:
        _clean_up(kind, params)


def interrupt(job_id: str, message: str) -> None:
    """Mark a job whose process ended unexpectedly as interrupted at once (its supervisor
    saw it go), rather than waiting for its heartbeat to go stale."""
    with Session(db.engine) as session:
        session.execute(update(Job).where(
            Job.id == job_id, Job.status.in_((JobStatus.QUEUED.value, JobStatus.RUNNING.value)))
            .values(status=JobStatus.INTERRUPTED.value, finished_at=utcnow(),
                    message=message[:500], result={"reason": message}))
        session.commit()


def reap_interrupted() -> int:
    """Mark running jobs whose heartbeat stopped as interrupted; returns how many. Cheap (an
    indexed read, and a write only when there is one), so the job page, every job run and
    ``koers worker`` call it."""
    cutoff = utcnow() - timedelta(seconds=current_app.config[
        "KOERS_JOB_INTERRUPTED_AFTER_SECONDS"])
    silent = or_(Job.heartbeat_at < cutoff,
                 and_(Job.heartbeat_at.is_(None), Job.started_at < cutoff))
    with Session(db.engine) as session:
        # Read first: the job page polls this every second, and on SQLite even an UPDATE
        # that changes nothing waits for the write lock a running import holds.
        if session.scalar(select(Job.id).where(
                Job.status == JobStatus.RUNNING.value, silent).limit(1)) is None:
            return 0
        result = session.execute(
            update(Job).where(Job.status == JobStatus.RUNNING.value, silent)
            .values(status=JobStatus.INTERRUPTED.value, finished_at=utcnow())
            .execution_options(synchronize_session=False))
        session.commit()
    count = result.rowcount or 0  # type: ignore[attr-defined]
    if count:
        log.warning("%d job(s) without heartbeat marked interrupted", count)
    return count


class RetryRefused(DomainError):
    pass


def retry(record: Job) -> None:
    """Start an interrupted job again: it goes on from its checkpoint. Two people pressing
    retry at once start it once."""
    claimed = db.session.execute(
        update(Job).where(Job.id == record.id, Job.status == JobStatus.INTERRUPTED.value)
        .values(status=JobStatus.QUEUED.value, finished_at=None, error=None)
        .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        db.session.rollback()
        raise RetryRefused(str(_l("This job has already been started again.")))
    db.session.commit()

    def back_to_interrupted() -> None:
        db.session.execute(update(Job).where(Job.id == record.id).values(
            status=JobStatus.INTERRUPTED.value))
        db.session.commit()

    try:
        runner().submit(record.id)
    except Exception as error:
        # The job keeps its files and checkpoint: it stays interrupted, to be retried later.
        back_to_interrupted()
        raise JobsUnavailable(kept=True) from error


def get_job(job_id: str) -> Job | None:
    reap_interrupted()
    return db.session.get(Job, job_id, options=[joinedload(Job.created_by)])


def started_by(job_id: str) -> User | None:
    """The account that started the job, for ``actor=`` in what a job function records; None
    for a job the system started."""
    record = db.session.get(Job, job_id)
    return db.session.get(User, record.created_by_id) \
        if record is not None and record.created_by_id else None
