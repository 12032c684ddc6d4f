"""Rules of consultations: meetings and the ter-inzage period (its last day computed the way
the Awb and the Algemene termijnenwet say), tables and registrations, input with its
participant group and lateness, and answers that cover one or several inputs.

Every change is audited; residents' texts are recorded as changed, never by value.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import audit
from app.consultations import periods
from app.consultations.models import (
    TER_INZAGE,
    Answer,
    Consultation,
    ConsultationTable,
    CoSignatory,
    Input,
    InputAnswer,
    InputTheme,
    Registration,
)
from app.consultations.notice import generate_notice
from app.database import db
from app.errors import DomainError
from app.labels import register as register_label
from app.plans.models import Plan, Section, Theme
from app.plans.services import EditConflict
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder


@dataclass(frozen=True)
class ConsultationFormat:
    """A kind of consultation. ``comment_period`` formats have a publication date and a
    computed last day instead of a start and an end."""

    code: str
    label: Any
    comment_period: bool = False


@dataclass(frozen=True)
class InputKind:
    """A kind of input. ``needs_answer``: every one gets an answer of its own (a zienswijze);
    otherwise input is processed (grouped, marked used or not)."""

    code: str
    label: Any
    needs_answer: bool = False


CORE_FORMATS: tuple[ConsultationFormat, ...] = (
    ConsultationFormat("werkconferentie", _l("Work conference (werkconferentie)")),
    ConsultationFormat("bijeenkomst", _l("Meeting (bijeenkomst)")),
    ConsultationFormat("gesprekstafel", _l("Conversation table (gesprekstafel)")),
    ConsultationFormat("ontbijtsessie", _l("Breakfast session (ontbijtsessie)")),
    ConsultationFormat("inspraakbijeenkomst", _l("Public hearing (inspraakbijeenkomst)")),
    ConsultationFormat("online", _l("Online consultation")),
    ConsultationFormat(TER_INZAGE, _l("Open for inspection (ter inzage)"), comment_period=True),
)
CORE_KINDS: tuple[InputKind, ...] = (
    InputKind("idee", _l("Idea")),
    InputKind("zorg", _l("Concern")),
    InputKind("advies", _l("Advice")),
    InputKind("zienswijze", _l("Formal view (zienswijze)"), needs_answer=True),
    InputKind("vraag", _l("Question"), needs_answer=True),
)
GROUPS: dict[str, Any] = {
    "inwoner": _l("Resident"), "partner": _l("Partner organisation"),
    "adviesraad": _l("Advisory council"), "bestuur": _l("Council or college"),
    "medewerker": _l("Municipal staff"), "onbekend": _l("Unknown"),
}
CHANNELS: dict[str, Any] = {
    "mondeling": _l("Orally"), "brief": _l("Letter"), "e-mail": _l("E-mail"),
    "webformulier": _l("Web form"),
}
ANNOUNCEMENTS: dict[str, Any] = {
    "website": _l("Website"), "gemeentepagina": _l("Municipal page in the local paper"),
    "lokale_media": _l("Local media"), "social_media": _l("Social media"),
    "e-mail": _l("E-mail"),
}
DECISIONS: dict[str, Any] = {
    "overgenomen": lazy_pgettext("decision", "Adopted"), "deels_overgenomen": _l("Partly adopted"),
    "niet_overgenomen": _l("Not adopted"), "al_voorzien": _l("Already provided for"),
    "buiten_reikwijdte": _l("Outside the scope"),
}
#: A decision that changes the plan names the section it changed.
CHANGES_PLAN = ("overgenomen", "deels_overgenomen")

for _code, _label in {
    "add_table": _l("added a table"), "register": _l("registered a participant"),
    "add_input": _l("recorded input"), "answer": _l("answered input"),
    "process": _l("processed input"),
}.items():
    register_label("action", _code, _label)
register_label("entity", "consultations", _l("Consultation"))
register_label("entity", "consultation_inputs", _l("Input"))
for _code, _label in {"format": _l("Kind of consultation"), "last_day": _l("Last day"),
                      "plan": _l("Plan"), "original_text": _l("Original text"),
                      "late": _l("Late"), "inputs": _l("Inputs"), "decision": _l("Decision"),
                      "attended": _l("Attended"), "used": _l("Used"), "topic": _l("Topic")
                      }.items():
    register_label("field", _code, _label)


def _collected(hook: str) -> dict[str, Any]:
    """Codes from the core and the enabled plugins; the earlier (first plugin) wins."""
    found: dict[str, Any] = {}
    for _plugin, result in reversed(current_app.extensions["koers_plugins"].call_each(hook)):
        for item in result or []:
            found[item.code] = item
    return found


def formats() -> dict[str, ConsultationFormat]:
    return _collected("consultation_formats")


def input_kinds() -> dict[str, InputKind]:
    return _collected("input_kinds")


def _text(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    return value[:limit] or None


def _required(value: str | None, field_name: str, limit: int) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise DomainError(str(_l("Enter a title.")), field=field_name)
    return text[:limit]


# --- consultations --------------------------------------------------------------------------

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


def create_consultation(plan: Plan, data: ConsultationData, *, actor: Any = None
                        ) -> Consultation:
    """A meeting, or a ter-inzage period whose last day is computed from the municipality's
    settings (weeks, Algemene termijnenwet, decreed days) and stored with how."""
    known = formats()
    chosen = known.get(data.format)
    if chosen is None:
        raise DomainError(str(_l("Choose a kind of consultation.")), field="format")
    title = _required(data.title, "title", 200)
    unknown = sorted(set(data.channels) - set(ANNOUNCEMENTS))
    if unknown:
        raise DomainError(str(_l("Unknown channel: %(codes)s.", codes=", ".join(unknown))),
                          field="channels")
    if data.starts_at and data.ends_at and data.ends_at < data.starts_at:
        raise DomainError(str(_l("The meeting ends before it starts.")), field="ends_at")
    if data.organiser_id is not None:
        organiser = db.session.get(Stakeholder, data.organiser_id)
        if organiser is None or organiser.is_erased or organiser.archived:
            raise DomainError(str(_l("Choose an organiser from the register.")),
                              field="organiser_id")
    consultation = Consultation(
        plan_id=plan.id, format=chosen.code, title=title,
        description=_text(data.description, 10_000), starts_at=data.starts_at,
        ends_at=data.ends_at, location=_text(data.location, 300),
        organiser_id=data.organiser_id, channels=sorted(set(data.channels)),
        legal_basis=_text(data.legal_basis, 300))
    if chosen.comment_period:
        if data.published_on is None:
            raise DomainError(str(_l("Enter the date the draft is laid open.")),
                              field="published_on")
        _set_period(consultation, data.published_on)
        consultation.notice = generate_notice(consultation)
    db.session.add(consultation)
    db.session.flush()
    audit("create", consultation, actor=actor, changes={
        "plan": {"old": None, "new": plan.id}, "format": {"old": None, "new": chosen.code},
        "title": {"old": None, "new": title},
        **({"last_day": {"old": None, "new": consultation.last_day}}
           if consultation.last_day else {})})
    return consultation


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


def add_table(consultation: Consultation, topic: str, *, facilitator: Stakeholder | None = None,
              theme: Theme | None = None, actor: Any = None) -> ConsultationTable:
    if theme is not None and theme.plan_id != consultation.plan_id:
        raise DomainError(str(_l("Choose a theme of this plan.")), field="theme_id")
    position = (db.session.scalar(select(func.max(ConsultationTable.position)).where(
        ConsultationTable.consultation_id == consultation.id)) or 0) + 1
    table = ConsultationTable(consultation_id=consultation.id, position=position,
                              topic=_required(topic, "topic", 200),
                              facilitator_id=facilitator.id if facilitator else None,
                              theme_id=theme.id if theme else None)
    db.session.add(table)
    db.session.flush()
    audit("add_table", consultation, actor=actor,
          changes={"topic": {"old": None, "new": table.topic}})
    return table


def register_participant(consultation: Consultation, stakeholder: Stakeholder, *,
                         attended: bool = False, actor: Any = None) -> Registration:
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


# --- input ----------------------------------------------------------------------------------

@dataclass
class InputData:
    original_text: str
    kind: str
    channel: str = "mondeling"
    stakeholder_id: int | None = None
    participant_group: str | None = None  # None: from the stakeholder's category
    summary: str | None = None
    table_id: int | None = None
    received_on: date | None = None
    postmarked_on: date | None = None
    theme_ids: list[int] = field(default_factory=list)
    co_signatory_ids: list[int] = field(default_factory=list)


def default_group(stakeholder: Stakeholder | None) -> str:
    """The participant group a stakeholder's input defaults to: that of its first category
    that names one (categories carry their group), else onbekend."""
    if stakeholder is None or stakeholder.is_erased:
        return "onbekend"
    known = register.categories()
    for code in stakeholder.category_codes:
        category = known.get(code)
        if category is not None and category.group in GROUPS and category.group != "onbekend":
            return category.group
    return "onbekend"


def add_input(consultation: Consultation, data: InputData, *, actor: Any = None) -> Input:
    """Record input; a reaction to a ter-inzage period gets its lateness computed (it is kept
    and flagged when late, never refused)."""
    return add_inputs(consultation, [data], actor=actor)[0]


def add_inputs(consultation: Consultation, items: Sequence[InputData], *,
               actor: Any = None) -> list[Input]:
    """Many inputs at once — a table's post-its after a meeting — all or none."""
    kinds = input_kinds()
    stakeholder_ids = {item.stakeholder_id for item in items if item.stakeholder_id} | {
        sid for item in items for sid in item.co_signatory_ids}
    people = {s.id: s for s in db.session.scalars(select(Stakeholder).where(
        Stakeholder.id.in_(stakeholder_ids)))} if stakeholder_ids else {}
    themes = {t.id for t in db.session.scalars(select(Theme).where(
        Theme.plan_id == consultation.plan_id))}
    tables = {t.id for t in db.session.scalars(select(ConsultationTable).where(
        ConsultationTable.consultation_id == consultation.id))}
    number = db.session.scalar(select(func.max(Input.number)).where(
        Input.consultation_id == consultation.id)) or 0
    created = []
    for item in items:
        text = (item.original_text or "").strip()
        if not text:
            raise DomainError(str(_l("Enter the text of the input.")), field="original_text")
        if item.kind not in kinds:
            raise DomainError(str(_l("Choose a kind of input.")), field="kind")
        if item.channel not in CHANNELS:
            raise DomainError(str(_l("Choose a channel.")), field="channel")
        if item.participant_group is not None and item.participant_group not in GROUPS:
            raise DomainError(str(_l("Choose a participant group.")), field="participant_group")
        if item.table_id is not None and item.table_id not in tables:
            raise DomainError(str(_l("Choose a table of this meeting.")), field="table_id")
        if set(item.theme_ids) - themes:
            raise DomainError(str(_l("Choose a theme of this plan.")), field="theme_ids")
        if item.postmarked_on and item.received_on and item.postmarked_on > item.received_on:
            raise DomainError(str(_l("The postmark date lies after the received date.")),
                              field="postmarked_on")
        stakeholder = people.get(item.stakeholder_id) if item.stakeholder_id else None
        if item.stakeholder_id and (stakeholder is None or stakeholder.is_erased):
            raise DomainError(str(_l("Choose a stakeholder from the register.")),
                              field="stakeholder_id")
        late = False
        if consultation.is_comment_period:
            if item.received_on is None:
                raise DomainError(str(_l("Enter the date the reaction was received.")),
                                  field="received_on")
            late = not periods.is_on_time(consultation.last_day,  # type: ignore[arg-type]
                                          item.received_on, item.postmarked_on)
        number += 1
        record = Input(consultation_id=consultation.id, table_id=item.table_id, number=number,
                       stakeholder_id=item.stakeholder_id,
                       participant_group=item.participant_group or default_group(stakeholder),
                       kind=item.kind, channel=item.channel, original_text=text,
                       summary=_text(item.summary, 5000), received_on=item.received_on,
                       postmarked_on=item.postmarked_on, late=late)
        db.session.add(record)
        created.append((record, item))
    db.session.flush()
    for record, item in created:
        db.session.add_all(InputTheme(input_id=record.id, theme_id=theme_id)
                           for theme_id in sorted(set(item.theme_ids)))
        db.session.add_all(CoSignatory(input_id=record.id, stakeholder_id=sid)
                           for sid in sorted(set(item.co_signatory_ids)
                                             - {item.stakeholder_id}))
        audit("add_input", record, actor=actor, changes={
            "original_text": {}, **({"summary": {}} if record.summary else {}),
            "kind": {"old": None, "new": record.kind}, "late": {"old": None, "new": late}})
    db.session.flush()
    return [record for record, _item in created]


