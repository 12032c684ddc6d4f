"""Meetings and comment periods: a consultation of a plan, a meeting's tables and
registrations, and a staff member's calendar feed.

A consultation is a meeting (werkconferentie, bijeenkomst, gesprekstafel, ontbijtsessie,
inspraakbijeenkomst, online) or the formal **ter inzage** period, whose last day is computed
and stored with how it was computed. Format and channel are stored codes: plugins add formats,
so the database does not fix their list. What came out of a consultation lives beside it:
input and answers in :mod:`app.consultations.inputs.models`, feedback letters in
:mod:`app.consultations.feedback.models`, generated notas in
:mod:`app.consultations.nota.models`.
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
    # when the nota van beantwoording is due: the answers' deadline, set by the adviser
    nota_due_on: Mapped[date | None] = mapped_column(Date)
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
        Index("ix_consultation_registrations_table_id", "table_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholders.id"))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attended: Mapped[bool] = mapped_column(Boolean, default=False)
    # the table the attendee sat at (their meeting feedback tells what it contributed)
    table_id: Mapped[int | None] = mapped_column(ForeignKey("consultation_tables.id"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}


class CalendarFeed(db.Model):
    """A staff member's personal calendar feed: only the token's hash is stored, so the
    secret URL is shown once; a new URL revokes the old one."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
