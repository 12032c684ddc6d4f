"""The watchdog beside a running job: writes its heartbeat and, in a process that exists for
the job alone, ends it when it exceeds its memory or time limit.

The job is marked failed with a reason a person understands *before* the process ends, and
its kind's cleanup runs, so no upload is left behind and the job page never shows "running"
for a job that is gone.
"""

from __future__ import annotations

import logging
import os
import resource
import threading
import time
from collections.abc import Callable

from flask import Flask
from flask_babel import force_locale
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.database import db, utcnow
from app.jobs.models import Job, JobStatus
from app.translate import gettext as _

log = logging.getLogger(__name__)
#: The exit status of a job process ended by its watchdog.
EXIT_LIMIT = 75
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def resident_mb(pid: int | str = "self") -> float:
    """Resident memory of a process in MB (Linux: /proc; elsewhere the own peak)."""
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as handle:
            return int(handle.read().split()[1]) * _PAGE / 1024 / 1024
    except (OSError, ValueError, IndexError):
        if pid != "self":
            return 0.0
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Watchdog(threading.Thread):
    """Writes the job's heartbeat and ends its process past a limit, marking the job failed
    through ``fail`` (the job service's, passed in so this module stays below it)."""

    def __init__(self, app: Flask, job_id: str, attempt: int, limits, *,
                 enforce: bool, fail: Callable[[str, str, str], None]) -> None:
        super().__init__(name=f"koers-watchdog-{job_id[:8]}", daemon=True)
        self.app, self.job_id, self.attempt, self.limits = app, job_id, attempt, limits
        self.enforce, self.fail = enforce, fail
        self._stopped = threading.Event()
        self.peak_mb = 0.0

    def stop(self) -> None:
        self._stopped.set()
        # The process's own peak, also for a job too short for the watchdog to sample.
        self.peak_mb = max(self.peak_mb,
                           resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)

    def run(self) -> None:
        started = time.monotonic()
        next_beat = started + self.limits.heartbeat_seconds
        # Memory is checked often: a runaway reader grows by hundreds of MB a second.
        while not self._stopped.wait(0.2):
            now = time.monotonic()
            if self.enforce:
                used = resident_mb()
                self.peak_mb = max(self.peak_mb, used)
                if used > self.limits.memory_mb:
                    self._end(lambda: _("The job used more than %(mb)d MB of memory and was "
                                        "stopped. The file is probably much larger than it "
                                        "looks; split it into smaller files.",
                                        mb=self.limits.memory_mb),
                              f"memory limit exceeded: {used:.0f} MB")
                if now - started > self.limits.seconds:
                    self._end(lambda: _("The job took longer than %(minutes)d minutes and was "
                                        "stopped.", minutes=self.limits.seconds // 60),
                              f"time limit exceeded: {now - started:.0f} s")
            if now >= next_beat:
                next_beat = now + self.limits.heartbeat_seconds
                if not self._beat() and self.enforce:
                    log.warning("job %s was taken over or given up; this process ends",
                                self.job_id)
                    os._exit(EXIT_LIMIT)

    def _beat(self) -> bool:
        """Write the heartbeat; False when the job is no longer this attempt's to run."""
        try:
            with self.app.app_context(), Session(db.engine) as session:
                result = session.execute(update(Job).where(
                    Job.id == self.job_id, Job.attempts == self.attempt,
                    Job.status == JobStatus.RUNNING.value).values(heartbeat_at=utcnow()))
                session.commit()
                return bool(result.rowcount)  # type: ignore[attr-defined]
        except Exception as error:  # a database hiccup must not end a healthy job
            log.warning("job %s: heartbeat not written (%s)", self.job_id,
                        error.__class__.__name__)
            return True

    def _end(self, message, error: str) -> None:
        log.error("job %s stopped: %s", self.job_id, error)
        try:
            with self.app.app_context():
                with force_locale(self.app.config["BABEL_DEFAULT_LOCALE"]):
                    text = message()
                self.fail(self.job_id, error, text)
        finally:
            os._exit(EXIT_LIMIT)