# --- answers and processing -----------------------------------------------------------------

def check_versions(records: Iterable[Any], expected: Mapping[int, int]) -> None:
    """Refuse records of a multi-record form (attendance, answering) whose version is not the
    one the form showed; a record the form did not show has no expected version."""
    for record in records:
        if expected.get(record.id) != record.version:
            raise EditConflict(record)


@contextmanager
def conflict_on_race(record: Any) -> Iterator[None]:
    """A concurrent save found at flush — a version that moved (StaleDataError) or a row that
    now exists (IntegrityError) — is the same conflict as a stale form."""
    try:
        yield
    except (IntegrityError, StaleDataError) as error:
        raise EditConflict(record) from error


def answer(inputs: Sequence[Input], text: str, decision: str, *,
           changed_section: Section | None = None,
           expected_versions: Mapping[int, int] | None = None, actor: Any = None) -> Answer:
    """One answer for the selected inputs of one consultation; an input answered before gets
    the new answer instead — unless ``expected_versions`` (input id -> version, as the form
    showed them) is given: then an input changed or answered since is an
    :class:`~app.plans.services.EditConflict` and nothing is recorded."""
    if not inputs:
        raise DomainError(str(_l("Choose the inputs this answer is for.")), field="inputs")
    consultation_ids = {item.consultation_id for item in inputs}
    if len(consultation_ids) != 1:
        raise DomainError(str(_l("An answer covers inputs of one consultation.")),
                          field="inputs")
    body = (text or "").strip()
    if not body:
        raise DomainError(str(_l("Enter the answer.")), field="text")
    if decision not in DECISIONS:
        raise DomainError(str(_l("Choose a decision.")), field="decision")
    consultation = db.session.get(Consultation, consultation_ids.pop())
    if changed_section is not None and changed_section.plan_id != consultation.plan_id:
        raise DomainError(str(_l("Choose a section of this plan.")), field="changed_section_id")
    if expected_versions is not None:
        check_versions(inputs, expected_versions)
    ids = [item.id for item in inputs]
    with conflict_on_race(inputs[0]):
        # The inputs' new version is written first: its UPDATE ... WHERE version = the one
        # read holds the rows (PostgreSQL) or the database (SQLite) for this transaction, so
        # the check for an answer below cannot race with someone answering the same input.
        for item in inputs:
            item.processed = True
            item.used = decision in CHANGES_PLAN
            flag_modified(item, "processed")
        db.session.flush()
        if expected_versions is not None:
            answered = db.session.scalar(select(InputAnswer.input_id).where(
                InputAnswer.input_id.in_(ids)).limit(1))
            if answered is not None:
                raise EditConflict(next(item for item in inputs if item.id == answered))
        record = Answer(consultation_id=consultation.id, text=body, decision=decision,
                        changed_section_id=changed_section.id if changed_section else None,
                        answered_by_id=getattr(actor, "id", None))
        db.session.add(record)
        db.session.flush()
        db.session.execute(InputAnswer.__table__.delete().where(InputAnswer.input_id.in_(ids)))
        db.session.add_all(InputAnswer(input_id=input_id, answer_id=record.id)
                           for input_id in ids)
        db.session.flush()
    audit("answer", consultation, actor=actor, changes={
        "inputs": {"old": None, "new": sorted(item.number for item in inputs)},
        "decision": {"old": None, "new": decision},
        **({"section": {"old": None, "new": changed_section.id}} if changed_section else {})})
    return record


