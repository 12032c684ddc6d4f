"""What a meeting's report (verslag) says: when and where it was held, who came —
organisations by name, private persons only counted — and per table (its topic, theme and
facilitator) the input grouped by kind, each with what was done with it: taken into a
section, an action or a theme's goals, answered, used, not used (with the reason) or not yet
processed; and per table a count of those outcomes.

Private persons are never named: not as attendee, not as the giver of a post-it, not as a
table's facilitator. The same content feeds the HTML page, the PDF and DOCX downloads and the
attendees' feedback letters (:mod:`app.consultations.feedback.meeting`). Collecting it costs a
fixed number of queries, whatever the number of tables, post-its and attendees.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.consultations.inputs.answers import DECISIONS
from app.consultations.inputs.models import Answer, Input, InputAnswer
from app.consultations.inputs.services import input_kinds
from app.consultations.inputs.tracing import ACTION, GOALS, SECTION
from app.consultations.models import Consultation, ConsultationTable, Registration
from app.consultations.nota.content import Branding, branding
from app.database import db
from app.plans.models import Action, Plan, Section, Theme
from app.stakeholders.models import Kind, Stakeholder
from app.terms import term
from app.translate import gettext as _
from app.translate import pgettext

#: An input's outcome, in the order the counts show them.
TAKEN, ANSWERED, USED, NOT_USED, OPEN = "taken", "answered", "used", "not_used", "open"
OUTCOMES = (TAKEN, ANSWERED, USED, NOT_USED, OPEN)


@dataclass(frozen=True)
class Item:
    """One post-it or other input as the report shows it. ``who`` is an organisation's name,
    or None (a private person or anonymous: never named)."""

    input_id: int
    number: int
    kind: str  # the kind's code (the report groups by it)
    text: str
    who: str | None
    outcome: str  # one of OUTCOMES
    done: str  # what was done with it, in words


@dataclass(frozen=True)
class KindGroup:
    label: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class TableReport:
    """A table's part of the report; ``table_id`` None holds input given at no table."""

    table_id: int | None
    topic: str
    theme: str | None
    facilitator: str | None  # an organisation's name; a person is never named
    kinds: tuple[KindGroup, ...]
    counts: tuple[tuple[str, int], ...]  # (outcome label, count), outcomes present only
    total: int

    @property
    def items(self) -> list[Item]:
        return [item for group in self.kinds for item in group.items]


@dataclass(frozen=True)
class MeetingReport:
    branding: Branding
    plan_title: str
    consultation_title: str
    held_on: date | None
    place: str | None
    attendees: int
    organisations: tuple[str, ...]  # attending organisations, by name
    private_attendees: int  # persons: only counted
    tables: tuple[TableReport, ...]
    counts: tuple[tuple[str, int], ...]  # the whole meeting's outcomes
    total: int
    generated_on: date
    labels: dict[str, str] = field(default_factory=dict)


def labels() -> dict[str, str]:
    """The words every format uses, translated once (in the current locale)."""
    return {
        "title": _("Meeting report"), "date": _("Date"), "place": _("Place"),
        "attendees": _("Attendees"), "organisations": _("Organisations present"),
        "table": pgettext("meeting", "Table"), "theme": term("theme"),
        "facilitator": _("Facilitator"),
        "input": _("Input"), "done": _("What was done with it"), "summary": _("Summary"),
        "count": _("Number of inputs"), "total": _("Total"), "page": _("Page"),
        "generated": _("Generated on"), "no_input": _("No input was recorded at this table."),
        "no_table": _("Not at a table"), "outcomes": _("Outcome"),
    }


def outcome_labels() -> dict[str, str]:
    return {TAKEN: _("Taken into the plan"), ANSWERED: _("Answered"), USED: _("Used"),
            NOT_USED: _("Not used"), OPEN: _("Not yet processed")}


def attendance_line(report: MeetingReport) -> str:
    """'12, of whom 4 organisations and 8 private persons (…)'."""
    return _("%(count)d, of whom %(organisations)d organisations and %(persons)d private "
             "persons (private persons are not named)", count=report.attendees,
             organisations=len(report.organisations), persons=report.private_attendees)


def _named(kind: str | None, name: str | None, erased: datetime | None) -> str | None:
    """An organisation's name; private persons (and erased ones) are never named."""
    return name if kind == Kind.ORGANISATION.value and erased is None and name else None


def collect(consultation: Consultation, plan: Plan, *, today: date | None = None,
            house_style: Branding | None = None) -> MeetingReport:
    """The report's content in the current locale — three queries at any size."""
    words = labels()
    tables = _tables(consultation)
    items = _items(consultation)
    organisations, persons = _attendees(consultation)
    kinds = {code: str(kind.label) for code, kind in input_kinds().items()}
    reports = [_table_report(table_id, topic, theme, facilitator, items.get(table_id, []),
                             kinds)
               for table_id, topic, theme, facilitator in tables]
    if items.get(None):
        reports.append(_table_report(None, words["no_table"], None, None, items[None],
                                     kinds))
    counts: Counter[str] = Counter()
    for rows in items.values():
        counts.update(item.outcome for item in rows)
    zone = ZoneInfo(current_app.config["KOERS_MUNICIPALITY"].timezone)
    return MeetingReport(
        branding=house_style or branding(), plan_title=plan.title,
        consultation_title=consultation.title,
        held_on=consultation.starts_at.astimezone(zone).date() if consultation.starts_at
        else None, place=consultation.location, attendees=len(organisations) + persons,
        organisations=tuple(organisations), private_attendees=persons, tables=tuple(reports),
        counts=_counted(counts), total=sum(counts.values()),
        generated_on=today or date.today(), labels=words)


