"""Rules of meetings and comment periods: a consultation (the ter-inzage period's last day
computed the way the Awb and the Algemene termijnenwet say), its tables and registrations, and
deleting it — archived instead when something refers to it.

One validation per record, used to create it and to change it (:meth:`ConsultationData.cleaned`,
:meth:`TableData.cleaned`). Edits of versioned records take the version the editor saw; a
different current version raises :class:`~app.errors.EditConflict` and changes nothing. Nothing
of an archived plan changes (:class:`~app.errors.ReadOnly`). Every change is audited.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import delete, func, select

from app import references
from app.audit.services import audit, recorded_changes
from app.consultations import periods
from app.consultations.inputs.models import Input
from app.consultations.inputs.services import recompute_lateness
from app.consultations.models import TER_INZAGE, Consultation, ConsultationTable, Registration
from app.consultations.notice import generate_notice
from app.consultations.rules import (
    check_versions,
    clean_text,
    collected,
    conflict_on_race,
    refuse_read_only_plan,
    required,
)
from app.database import db
from app.errors import DomainError, check_version
from app.labels import register as register_label
from app.plans.models import Plan, Theme
from app.plans.rules import refuse_read_only, usable
from app.stakeholders.models import Stakeholder
from app.translate import lazy_gettext as _l


@dataclass(frozen=True)
class ConsultationFormat:
    """A kind of consultation. ``comment_period`` formats have a publication date and a
    computed last day instead of a start and an end."""

    code: str
    label: Any
    comment_period: bool = False


CORE_FORMATS: tuple[ConsultationFormat, ...] = (
    ConsultationFormat("werkconferentie", _l("Work conference (werkconferentie)")),
    ConsultationFormat("bijeenkomst", _l("Meeting (bijeenkomst)")),
    ConsultationFormat("gesprekstafel", _l("Conversation table (gesprekstafel)")),
    ConsultationFormat("ontbijtsessie", _l("Breakfast session (ontbijtsessie)")),
    ConsultationFormat("inspraakbijeenkomst", _l("Public hearing (inspraakbijeenkomst)")),
    ConsultationFormat("online", _l("Online consultation")),
    ConsultationFormat(TER_INZAGE, _l("Open for inspection (ter inzage)"), comment_period=True),
)
ANNOUNCEMENTS: dict[str, Any] = {
    "website": _l("Website"), "gemeentepagina": _l("Municipal page in the local paper"),
    "lokale_media": _l("Local media"), "social_media": _l("Social media"),
    "e-mail": _l("E-mail"),
}

for _code, _label in {
    "add_table": _l("added a table"), "register": _l("registered a participant"),
    "update_table": _l("changed a table"), "remove_table": _l("removed a table"),
    "attendance": _l("recorded attendance"), "unregister": _l("removed a registration"),
    "update_notice": _l("changed the kennisgeving"),
    "regenerate_notice": _l("generated the kennisgeving again"), "delete": _l("deleted"),
}.items():
    register_label("action", _code, _label)
register_label("entity", "consultations", _l("Consultation"))
for _code, _label in {
    "format": _l("Kind of consultation"), "last_day": _l("Last day"), "plan": _l("Plan"),
    "attended": _l("Attended"), "topic": _l("Topic"), "title": _l("Title"),
    "description": _l("Description"), "starts_at": _l("Start"), "ends_at": _l("End"),
    "location": _l("Location"), "organiser_id": _l("Organiser"),
    "channels": _l("Announced through"), "published_on": _l("Laid open on"),
    "legal_basis": _l("Legal basis"), "weeks": _l("Weeks"), "notice": _l("Kennisgeving"),
    "facilitator": _l("Facilitator"), "theme": _l("Theme"), "stakeholder": _l("Stakeholder"),
    "termijnenwet_applied": _l("Termijnenwet applied"), "table": _l("Table"),
    "nota_due_on": _l("Nota due on"),
}.items():
    register_label("field", _code, _label)

#: Columns whose change is bookkeeping, not an edit someone made.
_UNAUDITED = {"version", "created_at", "computation"}


def formats() -> dict[str, ConsultationFormat]:
    """Formats of the core and the enabled plugins; the earlier (first plugin) wins."""
    return collected("consultation_formats")


# --- a consultation -------------------------------------------------------------------------

@dataclass
class ConsultationData:
    title: str
    format: str
    description: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    location: str | None = None
    organiser_id: int | None = None
    channels: list[str] = field(default_factory=list)
    published_on: date | None = None
    legal_basis: str | None = None
    nota_due_on: date | None = None

    def cleaned(self, current: Consultation | None = None) -> ConsultationData:
        """The values checked and tidied, for a new consultation or for ``current`` (whose
        kind stays, and whose organiser may stay even if archived since)."""
        chosen = formats().get(self.format) if current is None else None
        if current is None and chosen is None:
            raise DomainError(_l("Choose a kind of consultation."), field="format")
        title = required(self.title, "title", 200)
        unknown = sorted(set(self.channels) - set(ANNOUNCEMENTS))
        if unknown:
            raise DomainError(_l("Unknown channel: %(codes)s.", codes=", ".join(unknown)),
                              field="channels")
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            raise DomainError(_l("The meeting ends before it starts."), field="ends_at")
        kept = current is not None and self.organiser_id == current.organiser_id
        if self.organiser_id is not None and not kept and not usable(
                db.session.get(Stakeholder, self.organiser_id)):
            raise DomainError(_l("Choose an organiser from the register."),
                              field="organiser_id")
        comment_period = chosen.comment_period if chosen is not None else \
            current is not None and current.is_comment_period
        if comment_period and self.published_on is None:
            raise DomainError(_l("Enter the date the draft is laid open."),
                              field="published_on")
        if comment_period and self.nota_due_on and self.nota_due_on < self.published_on:
            raise DomainError(_l("The nota cannot be due before the draft is laid open."),
                              field="nota_due_on")
        return replace(self, title=title, format=chosen.code if chosen else current.format,
                       description=clean_text(self.description, 10_000),
                       location=clean_text(self.location, 300),
                       channels=sorted(set(self.channels)),
                       legal_basis=clean_text(self.legal_basis, 300),
                       nota_due_on=self.nota_due_on if comment_period else None)


def create_consultation(plan: Plan, data: ConsultationData, *, actor: Any = None
                        ) -> Consultation:
    """A meeting, or a ter-inzage period whose last day is computed from the municipality's
    settings (weeks, Algemene termijnenwet, decreed days) and stored with how."""
    refuse_read_only(plan)
    data = data.cleaned()
    consultation = Consultation(plan_id=plan.id, format=data.format)
    _apply(consultation, data)
    if consultation.is_comment_period:
        _set_period(consultation, data.published_on)  # type: ignore[arg-type]
        consultation.notice = generate_notice(consultation)
    db.session.add(consultation)
    db.session.flush()
    audit("create", consultation, actor=actor, changes={
        "plan": {"old": None, "new": plan.id}, "format": {"old": None, "new": data.format},
        "title": {"old": None, "new": data.title},
        **({"last_day": {"old": None, "new": consultation.last_day}}
           if consultation.last_day else {})})
    return consultation


def _apply(consultation: Consultation, data: ConsultationData) -> None:
    """Copy cleaned values onto the consultation (not its kind, not its period)."""
    consultation.title = data.title
    consultation.description = data.description
    consultation.starts_at = data.starts_at
    consultation.ends_at = data.ends_at
    consultation.location = data.location
    consultation.organiser_id = data.organiser_id
    consultation.channels = data.channels
    consultation.legal_basis = data.legal_basis
    consultation.nota_due_on = data.nota_due_on


def update_consultation(consultation: Consultation, data: ConsultationData, *,
                        expected_version: int | None = None, actor: Any = None) -> None:
    """Change a consultation; its kind stays. A comment period whose publication date moves
    gets its last day computed again, and its reactions their lateness; the kennisgeving is
    left as it is (staff may have edited it) — the page offers to generate it again."""
    refuse_read_only_plan(consultation)
    check_version(consultation, expected_version)
    data = data.cleaned(consultation)
    with recorded_changes(consultation, (), _UNAUDITED) as changes:
        _apply(consultation, data)
        if consultation.is_comment_period and data.published_on != consultation.published_on:
            _set_period(consultation, data.published_on)  # type: ignore[arg-type]
    if not changes:
        return
    db.session.flush()
    if "last_day" in changes:
        changed = recompute_lateness(consultation)
        if changed:
            changes["late"] = {"old": None, "new": changed}
    audit("update", consultation, actor=actor, changes=changes)


def consultations_of(plan: Plan, *, limit: int = 500) -> list[Consultation]:
    """The plan's consultations, archived ones included, earliest first (those without a
    date last); a plan has a handful, the bound keeps the page cheap whatever happens."""
    return list(db.session.scalars(
        select(Consultation).where(Consultation.plan_id == plan.id)
        .order_by(Consultation.starts_at.is_(None), Consultation.starts_at,
                  Consultation.published_on, Consultation.id).limit(limit)))


def _set_period(consultation: Consultation, published_on: date) -> None:
    municipality = current_app.config["KOERS_MUNICIPALITY"]
    period = periods.municipal_period(municipality, published_on)
    consultation.published_on = published_on
    consultation.weeks = period.weeks
    consultation.termijnenwet_applied = period.termijnenwet_applied
    consultation.last_day = period.last_day
    consultation.computation = {
        "nominal_last_day": period.nominal_last_day.isoformat(),
        "extensions": [{"day": e.day.isoformat(), "reason": str(e.reason)}
                       for e in period.extensions]}


def delete_or_archive(consultation: Consultation, *, actor: Any = None) -> bool:
    """Delete a consultation nothing else refers to (its own tables and registrations go
    with it); one with input, answers or anything a plugin links to it is archived instead,
    so nothing is lost. True if deleted."""
    refuse_read_only_plan(consultation)
    own = ("consultation_tables", "consultation_registrations")
    if references.references("consultations", consultation.id, skip=own):
        if not consultation.archived:
            consultation.archived = True
            db.session.flush()
            audit("archive", consultation, actor=actor,
                  changes={"archived": {"old": False, "new": True}})
        return False
    audit("delete", consultation, actor=actor,
          changes={"title": {"old": consultation.title, "new": None}})
    # registrations first: an attendee's registration names their table
    db.session.execute(delete(Registration).where(
        Registration.consultation_id == consultation.id))
    db.session.execute(delete(ConsultationTable).where(
        ConsultationTable.consultation_id == consultation.id))
    db.session.delete(consultation)
    db.session.flush()
    return True


# --- tables ---------------------------------------------------------------------------------

@dataclass
class TableData:
    topic: str
    facilitator: Stakeholder | None = None
    theme: Theme | None = None

    def cleaned(self, consultation: Consultation) -> TableData:
        """The topic tidied; the theme must be one of the consultation's plan."""
        if self.theme is not None and self.theme.plan_id != consultation.plan_id:
            raise DomainError(_l("Choose a theme of this plan."), field="theme_id")
        return replace(self, topic=required(self.topic, "topic", 200))