def mark_processed(inputs: Sequence[Input], used: bool, *,
                   expected_versions: Mapping[int, int] | None = None,
                   actor: Any = None) -> None:
    """Meeting input is processed rather than answered one by one: used or not. With
    ``expected_versions`` (as the list showed them) an input changed since is an
    :class:`~app.plans.services.EditConflict` and nothing is recorded."""
    if expected_versions is not None:
        check_versions(inputs, expected_versions)
    for item in inputs:
        item.processed, item.used = True, used
    with conflict_on_race(inputs[0] if inputs else None):
        db.session.flush()
    if inputs:
        audit("process", ("consultations", inputs[0].consultation_id), actor=actor, changes={
            "inputs": {"old": None, "new": sorted(item.number for item in inputs)},
            "used": {"old": None, "new": used}})


def open_inputs(consultation: Consultation) -> list[Input]:
    """What still needs work: inputs that need an answer and have none, and other input that
    has not been processed."""
    kinds = input_kinds()
    needing = [code for code, kind in kinds.items() if kind.needs_answer]
    answered = select(InputAnswer.input_id)
    return list(db.session.scalars(select(Input).where(
        Input.consultation_id == consultation.id,
        ((Input.kind.in_(needing)) & Input.id.not_in(answered))
        | ((Input.kind.not_in(needing)) & Input.processed.is_(False)))
        .order_by(Input.number)))


