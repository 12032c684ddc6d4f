"""The regenboogmodel: ordered layers and the catalogue of provisions (voorzieningen), and the
werkconferentie's kernadviezen. Every table name starts with "oldambt_"; every change to a
model needs a migration in migrations/versions (see README.md)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.plugin_api import Model, UTCDateTime, utcnow

#: The choice a provision gets in the koers: the prioritisation "kiezen voor de meest
#: kwetsbaren". Stored codes; labels in choices.py.
CHOICES = ("behouden", "versterken", "afbouwen", "stoppen", "nieuw")


class Layer(Model):
    """A layer of the rainbow, from the household's own strength (innermost) to assessed
    individual maatwerk (outermost). Names and colours are the municipality's."""

    __tablename__ = "oldambt_layers"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(120))
    colour: Mapped[str] = mapped_column(String(7))
    description: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}


class Provision(Model):
    """A voorziening in the catalogue: who provides it, for whom, what it costs, and the
    choice the koers makes about it with its rationale."""

    __tablename__ = "oldambt_provisions"
    __table_args__ = (
        CheckConstraint("yearly_budget is null or yearly_budget >= 0",
                        name="budget_not_negative"),
        CheckConstraint("reach is null or reach >= 0", name="reach_not_negative"),
        Index("ix_oldambt_provisions_layer_id", "layer_id", "name"),
        Index("ix_oldambt_provisions_provider_id", "provider_id"),
        Index("ix_oldambt_provisions_choice", "choice"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    layer_id: Mapped[int] = mapped_column(ForeignKey("oldambt_layers.id"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("stakeholders.id"))
    target_group: Mapped[str | None] = mapped_column(String(200))
    # residents reached per year
    reach: Mapped[int | None] = mapped_column(Integer)
    yearly_budget: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    choice: Mapped[str] = mapped_column(String(16), default="behouden")
    rationale: Mapped[str | None] = mapped_column(Text)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    __mapper_args__ = {"version_id_col": version}


class ProvisionTheme(Model):
    __tablename__ = "oldambt_provision_themes"
    __table_args__ = (Index("ix_oldambt_provision_themes_theme_id", "theme_id"),)

    provision_id: Mapped[int] = mapped_column(
        ForeignKey("oldambt_provisions.id", ondelete="CASCADE"), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("plan_themes.id"), primary_key=True)


class ProvisionGoal(Model):
    __tablename__ = "oldambt_provision_goals"
    __table_args__ = (Index("ix_oldambt_provision_goals_goal_id", "goal_id"),)

    provision_id: Mapped[int] = mapped_column(
        ForeignKey("oldambt_provisions.id", ondelete="CASCADE"), primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("plan_goals.id"), primary_key=True)


class KeyAdvice(Model):
    """Marks an input of a werkconferentie table as one of the table's kernadviezen."""

    __tablename__ = "oldambt_key_advice"

    input_id: Mapped[int] = mapped_column(ForeignKey("consultation_inputs.id",
                                                     ondelete="CASCADE"), primary_key=True)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
