"""Rules of input: recording it (one at a time, or a table's post-its all or none), changing
it, its participant group, themes and co-signatories, its lateness against a comment period's
last day, the list's filters, and what is still open.

One validation serves creating and changing an input (:meth:`InputData.cleaned`), and
lateness is computed in one place (:func:`is_late`). Residents' texts are recorded in the
audit trail as changed, never by value. Nothing of an archived plan changes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Protocol

from sqlalchemy import (
    Integer,
    Select,
    String,
    case,
    cast,
    delete,
    func,
    literal,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import flag_modified

from app.audit.services import audit, recorded_changes
from app.consultations import periods
from app.consultations.inputs.models import CoSignatory, Input, InputAnswer, InputTheme
from app.consultations.inputs.tracing import traced_counts
from app.consultations.models import Consultation, ConsultationTable
from app.consultations.rules import clean_text, collected, refuse_read_only_plan
from app.database import db
from app.errors import DomainError, check_version
from app.labels import register as register_label
from app.plans.models import Plan, Theme
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder
from app.translate import lazy_gettext as _l


@dataclass(frozen=True)
class InputKind:
    """A kind of input. ``needs_answer``: every one gets an answer of its own (a zienswijze);
    otherwise input is processed (grouped, marked used or not)."""

    code: str
    label: Any
    needs_answer: bool = False


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

register_label("action", "add_input", _l("recorded input"))
register_label("entity", "consultation_inputs", _l("Input"))
for _code, _label in {
    "original_text": _l("Original text"), "late": _l("Late"), "summary": _l("Summary"),
    "participant_group": _l("Participant group"), "channel": _l("Channel"),
    "received_on": _l("Received on"), "postmarked_on": _l("Postmark date"),
    "themes": _l("Themes"), "co_signatories": _l("Co-signatories"),
}.items():
    register_label("field", _code, _label)

#: Columns whose change is bookkeeping, not an edit someone made.
_UNAUDITED = {"version", "created_at"}


def input_kinds() -> dict[str, InputKind]:
    """Kinds of the core and the enabled plugins; the earlier (first plugin) wins."""
    return collected("input_kinds")


def needing_answer() -> list[str]:
    return [code for code, kind in input_kinds().items() if kind.needs_answer]


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


def is_late(consultation: Consultation, received_on: date | None,
            postmarked_on: date | None) -> bool:
    """Whether a reaction came in late: only a comment period has a last day to miss."""
    if not consultation.is_comment_period or consultation.last_day is None \
            or received_on is None:
        return False
    return not periods.is_on_time(consultation.last_day, received_on, postmarked_on)


# --- one validation for creating and changing -----------------------------------------------

@dataclass(frozen=True)
class Known:
    """What the inputs of one consultation may refer to, read once for a whole batch."""

    consultation: Consultation
    kinds: Collection[str]
    themes: Collection[int]
    tables: Collection[int]
    people: dict[int, Stakeholder]

    @classmethod
    def of(cls, consultation: Consultation, stakeholder_ids: set[int]) -> Known:
        people = {s.id: s for s in db.session.scalars(select(Stakeholder).where(
            Stakeholder.id.in_(stakeholder_ids)).options(*register.BARE))} \
            if stakeholder_ids else {}
        return cls(consultation, set(input_kinds()),
                   set(db.session.scalars(select(Theme.id).where(
                       Theme.plan_id == consultation.plan_id))),
                   set(db.session.scalars(select(ConsultationTable.id).where(
                       ConsultationTable.consultation_id == consultation.id))), people)


@dataclass
class InputData:
    """Input as given — by a form, bulk entry, the demo story or a plugin — for recording it
    or for changing it (written as :meth:`of` the recorded input with the changes)."""

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
    #: Where an imported reaction came from (app.consultations.inputs.intake); set once.
    source_ref: str | None = None
    #: Computed by :meth:`cleaned`, never given.
    late: bool = False

    @classmethod
    def of(cls, item: Input, **changes: Any) -> InputData:
        """The input as recorded, with ``changes``: how a change of an input is written."""
        values: dict[str, Any] = {
            "original_text": item.original_text, "kind": item.kind, "channel": item.channel,
            "stakeholder_id": item.stakeholder_id, "table_id": item.table_id,
            "participant_group": item.participant_group, "summary": item.summary,
            "received_on": item.received_on, "postmarked_on": item.postmarked_on,
            "theme_ids": themes_of_input(item), "co_signatory_ids": co_signatories_of(item)}
        return cls(**{**values, **changes})

    def people(self) -> set[int]:
        return ({self.stakeholder_id} if self.stakeholder_id else set()) | set(
            self.co_signatory_ids)

    def cleaned(self, known: Known, current: Input | None = None) -> InputData:
        """The values checked and tidied, with the group filled in and the lateness computed.
        For a change of ``current``, its sender and co-signatories may stay as they are
        (even if erased since); whoever is added must be in the register."""
        text = (self.original_text or "").strip()
        if not text:
            raise DomainError(_l("Enter the text of the input."), field="original_text")
        self._check_codes(known)
        if self.postmarked_on and self.received_on and self.postmarked_on > self.received_on:
            raise DomainError(_l("The postmark date lies after the received date."),
                              field="postmarked_on")
        sender = known.people.get(self.stakeholder_id) if self.stakeholder_id else None
        kept_sender = current is not None and current.stakeholder_id == self.stakeholder_id
        if self.stakeholder_id and not kept_sender and (sender is None or sender.is_erased):
            raise DomainError(_l("Choose a stakeholder from the register."),
                              field="stakeholder_id")
        signatories = sorted(set(self.co_signatory_ids) - {self.stakeholder_id})
        kept = set(co_signatories_of(current)) if current is not None else set()
        if any(known.people.get(sid) is None or known.people[sid].is_erased
               for sid in set(signatories) - kept):
            raise DomainError(_l("Choose co-signatories from the register."),
                              field="co_signatory_ids")
        if known.consultation.is_comment_period and self.received_on is None:
            raise DomainError(_l("Enter the date the reaction was received."),
                              field="received_on")
        return replace(
            self, original_text=text, summary=clean_text(self.summary, 5000),
            participant_group=self.participant_group or default_group(sender),
            theme_ids=sorted(set(self.theme_ids)), co_signatory_ids=signatories,
            late=is_late(known.consultation, self.received_on, self.postmarked_on))

    def _check_codes(self, known: Known) -> None:
        """The kind, channel, group, table and themes are among the known ones."""
        if self.kind not in known.kinds:
            raise DomainError(_l("Choose a kind of input."), field="kind")
        if self.channel not in CHANNELS:
            raise DomainError(_l("Choose a channel."), field="channel")
        if self.participant_group is not None and self.participant_group not in GROUPS:
            raise DomainError(_l("Choose a participant group."), field="participant_group")
        if self.table_id is not None and self.table_id not in known.tables:
            raise DomainError(_l("Choose a table of this meeting."), field="table_id")
        if set(self.theme_ids) - set(known.themes):
            raise DomainError(_l("Choose a theme of this plan."), field="theme_ids")


# --- recording and changing -----------------------------------------------------------------

def add_input(consultation: Consultation, data: InputData, *, actor: Any = None) -> Input:
    """Record input; a reaction to a ter-inzage period gets its lateness computed (it is kept
    and flagged when late, never refused)."""
    return add_inputs(consultation, [data], actor=actor)[0]


def add_inputs(consultation: Consultation, items: Sequence[InputData], *,
               actor: Any = None) -> list[Input]:
    """Many inputs at once — a table's post-its after a meeting — all or none."""
    refuse_read_only_plan(consultation)
    known = Known.of(consultation, set().union(*(item.people() for item in items)))
    cleaned = [item.cleaned(known) for item in items]
    last = db.session.scalar(select(func.max(Input.number)).where(
        Input.consultation_id == consultation.id)) or 0
    created = []
    for number, data in enumerate(cleaned, start=last + 1):
        record = Input(consultation_id=consultation.id, number=number,
                       source_ref=data.source_ref)
        _apply(record, data)
        db.session.add(record)
        created.append((record, data))
    db.session.flush()
    for record, data in created:
        _link(record, data.theme_ids, data.co_signatory_ids)
        audit("add_input", record, actor=actor, changes={
            "original_text": {}, **({"summary": {}} if record.summary else {}),
            "kind": {"old": None, "new": record.kind},
            "late": {"old": None, "new": data.late}})
    db.session.flush()
    return [record for record, _data in created]