def add_table(consultation: Consultation, topic: str, *, facilitator: Stakeholder | None = None,
              theme: Theme | None = None, actor: Any = None) -> ConsultationTable:
    refuse_read_only_plan(consultation)
    data = TableData(topic, facilitator, theme).cleaned(consultation)
    position = (db.session.scalar(select(func.max(ConsultationTable.position)).where(
        ConsultationTable.consultation_id == consultation.id)) or 0) + 1
    table = ConsultationTable(consultation_id=consultation.id, position=position,
                              topic=data.topic,
                              facilitator_id=facilitator.id if facilitator else None,
                              theme_id=theme.id if theme else None)
    db.session.add(table)
    db.session.flush()
    audit("add_table", consultation, actor=actor,
          changes={"topic": {"old": None, "new": table.topic}})
    return table


def update_table(table: ConsultationTable, topic: str, *, facilitator: Stakeholder | None,
                 theme: Theme | None, expected_version: int | None = None,
                 actor: Any = None) -> None:
    consultation = db.session.get(Consultation, table.consultation_id)
    assert consultation is not None
    refuse_read_only_plan(consultation)
    check_version(table, expected_version)
    data = TableData(topic, facilitator, theme).cleaned(consultation)
    before = (table.topic, table.facilitator_id, table.theme_id)
    table.topic = data.topic
    table.facilitator_id = facilitator.id if facilitator else None
    table.theme_id = theme.id if theme else None
    after = (table.topic, table.facilitator_id, table.theme_id)
    if before == after:
        return
    db.session.flush()
    changes = {name: {"old": old, "new": new} for name, old, new
               in zip(("topic", "facilitator", "theme"), before, after, strict=True)
               if old != new}
    audit("update_table", consultation, actor=actor, changes=changes)


