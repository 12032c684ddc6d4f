"""What Coevorden adds to a plan's pillars (the core's themes, which Coevorden calls
pijlers): which pillar is the main one, a budget at pillar level, and indicators. Every table
name starts with "coevorden_"; every change to a model needs a migration."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.plugin_api import Model


class Pillar(Model):
    """Coevorden's own facts about one theme (pijler) of a plan."""

    __tablename__ = "coevorden_pillars"
    __table_args__ = (CheckConstraint("budget is null or budget >= 0",
                                      name="budget_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("plan_themes.id"), unique=True)
    is_main: Mapped[bool] = mapped_column(Boolean, default=False)
    # the budget set for the pillar as a whole, beside what its actions budget
    budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class Indicator(Model):
    """How the pillar's progress is measured: from a baseline towards a target."""

    __tablename__ = "coevorden_indicators"
    __table_args__ = (Index("ix_coevorden_indicators_theme_id", "theme_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("plan_themes.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(300))
    baseline: Mapped[str | None] = mapped_column(String(100))
    target: Mapped[str | None] = mapped_column(String(100))
    current: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str | None] = mapped_column(Text)