def _apply(record: Input, data: InputData) -> None:
    """Copy cleaned values onto the input (its links are written by :func:`_link`)."""
    record.table_id = data.table_id
    record.stakeholder_id = data.stakeholder_id
    record.participant_group = data.participant_group  # type: ignore[assignment]
    record.kind = data.kind
    record.channel = data.channel
    record.original_text = data.original_text
    record.summary = data.summary
    record.received_on = data.received_on
    record.postmarked_on = data.postmarked_on
    record.late = data.late


def _link(record: Input, theme_ids: list[int], signatory_ids: list[int]) -> None:
    db.session.add_all(InputTheme(input_id=record.id, theme_id=theme_id)
                       for theme_id in theme_ids)
    db.session.add_all(CoSignatory(input_id=record.id, stakeholder_id=sid)
                       for sid in signatory_ids)


def update_input(item: Input, data: InputData, *, expected_version: int | None = None,
                 actor: Any = None) -> None:
    """Change an input's kind, group, summary, dates, themes and co-signatories (its sender,
    channel, table and original text stay); a reaction to a comment period gets its lateness
    computed again from the dates. Write ``data`` as ``InputData.of(item, kind=…)``."""
    consultation = db.session.get(Consultation, item.consultation_id)
    assert consultation is not None
    refuse_read_only_plan(consultation)
    check_version(item, expected_version)
    data = replace(data, original_text=item.original_text, channel=item.channel,
                   stakeholder_id=item.stakeholder_id, table_id=item.table_id)
    data = data.cleaned(Known.of(consultation, data.people()), current=item)
    if consultation.last_day is None:
        data = replace(data, late=item.late)  # nothing to be late for: the flag stays
    old_themes, old_signatories = themes_of_input(item), co_signatories_of(item)
    with recorded_changes(item, Input.personal_fields, _UNAUDITED) as changes:
        _apply(item, data)
    if old_themes != data.theme_ids:
        changes["themes"] = {"old": ", ".join(map(str, old_themes)),
                             "new": ", ".join(map(str, data.theme_ids))}
    if old_signatories != data.co_signatory_ids:
        changes["co_signatories"] = {}  # who signed is personal: that it changed, no more
    if "themes" in changes or "co_signatories" in changes:
        db.session.execute(delete(InputTheme).where(InputTheme.input_id == item.id))
        db.session.execute(delete(CoSignatory).where(CoSignatory.input_id == item.id))
        _link(item, data.theme_ids, data.co_signatory_ids)
        flag_modified(item, "kind")  # a change of links alone still makes a new version
    if changes:
        db.session.flush()
        audit("update", item, actor=actor, changes=changes)