def answer_of(inputs: Sequence[Input]) -> dict[int, Answer]:
    ids = [item.id for item in inputs]
    if not ids:
        return {}
    return {input_id: found for input_id, found in db.session.execute(
        select(InputAnswer.input_id, Answer).join(Answer, Answer.id == InputAnswer.answer_id)
        .where(InputAnswer.input_id.in_(ids)))}


# --- coverage -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    """Who was heard on what: per theme of a plan (None: input without a theme) the number of
    inputs per participant group, and per consultation how much is still open."""

    by_theme: dict[int | None, dict[str, int]]
    open_by_consultation: dict[int, int]
    total_by_consultation: dict[int, int]


def coverage(plan: Plan) -> Coverage:
    """Four grouped queries, whatever the number of inputs."""
    by_theme: dict[int | None, dict[str, int]] = {}
    in_plan = select(Consultation.id).where(Consultation.plan_id == plan.id)
    for theme_id, group, count in db.session.execute(
            select(InputTheme.theme_id, Input.participant_group, func.count())
            .join(Input, Input.id == InputTheme.input_id)
            .where(Input.consultation_id.in_(in_plan))
            .group_by(InputTheme.theme_id, Input.participant_group)):
        by_theme.setdefault(theme_id, {})[group] = count
    for group, count in db.session.execute(
            select(Input.participant_group, func.count())
            .where(Input.consultation_id.in_(in_plan),
                   Input.id.not_in(select(InputTheme.input_id)))
            .group_by(Input.participant_group)):
        by_theme.setdefault(None, {})[group] = count
    needing = [code for code, kind in input_kinds().items() if kind.needs_answer]
    answered = select(InputAnswer.input_id)
    open_count = dict(db.session.execute(
        select(Input.consultation_id, func.count())
        .where(Input.consultation_id.in_(in_plan),
               ((Input.kind.in_(needing)) & Input.id.not_in(answered))
               | ((Input.kind.not_in(needing)) & Input.processed.is_(False)))
        .group_by(Input.consultation_id)).all())
    totals = dict(db.session.execute(
        select(Input.consultation_id, func.count())
        .where(Input.consultation_id.in_(in_plan)).group_by(Input.consultation_id)).all())
    return Coverage(by_theme, open_count, totals)

