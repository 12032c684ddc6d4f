"""Terugkoppeling: a mailing of a consultation, with a letter per participant."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, db, utcnow


class LetterStatus:
    """A feedback letter's life: queued -> sending -> sent. A letter still ``sending`` when
    its mailing is found not running was interrupted mid-send: a person decides
    (``held`` until then); nothing is ever resent automatically."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    HELD = "held"
    CANCELLED = "cancelled"


class FeedbackMailing(db.Model):
    """One round of terugkoppeling for a consultation: a letter per participant."""

    __tablename__ = "consultation_feedback_mailings"
    __table_args__ = (Index("ix_consultation_feedback_mailings_consultation_id",
                            "consultation_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    # "inputs": what was done with each participant's input; "meeting": what an attendee's
    # table contributed to a meeting and what was done with it (feedback/meeting.py)
    kind: Mapped[str] = mapped_column(String(16), default="inputs", server_default="inputs")
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedbackLetter(db.Model):
    """The letter or e-mail to one participant, listing their inputs with answers."""

    __tablename__ = "consultation_feedback_letters"
    __table_args__ = (
        Index("ix_consultation_feedback_letters_mailing_id", "mailing_id", "status"),
        Index("ix_consultation_feedback_letters_participant", "consultation_id",
              "stakeholder_id"),
        Index("ix_consultation_feedback_letters_stakeholder_id", "stakeholder_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    mailing_id: Mapped[int] = mapped_column(ForeignKey("consultation_feedback_mailings.id"))
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    stakeholder_id: Mapped[int | None] = mapped_column(ForeignKey("stakeholders.id"))
    # "email" or "post" (no e-mail address: printed and posted by staff)
    channel: Mapped[str] = mapped_column(String(16))
    recipient_email: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    input_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default=LetterStatus.QUEUED)
    sending_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    message_id: Mapped[str | None] = mapped_column(String(300))
    error: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}

    #: Names and addresses of residents: the audit trail records changes, not values.
    personal_fields = frozenset({"recipient_email", "subject", "body"})