def remove_table(table: ConsultationTable, *, actor: Any = None) -> None:
    """Remove a table nothing was recorded at; input from a table keeps it."""
    refuse_read_only_plan(consultation_id=table.consultation_id)
    used = db.session.scalar(select(Input.id).where(Input.table_id == table.id).limit(1))
    if used is not None:
        raise DomainError(_l("Input was recorded at this table, so it stays. Change its "
                             "topic instead."), field="table")
    audit("remove_table", ("consultations", table.consultation_id), actor=actor,
          changes={"topic": {"old": table.topic, "new": None}})
    for seated in db.session.scalars(select(Registration).where(
            Registration.table_id == table.id)):
        seated.table_id = None  # the attendees stay, without a table
    db.session.flush()
    db.session.delete(table)
    db.session.flush()


# --- registrations --------------------------------------------------------------------------

def register_participant(consultation: Consultation, stakeholder: Stakeholder, *,
                         attended: bool = False, actor: Any = None) -> Registration:
    refuse_read_only_plan(consultation)
    existing = db.session.scalar(select(Registration).where(
        Registration.consultation_id == consultation.id,
        Registration.stakeholder_id == stakeholder.id))
    if existing is None:
        existing = Registration(consultation_id=consultation.id,
                                stakeholder_id=stakeholder.id, attended=attended)
        db.session.add(existing)
    else:
        existing.attended = attended
    db.session.flush()
    audit("register", consultation, actor=actor, changes={
        "stakeholder": {"old": None, "new": stakeholder.id},
        "attended": {"old": None, "new": attended}})
    return existing


