"""Werkconferentie support: per table its insights, connections and concrete advice, the
table's kernadviezen, and the feitenblad's figures (participants by group, inputs per table).
A few queries per conference, whatever its size."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from app.plugin_api import (
    Consultation,
    ConsultationTable,
    DomainError,
    Input,
    Registration,
    Stakeholder,
    audit,
    current_municipality,
    db,
    participant_group,
)

from .models import KeyAdvice
from .translations import _l

#: The consultation formats a conference panel and feitenblad are offered for.
CONFERENCE_FORMATS = ("werkconferentie", "oldambt.vervolgbijeenkomst")
INSIGHT, CONNECTION, ADVICE = "oldambt.inzicht", "oldambt.verbinding", "advies"


def is_conference(consultation: Consultation) -> bool:
    return consultation.format in CONFERENCE_FORMATS


@dataclass
class TableYield:
    """What one table produced, sorted into the werkconferentie's three questions."""

    table: ConsultationTable | None
    insights: list[Input] = field(default_factory=list)
    connections: list[Input] = field(default_factory=list)
    advice: list[Input] = field(default_factory=list)
    other: list[Input] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.insights) + len(self.connections) + len(self.advice) + len(self.other)


def tables_with_yield(consultation: Consultation) -> list[TableYield]:
    """Every table in order, then input without a table (if any): three queries."""
    tables = list(db.session.scalars(select(ConsultationTable).where(
        ConsultationTable.consultation_id == consultation.id)
        .order_by(ConsultationTable.position, ConsultationTable.id)))
    by_table = {table.id: TableYield(table) for table in tables}
    loose = TableYield(None)
    for item in db.session.scalars(select(Input).where(
            Input.consultation_id == consultation.id).order_by(Input.number)):
        target = by_table.get(item.table_id, loose) if item.table_id else loose
        bucket = {INSIGHT: target.insights, CONNECTION: target.connections,
                  ADVICE: target.advice}.get(item.kind, target.other)
        bucket.append(item)
    return [*by_table.values(), *([loose] if loose.total else [])]


def key_advice_ids(consultation: Consultation) -> set[int]:
    return set(db.session.scalars(select(KeyAdvice.input_id).join(
        Input, Input.id == KeyAdvice.input_id).where(
        Input.consultation_id == consultation.id)))


def set_key_advice(consultation: Consultation, input_ids: Iterable[int], *,
                   actor: Any = None) -> tuple[set[int], set[int]]:
    """Make exactly ``input_ids`` the conference's kernadviezen; returns (added, removed)."""
    wanted = set(input_ids)
    own = set(db.session.scalars(select(Input.id).where(
        Input.consultation_id == consultation.id, Input.id.in_(wanted)))) if wanted else set()
    if own != wanted:
        raise DomainError(str(_l("Choose kernadviezen from this conference's input.")))
    current = key_advice_ids(consultation)
    added, removed = wanted - current, current - wanted
    if removed:
        db.session.execute(delete(KeyAdvice).where(KeyAdvice.input_id.in_(removed)))
    for input_id in sorted(added):
        db.session.add(KeyAdvice(input_id=input_id))
    db.session.flush()
    if added or removed:
        audit("update", consultation, actor=actor, changes={"kernadviezen": {
            "old": sorted(current), "new": sorted(wanted)}})
    return added, removed


@dataclass
class FactSheet:
    consultation: Consultation
    participants: Counter[str]
    inputs_by_group: Counter[str]
    tables: list[TableYield]
    key_advice: set[int]

    @property
    def participant_total(self) -> int:
        return sum(self.participants.values())

    @property
    def input_total(self) -> int:
        return sum(table.total for table in self.tables)


def fact_sheet(consultation: Consultation) -> FactSheet:
    """The feitenblad's figures: who took part (attended, by participant group), what each
    table yielded, and the kernadviezen."""
    attended = db.session.scalars(
        select(Stakeholder).join(Registration, Registration.stakeholder_id == Stakeholder.id)
        .where(Registration.consultation_id == consultation.id,
               Registration.attended.is_(True))
        .options(selectinload(Stakeholder.categories)))
    participants = Counter(participant_group(person) for person in attended)
    tables = tables_with_yield(consultation)
    inputs_by_group = Counter(item.participant_group for table in tables
                              for item in (*table.insights, *table.connections, *table.advice,
                                           *table.other))
    return FactSheet(consultation, participants, inputs_by_group, tables,
                     key_advice_ids(consultation))


@dataclass(frozen=True)
class FollowUp:
    """When the koers was last discussed with residents and partners, and when next."""

    last: date
    due: date

    def overdue(self, today: date) -> bool:
        return today > self.due


def follow_up(plan_id: int) -> FollowUp | None:
    """The yearly follow-up: a year after the latest werkconferentie or follow-up meeting of
    the plan (None when it has had none yet). One query."""
    latest = db.session.scalar(select(func.max(Consultation.starts_at)).where(
        Consultation.plan_id == plan_id, Consultation.format.in_(CONFERENCE_FORMATS),
        Consultation.archived.is_(False)))
    if latest is None:
        return None
    day = latest.astimezone(ZoneInfo(current_municipality().timezone)).date()
    try:
        due = day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        due = day.replace(year=day.year + 1, day=28)
    return FollowUp(day, due)
