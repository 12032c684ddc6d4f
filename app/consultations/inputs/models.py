"""Input of a consultation and what was done with it.

**Input** (inbreng) comes from a meeting table or as a written reaction, from a stakeholder or
anonymous; an **answer** covers one or several inputs, with a decision and the section it
changed. Kind, channel and group are stored codes: plugins add kinds, so the database does not
fix their list. Scanned letters are kept as attachments of an input.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, db, utcnow
from app.stakeholders.models import Stakeholder


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
        Index("ix_consultation_inputs_used_section_id", "used_section_id"),
        Index("ix_consultation_inputs_used_action_id", "used_action_id"),
        Index("ix_consultation_inputs_used_theme_id", "used_theme_id"),
        # The coverage view counts every input of a plan by group, kind and state, and what
        # was taken into the plan: from these indexes alone, without reading the rows.
        Index("ix_consultation_inputs_coverage", "consultation_id", "participant_group", "kind",
              "processed", "id"),
        Index("ix_consultation_inputs_traced", "consultation_id", "used_in", "used_section_id",
              "used_action_id", "used_theme_id", sqlite_where=text("used_in IS NOT NULL"),
              postgresql_where=text("used_in IS NOT NULL")),
        # An imported reaction's origin (a message's Message-ID, or a hash of it): the same
        # message is never imported twice into one consultation.
        Index("uq_consultation_inputs_source_ref", "consultation_id", "source_ref", unique=True),
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
    # What processing did with it (app.consultations.inputs.tracing): taken into a section,
    # an action or a theme's goals ("section", "action", "goals"), or not used, with a reason.
    used_in: Mapped[str | None] = mapped_column(String(16))
    used_section_id: Mapped[int | None] = mapped_column(ForeignKey("plan_sections.id"))
    used_action_id: Mapped[int | None] = mapped_column(ForeignKey("plan_actions.id"))
    used_theme_id: Mapped[int | None] = mapped_column(ForeignKey("plan_themes.id"))
    not_used_reason: Mapped[str | None] = mapped_column(Text)
    source_ref: Mapped[str | None] = mapped_column(String(255))
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


class StandardAnswer(db.Model):
    """A reusable answer of a plan, for one of its themes or the plan as a whole: a title to
    find it by, the text and the decision an answer starts from. Archived, never deleted,
    once an answer used it (answers record which one they started from)."""

    __tablename__ = "consultation_standard_answers"
    __table_args__ = (
        Index("ix_consultation_standard_answers_plan_id", "plan_id", "archived"),
        Index("ix_consultation_standard_answers_theme_id", "theme_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("plan_themes.id"))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(32))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class Answer(db.Model):
    """One answer for one or several inputs: the text, the decision, the section it changed.
    ``number`` numbers the answers of a consultation in the order they were given ("Answer
    12" in the nota); ``standard_answer_id`` is the standard answer it started from."""

    __tablename__ = "consultation_answers"
    __table_args__ = (
        UniqueConstraint("consultation_id", "number", name="uq_consultation_answers_number"),
        Index("ix_consultation_answers_consultation_id", "consultation_id"),
        Index("ix_consultation_answers_changed_section_id", "changed_section_id"),
        Index("ix_consultation_answers_standard_answer_id", "standard_answer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    number: Mapped[int] = mapped_column(Integer)
    standard_answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_standard_answers.id",
                   name="fk_consultation_answers_standard_answer_id"))
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
    gives them neutral names (:mod:`app.consultations.inputs.erasure`); an editor removes an
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


class SuggestedGroup(db.Model):
    """Open written reactions that say much the same thing, proposed by the grouping job
    (:mod:`app.consultations.inputs.grouping`) and answered at once. A new proposal replaces
    the groups still ``suggested``; an ``accepted`` group is the adviser's and stays."""

    __tablename__ = "consultation_suggested_groups"
    __table_args__ = (
        CheckConstraint("status in ('suggested', 'accepted')", name="status"),
        Index("ix_consultation_suggested_groups_consultation_id", "consultation_id"),
        Index("ix_consultation_suggested_groups_assigned_to_id", "assigned_to_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(ForeignKey("consultations.id"))
    label: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="suggested")
    assigned_to_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class SuggestedGroupInput(db.Model):
    """Which group an input is in: each input is in at most one."""

    __tablename__ = "consultation_suggested_group_inputs"
    __table_args__ = (Index("ix_consultation_suggested_group_inputs_group_id", "group_id"),)

    input_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_inputs.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("consultation_suggested_groups.id", ondelete="CASCADE"))
