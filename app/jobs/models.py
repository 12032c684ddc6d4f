from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, db, utcnow


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    #: The job stopped without saying so (its process was killed, the machine restarted):
    #: no heartbeat for longer than ``KOERS_JOB_HEARTBEAT_TIMEOUT``. It may be retried.
    INTERRUPTED = "interrupted"


class Job(db.Model):
    """The durable record of a background job: what the job page shows, whatever runs it."""

    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True,
                                    default=lambda: str(uuid.uuid4()))
    kind: Mapped[str] = mapped_column(String(100), index=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value, index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(500), default="")
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Written while the job runs; a running job whose heartbeat stops was interrupted.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: What a long job has already done, committed with that work, so a retry goes on from it.
    checkpoint: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    created_by: Mapped[User | None] = relationship(lazy="raise")

    __table_args__ = (Index("ix_jobs_status_heartbeat", "status", "heartbeat_at"),)

    @property
    def done(self) -> bool:
        return self.status in (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.INTERRUPTED)

    @property
    def retryable(self) -> bool:
        return self.status in (JobStatus.FAILED, JobStatus.INTERRUPTED)