def themes_of_input(item: Input) -> list[int]:
    return list(db.session.scalars(select(InputTheme.theme_id).where(
        InputTheme.input_id == item.id).order_by(InputTheme.theme_id)))


def co_signatories_of(item: Input) -> list[int]:
    return list(db.session.scalars(select(CoSignatory.stakeholder_id).where(
        CoSignatory.input_id == item.id).order_by(CoSignatory.stakeholder_id)))


def recompute_lateness(consultation: Consultation) -> list[int]:
    """Flag each reaction on time or late against the (new) last day; returns the numbers of
    the reactions whose flag changed. Reads plain tuples, so a large period stays cheap."""
    if not consultation.is_comment_period or consultation.last_day is None:
        return []
    flips: dict[bool, list[int]] = {True: [], False: []}
    numbers = []
    for input_id, number, received, postmarked, late in db.session.execute(
            select(Input.id, Input.number, Input.received_on, Input.postmarked_on, Input.late)
            .where(Input.consultation_id == consultation.id, Input.received_on.is_not(None))):
        now_late = is_late(consultation, received, postmarked)
        if now_late != late:
            flips[now_late].append(input_id)
            numbers.append(number)
    for value, ids in flips.items():
        if ids:
            # Bypasses the version counter on purpose: nobody edited these reactions.
            db.session.execute(update(Input).where(Input.id.in_(ids)).values(late=value)
                               .execution_options(synchronize_session="fetch"))
    return sorted(numbers)


# --- the list and what is open --------------------------------------------------------------

@dataclass
class Filters:
    """The input list's filters; an empty value filters nothing. ``answered``, ``late`` and
    ``processed`` take "yes" or "no"."""

    kind: str = ""
    participant_group: str = ""
    channel: str = ""
    theme_id: int | None = None
    table_id: int | None = None
    answered: str = ""
    late: str = ""
    processed: str = ""


class SharedFilters(Protocol):
    """What the input list's and the answer workspace's filters have in common."""

    theme_id: int | None
    table_id: int | None
    late: str


