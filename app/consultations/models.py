"""Consultations of a plan and what came out of them.

A consultation is a meeting (werkconferentie, bijeenkomst, gesprekstafel, ontbijtsessie,
inspraakbijeenkomst, online) or the formal **ter inzage** period, whose last day is computed
and stored with how it was computed. **Input** (inbreng) comes from a meeting table or as a
written reaction, from a stakeholder or anonymous; an **answer** covers one or several inputs,
with a decision and the section it changed. Format, kind, channel and group are stored codes:
plugins add formats and kinds, so the database does not fix their lists.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, db, utcnow
from app.stakeholders.models import Stakeholder

TER_INZAGE = "ter_inzage"


class Consultation(db.Model):
    __tablename__ = "consultations"
    __table_args__ = (
        CheckConstraint("ends_at is null or starts_at is null or ends_at >= starts_at",
                        name="ends_after_start"),
        CheckConstraint("last_day is null or published_on is null or last_day >= published_on",
                        name="period_ordered"),
        Index("ix_consultations_plan_id", "plan_id", "starts_at"),
        Index("ix_consultations_organiser_id", "organiser_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    format: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    location: Mapped[str | None] = mapped_column(String(300))
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("stakeholders.id"))
    channels: Mapped[list[str]] = mapped_column(JSON, default=list)
    # ter inzage: the first day it lies open, and the computed last day with how
    published_on: Mapped[date | None] = mapped_column(Date)
    weeks: Mapped[int | None] = mapped_column(Integer)
    termijnenwet_applied: Mapped[bool | None] = mapped_column(Boolean)
    last_day: Mapped[date | None] = mapped_column(Date)
    computation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    legal_basis: Mapped[str | None] = mapped_column(String(300))
    # The kennisgeving for the gemeenteblad and website: generated, then edited by staff.
    notice: Mapped[str | None] = mapped_column(Text)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __mapper_args__ = {"version_id_col": version}

    organiser: Mapped[Stakeholder | None] = relationship(lazy="raise")

    @property
    def is_comment_period(self) -> bool:
        return self.format == TER_INZAGE


class ConsultationTable(db.Model):
    """A table or topic at a meeting, with its facilitator and the plan's theme it is about."""

    __tablename__ = "consultation_tables"
    __table_args__ = (
        Index("ix_consultation_tables_consultation_id", "consultation_id", "position"),
        Index("ix_consultation_tables_facilitator_id", "facilitator_id"),
        Index("ix_consultation_tables_theme_id", "theme_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    topic: Mapped[str] = mapped_column(String(200))
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("stakeholders.id"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("plan_themes.id"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}


class Registration(db.Model):
    """Someone registered for a meeting, and whether they came."""

    __tablename__ = "consultation_registrations"
    __table_args__ = (
        UniqueConstraint("consultation_id", "stakeholder_id", name="uq_registration_once"),
        Index("ix_consultation_registrations_stakeholder_id", "stakeholder_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholders.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}


class Input(db.Model):
    """Inbreng: an idea, concern, advice, zienswijze or question, as given and as summarised.

    ``number`` numbers the inputs of a consultation (the nota van beantwoording refers to
    reactions by number, never by a private person's name). ``late`` is computed from the
    received and postmark dates; late reactions are kept and flagged, never refused."""

    __tablename__ = "consultation_inputs"
    __table_args__ = (
        UniqueConstraint("consultation_id", "number", name="uq_input_number"),
        CheckConstraint("postmarked_on is null or received_on is null or "
                        "postmarked_on <= received_on", name="postmark_before_receipt"),
        Index("ix_consultation_inputs_listing", "consultation_id", "kind", "number"),
        Index("ix_consultation_inputs_stakeholder_id", "stakeholder_id"),
        Index("ix_consultation_inputs_table_id", "table_id"),
    )
    #: Free text from residents: the audit trail records that these changed, not values.
    personal_fields = frozenset({"original_text", "summary"})

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    table_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_tables.id"))
    number: Mapped[int] = mapped_column(Integer)
    stakeholder_id: Mapped[int | None] = mapped_column(ForeignKey("stakeholders.id"))
    participant_group: Mapped[str] = mapped_column(String(32), default="onbekend")
    kind: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(32))
    original_text: Mapped[str] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)
    received_on: Mapped[date | None] = mapped_column(Date)
    postmarked_on: Mapped[date | None] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    processed: Mapped[bool] = mapped_column(Boolean, default=False)
    used: Mapped[bool | None] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    __mapper_args__ = {"version_id_col": version}

    stakeholder: Mapped[Stakeholder | None] = relationship(lazy="raise")


class InputTheme(db.Model):
    __tablename__ = "consultation_input_themes"
    __table_args__ = (Index("ix_consultation_input_themes_theme_id", "theme_id"),)

    input_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_inputs.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("plan_themes.id"), primary_key=True)


class CoSignatory(db.Model):
    """Someone who signed a letter with others; the first signatory is the input's own."""

    __tablename__ = "consultation_co_signatories"
    __table_args__ = (
        Index("ix_consultation_co_signatories_stakeholder_id", "stakeholder_id"),)

    input_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_inputs.id", ondelete="CASCADE"), primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholders.id"),
                                                primary_key=True)


class Answer(db.Model):
    """One answer for one or several inputs: the text, the decision, the section it changed."""

    __tablename__ = "consultation_answers"
    __table_args__ = (
        Index("ix_consultation_answers_consultation_id", "consultation_id"),
        Index("ix_consultation_answers_changed_section_id", "changed_section_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    text: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(32))
    changed_section_id: Mapped[int | None] = mapped_column(ForeignKey("plan_sections.id"))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class InputAnswer(db.Model):
    """Which answer covers an input: each input has at most one."""

    __tablename__ = "consultation_input_answers"
    __table_args__ = (Index("ix_consultation_input_answers_answer_id", "answer_id"),)

    input_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_inputs.id", ondelete="CASCADE"), primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("consultation_answers.id"))


class Attachment(db.Model):
    """A scanned letter or other file with an input, stored under ``KOERS_STORAGE_DIR``.

    ``stored_name`` is a random name: the original file name (which may hold a resident's
    name) is kept only in the database, never on disk or in the audit trail. Erasing the
    sender or a co-signatory leaves the input and its attachments (part of the case file) and
    gives them neutral names (:mod:`app.consultations.erasure`); an editor removes an
    attachment, and its file, on the input's page."""

    __tablename__ = "consultation_attachments"
    # A scanned letter is the sender's personal data: a person's privacy export lists the
    # attachments of their input (app.stakeholders follows this flag, knowing no table).
    __table_args__ = (Index("ix_consultation_attachments_input_id", "input_id"),
                      {"info": {"export_with_parent": True}})

    id: Mapped[int] = mapped_column(primary_key=True)
    input_id: Mapped[int] = mapped_column(ForeignKey("consultation_inputs.id"))
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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


class Nota(db.Model):
    """A generated nota van beantwoording: the files (HTML, PDF, DOCX) in storage."""

    __tablename__ = "consultation_notas"
    __table_args__ = (Index("ix_consultation_notas_consultation_id", "consultation_id",
                            "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    job_id: Mapped[str | None] = mapped_column(ForeignKey("jobs.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reactions: Mapped[int] = mapped_column(Integer, default=0)
    # format ("html", "pdf", "docx") -> stored file name under KOERS_STORAGE_DIR/notas
    files: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)


class CalendarFeed(db.Model):
    """A staff member's personal calendar feed: only the token's hash is stored, so the
    secret URL is shown once; a new URL revokes the old one."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