def register_participants(consultation: Consultation, stakeholders: Iterable[Stakeholder], *,
                          attended: bool = False, seats: Mapping[int, int] | None = None,
                          actor: Any = None) -> tuple[list[Registration], int]:
    """Register many at once (a search's choice, a category's members, a sign-in list): the
    new ones with ``attended`` and, from ``seats`` (stakeholder id -> table id, one of this
    meeting's tables), the table they sat at, each audited; anyone already registered is left
    as they are and counted. An erased person is refused — nothing is registered then.
    Returns (new, skipped)."""
    refuse_read_only_plan(consultation)
    chosen = list({stakeholder.id: stakeholder for stakeholder in stakeholders}.values())
    if any(stakeholder.is_erased for stakeholder in chosen):
        raise DomainError(_l("An erased person cannot be registered."), field="stakeholder_id")
    seated = dict(seats or {})
    _refuse_other_tables(consultation, seated.values())
    registered = set(db.session.scalars(select(Registration.stakeholder_id).where(
        Registration.consultation_id == consultation.id,
        Registration.stakeholder_id.in_([stakeholder.id for stakeholder in chosen]))))
    new = [Registration(consultation_id=consultation.id, stakeholder_id=stakeholder.id,
                        attended=attended, table_id=seated.get(stakeholder.id))
           for stakeholder in chosen if stakeholder.id not in registered]
    db.session.add_all(new)
    with conflict_on_race(consultation):  # registered by someone else at the same moment
        db.session.flush()
    for registration in new:
        seat = {"table": {"old": None, "new": registration.table_id}} \
            if registration.table_id is not None else {}
        audit("register", consultation, actor=actor, changes={
            "stakeholder": {"old": None, "new": registration.stakeholder_id},
            "attended": {"old": None, "new": attended}, **seat})
    return new, len(chosen) - len(new)


def _refuse_other_tables(consultation: Consultation, table_ids: Iterable[int | None]) -> None:
    """Refuse a table of another meeting (one query, none when no table is given)."""
    wanted = {table_id for table_id in table_ids if table_id is not None}
    if not wanted:
        return
    own_tables = set(db.session.scalars(select(ConsultationTable.id).where(
        ConsultationTable.consultation_id == consultation.id)))
    if wanted - own_tables:
        raise DomainError(_l("Choose one of this meeting's tables."), field="table")


def set_attendance(consultation: Consultation, attended_ids: Iterable[int], *,
                   expected_versions: Mapping[int, int] | None = None,
                   tables: Mapping[int, int | None] | None = None,
                   actor: Any = None) -> int:
    """Mark who came: the registrations in ``attended_ids`` attended, the others did not.
    With ``expected_versions`` (registration id -> version, as the form showed them) only
    those registrations are set — one registered since is left alone — and one changed since
    is an :class:`~app.errors.EditConflict`. ``tables`` (registration id -> table id or None)
    gives attendees the meeting's table they sat at. Returns how many changed."""
    refuse_read_only_plan(consultation)
    present = set(attended_ids)
    seated = dict(tables or {})
    _refuse_other_tables(consultation, seated.values())
    changed = []
    query = select(Registration).where(Registration.consultation_id == consultation.id)
    if expected_versions is not None:
        query = query.where(Registration.id.in_(list(expected_versions)))
    registrations = list(db.session.scalars(query.order_by(Registration.id)))
    if expected_versions is not None:
        check_versions(registrations, expected_versions)
    moved = []
    for registration in registrations:
        now = registration.id in present
        if registration.attended != now:
            registration.attended = now
            changed.append((registration.stakeholder_id, now))
        if registration.id in seated and registration.table_id != seated[registration.id]:
            registration.table_id = seated[registration.id]
            moved.append(registration.stakeholder_id)
    if changed or moved:
        db.session.flush()
        seats = {"table": {"old": None, "new": sorted(moved)}} if moved else {}
        audit("attendance", consultation, actor=actor, changes={
            "attended": {"old": None,
                         "new": sum(1 for _stakeholder, now in changed if now)},
            "stakeholder": {"old": None, "new": sorted(sid for sid, _now in changed)},
            **seats})
    return len({sid for sid, _now in changed} | set(moved))


def remove_registration(registration: Registration, *, actor: Any = None) -> None:
    refuse_read_only_plan(consultation_id=registration.consultation_id)
    audit("unregister", ("consultations", registration.consultation_id), actor=actor,
          changes={"stakeholder": {"old": registration.stakeholder_id, "new": None}})
    db.session.delete(registration)
    db.session.flush()