def _counted(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    names = outcome_labels()
    return tuple((names[code], counts[code]) for code in OUTCOMES if counts[code])


def _tables(consultation: Consultation) -> list[tuple[int, str, str | None, str | None]]:
    """(id, topic, theme, facilitator if an organisation) per table, in order (one query)."""
    facilitator = aliased(Stakeholder)
    return [(table_id, topic, theme, _named(kind, name, erased))
            for table_id, topic, theme, kind, name, erased in db.session.execute(
                select(ConsultationTable.id, ConsultationTable.topic, Theme.name,
                       facilitator.kind, facilitator.name, facilitator.anonymised_at)
                .outerjoin(Theme, Theme.id == ConsultationTable.theme_id)
                .outerjoin(facilitator, facilitator.id == ConsultationTable.facilitator_id)
                .where(ConsultationTable.consultation_id == consultation.id)
                .order_by(ConsultationTable.position, ConsultationTable.id))]


def _attendees(consultation: Consultation) -> tuple[list[str], int]:
    """The attending organisations' names, and how many private persons came (one query)."""
    organisations, persons = [], 0
    for kind, name, erased in db.session.execute(
            select(Stakeholder.kind, Stakeholder.name, Stakeholder.anonymised_at)
            .join(Registration, Registration.stakeholder_id == Stakeholder.id)
            .where(Registration.consultation_id == consultation.id,
                   Registration.attended.is_(True))
            .order_by(Stakeholder.sort_name, Stakeholder.id)):
        named = _named(kind, name, erased)
        if named:
            organisations.append(named)
        else:
            persons += 1
    return organisations, persons


def _items(consultation: Consultation) -> dict[int | None, list[Item]]:
    """Every input of the meeting with what was done with it, per table (one query; the
    targets' titles joined in)."""
    changed, used_section = aliased(Section), aliased(Section)
    rows = db.session.execute(
        select(Input.id, Input.number, Input.table_id, Input.kind, Input.summary,
               Input.original_text, Input.processed, Input.used, Input.used_in,
               Input.not_used_reason, Stakeholder.kind, Stakeholder.name,
               Stakeholder.anonymised_at, Answer.decision, changed.title,
               used_section.title, Action.title, Theme.name)
        .outerjoin(Stakeholder, Stakeholder.id == Input.stakeholder_id)
        .outerjoin(InputAnswer, InputAnswer.input_id == Input.id)
        .outerjoin(Answer, Answer.id == InputAnswer.answer_id)
        .outerjoin(changed, changed.id == Answer.changed_section_id)
        .outerjoin(used_section, used_section.id == Input.used_section_id)
        .outerjoin(Action, Action.id == Input.used_action_id)
        .outerjoin(Theme, Theme.id == Input.used_theme_id)
        .where(Input.consultation_id == consultation.id)
        .order_by(Input.number))
    found: dict[int | None, list[Item]] = {}
    for (input_id, number, table_id, kind, summary, original, processed, used, used_in,
         reason, who_kind, who_name, erased, decision, changed_title, section, action,
         theme) in rows:
        outcome, done = _outcome(processed, used, used_in, reason, decision, changed_title,
                                 {SECTION: section, ACTION: action, GOALS: theme})
        found.setdefault(table_id, []).append(Item(
            input_id=input_id, number=number, kind=kind, text=summary or original,
            who=_named(who_kind, who_name, erased), outcome=outcome, done=done))
    return found


def _outcome(processed: bool, used: bool | None, used_in: str | None, reason: str | None,
             decision: str | None, changed: str | None,
             targets: dict[str, str | None]) -> tuple[str, str]:
    """The outcome's code and what was done, in words."""
    if decision is not None:
        label = DECISIONS.get(decision, decision)
        if changed:
            return ANSWERED, _("Answered: %(decision)s; changed section “%(section)s”",
                               decision=label, section=changed)
        return ANSWERED, _("Answered: %(decision)s", decision=label)
    if not processed:
        return OPEN, _("Not yet processed")
    if used and used_in in targets and targets[used_in]:
        title = targets[used_in]
        words = {SECTION: _("Taken into section “%(title)s”", title=title),
                 ACTION: _("Taken into action “%(title)s”", title=title),
                 GOALS: _("Taken into the goals of “%(title)s”", title=title)}
        return TAKEN, words[used_in]
    if used:
        return USED, _("Used in the plan")
    if reason:
        return NOT_USED, _("Not used: %(reason)s", reason=reason)
    return NOT_USED, _("Not used")


def _table_report(table_id: int | None, topic: str, theme: str | None,
                  facilitator: str | None, items: list[Item],
                  kinds: dict[str, str]) -> TableReport:
    """A table's input grouped by kind (in the kinds' order), with its outcome counts."""
    by_kind: dict[str, list[Item]] = {}
    for item in items:
        by_kind.setdefault(item.kind, []).append(item)
    order = [*[code for code in kinds if code in by_kind],
             *sorted(set(by_kind) - set(kinds))]
    counts = Counter(item.outcome for item in items)
    return TableReport(
        table_id=table_id, topic=topic, theme=theme, facilitator=facilitator,
        kinds=tuple(KindGroup(kinds.get(code, code), tuple(by_kind[code])) for code in order),
        counts=_counted(counts), total=len(items))