def filtered(query: Select[tuple[Input]], filters: SharedFilters,
             equal: Sequence[str]) -> Select[tuple[Input]]:
    """``query`` narrowed by the filters the input list and the workspace share: each column
    in ``equal`` (kind, channel…) equal to the filter of that name, a theme, a table and
    lateness ("yes" or "no"); an empty value filters nothing."""
    for name in equal:
        if value := getattr(filters, name):
            query = query.where(getattr(Input, name) == value)
    if filters.theme_id is not None:
        query = query.where(Input.id.in_(select(InputTheme.input_id).where(
            InputTheme.theme_id == filters.theme_id)))
    if filters.table_id is not None:
        query = query.where(Input.table_id == filters.table_id)
    if filters.late:
        query = query.where(Input.late.is_(filters.late == "yes"))
    return query


def list_query(consultation: Consultation, filters: Filters) -> Select[tuple[Input]]:
    """The consultation's inputs matching ``filters``, by number, with their senders."""
    query = filtered(select(Input).where(Input.consultation_id == consultation.id), filters,
                     ("kind", "participant_group", "channel"))
    answered = select(InputAnswer.input_id)
    if filters.answered:
        query = query.where(Input.id.in_(answered) if filters.answered == "yes"
                            else Input.id.not_in(answered))
    if filters.processed:
        query = query.where(Input.processed.is_(filters.processed == "yes"))
    return (query.options(joinedload(Input.stakeholder).options(*register.BARE))
            .order_by(Input.number))


def themes_and_co_signers(inputs: Sequence[Input]
                          ) -> tuple[dict[int, list[str]], dict[int, int]]:
    """The names of each input's themes, in the plan's order, and how many co-signed each —
    what a list of inputs shows beside every row — with one query."""
    names: dict[int, list[str]] = defaultdict(list)
    signers: dict[int, int] = {}
    ids = [item.id for item in inputs]
    if not ids:
        return names, signers
    themed = (select(InputTheme.input_id.label("input_id"), Theme.name.label("name"),
                     Theme.position.label("position"), Theme.id.label("theme_id"),
                     literal(0).label("signers"))
              .join(Theme, Theme.id == InputTheme.theme_id)
              .where(InputTheme.input_id.in_(ids)))
    signed = (select(CoSignatory.input_id, cast(null(), String), cast(null(), Integer),
                     cast(null(), Integer), func.count())
              .where(CoSignatory.input_id.in_(ids)).group_by(CoSignatory.input_id))
    rows = union_all(themed, signed).subquery()
    for input_id, name, _position, _theme_id, count in db.session.execute(
            select(rows).order_by(rows.c.position, rows.c.theme_id)):
        if name is None:
            signers[input_id] = count
        else:
            names[input_id].append(name)
    return names, signers


def input_counts(consultations: Sequence[Consultation]) -> dict[int, int]:
    """How many inputs each consultation has, with one query."""
    return _count_per(Input.consultation_id, [item.id for item in consultations])


def _count_per(column: Any, ids: list[int]) -> dict[int, int]:
    """How many rows have each of ``ids`` in ``column``."""
    if not ids:
        return {}
    return dict(db.session.execute(
        select(column, func.count()).where(column.in_(ids)).group_by(column)).all())


def _open(needing: list[str]) -> Any:
    """Input that needs an answer and has none, or other input not yet processed."""
    answered = select(InputAnswer.input_id)
    return ((Input.kind.in_(needing)) & Input.id.not_in(answered)) \
        | ((Input.kind.not_in(needing)) & Input.processed.is_(False))


def open_inputs(consultation: Consultation) -> list[Input]:
    """What still needs work: inputs that need an answer and have none, and other input that
    has not been processed."""
    return list(db.session.scalars(select(Input).where(
        Input.consultation_id == consultation.id, _open(needing_answer()))
        .order_by(Input.number)))


@dataclass(frozen=True)
class Coverage:
    """Who was heard on what: per theme of a plan (None: input without a theme) the number of
    inputs per participant group, and per consultation how much is still open."""

    by_theme: dict[int | None, dict[str, int]]
    open_by_consultation: dict[int, int]
    total_by_consultation: dict[int, int]
    #: meeting input taken into each part of the plan (tracing.traced_counts)
    traced: dict[str, int] = field(default_factory=dict)


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
    open_count: dict[int, int] = {}
    totals: dict[int, int] = {}
    for consultation_id, total, still_open in db.session.execute(
            select(Input.consultation_id, func.count(),
                   func.sum(case((_open(needing_answer()), 1), else_=0)))
            .where(Input.consultation_id.in_(in_plan)).group_by(Input.consultation_id)):
        totals[consultation_id] = total
        if still_open:
            open_count[consultation_id] = int(still_open)
    return Coverage(by_theme, open_count, totals, traced_counts(plan))
