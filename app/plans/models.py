"""Plans: the policy plan, its text, its themes with goals, the actions of its implementation
programme, who is involved, its workflow history and its named revisions.

Stored codes (kind, law, workflow state, action status, involvement role) are plain strings:
plugins add kinds and workflows, so the database does not fix their lists. Plans, sections and
actions carry a version counter for optimistic locking: a save based on an older version fails
instead of overwriting someone else's change.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.database import UTCDateTime, db, utcnow
from app.stakeholders.models import Stakeholder


class Law(StrEnum):
    WMO = "wmo2015"
    JEUGDWET = "jeugdwet"
    PARTICIPATIEWET = "participatiewet"
    WGS = "wgs"
    WET_INBURGERING = "wi2021"
    WPG = "wpg"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    RUNNING = "running"
    DONE = "done"
    STOPPED = "stopped"


class InvolvementRole(StrEnum):
    OPDRACHTGEVER = "opdrachtgever"
    TREKKER = "trekker"
    DEELNEMER = "deelnemer"
    ADVIESRAAD = "adviesraad"
    KLANKBORD = "klankbord"


class Plan(db.Model):
    __tablename__ = "plans"
    __table_args__ = (
        CheckConstraint("period_end is null or period_start is null or "
                        "period_end >= period_start", name="period_ordered"),
        Index("ix_plans_listing", "archived", "phase", "updated_at"),
        Index("ix_plans_sort_title", "sort_title", "id"),
        Index("ix_plans_owner_id", "owner_id"),
        Index("ix_plans_sponsor_id", "sponsor_id"),
        Index("ix_plans_parent_id", "parent_id"),
        Index("ix_plans_parent_theme_id", "parent_theme_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    sort_title: Mapped[str] = mapped_column(String(200))  # normalised, for sorting and search
    kind: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str | None] = mapped_column(Text)
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The bestuurlijk opdrachtgever, usually the wethouder: a stakeholder.
    sponsor_id: Mapped[int | None] = mapped_column(ForeignKey("stakeholders.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id"))
    # The parent's theme this plan works out (one uitvoeringsprogramma per theme).
    parent_theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_themes.id", use_alter=True))
    workflow: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(100))
    # The core phase of ``state``, stored so lists filter on it with an index.
    phase: Mapped[str] = mapped_column(String(32))
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    __mapper_args__ = {"version_id_col": version}

    owner: Mapped[User | None] = relationship(lazy="raise")
    sponsor: Mapped[Stakeholder | None] = relationship(lazy="raise")
    parent: Mapped[Plan | None] = relationship(remote_side=[id], foreign_keys=[parent_id],
                                               lazy="raise")
    parent_theme: Mapped[Theme | None] = relationship(foreign_keys=[parent_theme_id],
                                                      lazy="raise")
    # Loaded when asked for: only the plan page and the plan form show a plan's laws.
    laws: Mapped[list[PlanLaw]] = relationship(back_populates="plan", lazy="select",
                                               cascade="all, delete-orphan",
                                               order_by="PlanLaw.law")

    @property
    def law_codes(self) -> list[str]:
        return [law.law for law in self.laws]


class PlanLaw(db.Model):
    """A law a plan covers (a plan may cover several: an integral framework)."""

    __tablename__ = "plan_laws"
    __table_args__ = (Index("ix_plan_laws_law", "law", "plan_id"),)

    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"),
                                         primary_key=True)
    law: Mapped[str] = mapped_column(String(32), primary_key=True)

    plan: Mapped[Plan] = relationship(back_populates="laws")


class Section(db.Model):
    """An ordered part of the plan's text, in Markdown (sanitised when shown)."""

    __tablename__ = "plan_sections"
    __table_args__ = (Index("ix_plan_sections_plan_id", "plan_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    __mapper_args__ = {"version_id_col": version}


class Theme(db.Model):
    """A theme of a plan — thema, focuspunt or pijler, as the municipality calls it."""

    __tablename__ = "plan_themes"
    __table_args__ = (Index("ix_plan_themes_plan_id", "plan_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class Goal(db.Model):
    """An ambition of a theme."""

    __tablename__ = "plan_goals"
    __table_args__ = (Index("ix_plan_goals_theme_id", "theme_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("plan_themes.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}


class Action(db.Model):
    """An action of the uitvoeringsprogramma: who carries it (trekker), with which partners,
    what it costs, when, and how far it is. Stays editable after adoption."""

    __tablename__ = "plan_actions"
    __table_args__ = (
        CheckConstraint("progress >= 0 and progress <= 100", name="progress_percent"),
        CheckConstraint("budget is null or budget >= 0", name="budget_not_negative"),
        CheckConstraint("end_date is null or start_date is null or end_date >= start_date",
                        name="dates_ordered"),
        Index("ix_plan_actions_plan_id", "plan_id", "theme_id", "position"),
        Index("ix_plan_actions_theme_id", "theme_id"),
        Index("ix_plan_actions_goal_id", "goal_id"),
        Index("ix_plan_actions_trekker_id", "trekker_id"),
        Index("ix_plan_actions_open_end", "status", "end_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("plan_themes.id"))
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("plan_goals.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    trekker_id: Mapped[int | None] = mapped_column(ForeignKey("stakeholders.id"))
    budget: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.PLANNED.value)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    __mapper_args__ = {"version_id_col": version}

    trekker: Mapped[Stakeholder | None] = relationship(lazy="raise")
    plan: Mapped[Plan] = relationship(lazy="raise")
    partners: Mapped[list[ActionPartner]] = relationship(
        back_populates="action", cascade="all, delete-orphan", lazy="raise")


class ActionPartner(db.Model):
    """A partner organisation working on an action."""

    __tablename__ = "plan_action_partners"
    __table_args__ = (Index("ix_plan_action_partners_stakeholder_id", "stakeholder_id"),)

    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id", ondelete="CASCADE"),
                                           primary_key=True)
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholders.id"),
                                                primary_key=True)

    action: Mapped[Action] = relationship(back_populates="partners")
    stakeholder: Mapped[Stakeholder] = relationship(lazy="joined")


class ProgressUpdate(db.Model):
    """A dated report on an action: its progress then and what happened."""

    __tablename__ = "plan_progress_updates"
    __table_args__ = (
        CheckConstraint("progress >= 0 and progress <= 100", name="progress_percent"),
        Index("ix_plan_progress_updates_action_id", "action_id", "reported_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("plan_actions.id"))
    reported_on: Mapped[date] = mapped_column(Date)
    progress: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Involvement(db.Model):
    """A stakeholder involved in a plan, or in one theme of it, in a role, for a while."""

    __tablename__ = "plan_involvements"
    __table_args__ = (
        CheckConstraint("end_date is null or start_date is null or end_date >= start_date",
                        name="dates_ordered"),
        Index("ix_plan_involvements_plan_id", "plan_id", "theme_id"),
        Index("ix_plan_involvements_stakeholder_id", "stakeholder_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    theme_id: Mapped[int | None] = mapped_column(ForeignKey("plan_themes.id"))
    stakeholder_id: Mapped[int] = mapped_column(ForeignKey("stakeholders.id"))
    role: Mapped[str] = mapped_column(String(32))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(300))

    stakeholder: Mapped[Stakeholder] = relationship(lazy="raise")
    plan: Mapped[Plan] = relationship(lazy="raise")
    theme: Mapped[Theme | None] = relationship(lazy="raise")


class Transition(db.Model):
    """One step through the plan's workflow: the history the plan page shows.

    ``decided_on`` is the real decision date (the college's or the council's), which may lie
    in the past; ``recorded_at`` is when it was entered."""

    __tablename__ = "plan_transitions"
    __table_args__ = (Index("ix_plan_transitions_plan_id", "plan_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    name: Mapped[str] = mapped_column(String(100))
    from_state: Mapped[str] = mapped_column(String(100))
    to_state: Mapped[str] = mapped_column(String(100))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship(lazy="raise")


class Revision(db.Model):
    """A named snapshot of the whole plan — text, themes, goals, actions — such as ``ontwerp``
    (taken when the college adopts the draft) or ``vastgesteld``."""

    __tablename__ = "plan_revisions"
    __table_args__ = (Index("ix_plan_revisions_plan_id", "plan_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    name: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
