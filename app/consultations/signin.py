"""Sign-in lists (presentielijsten): who came to a meeting, registered from a spreadsheet.

* **Reading** (:func:`read`) a CSV file or an XLSX workbook's first sheet with
  :func:`app.spreadsheets.records` and its :class:`~app.spreadsheets.Limits` (at most
  :data:`MAX_ROWS` rows): a header row naming the columns ``naam``, ``e-mail``, ``postcode``
  and ``organisatie`` (or ``name``, ``email``, ``postcode``, ``organisation``) in any order;
  only the name is required, other columns (a signature) are ignored. A workbook with a
  formula is refused: the list should say what it says, not what a formula last computed.
* **Checking** (:func:`check`) every row against the register, in a bounded number of queries:
  by e-mail, then by name and postcode, then by the exact name alone when exactly one person
  has it (erased persons and archived stakeholders never match). A row's ``tafel`` is one of
  the meeting's tables (:func:`resolve_table`): by its topic, without case or spaces and with
  or without a leading "Tafel"/"Table", else by its number in the meeting's order of tables;
  a table that fits none or several makes the row unusable. Each row gets one
  :class:`Outcome`; nothing is written.
* **Registering** (:func:`register_signin`): the stakeholders ticked on the check page and
  the rows ticked to be added to the register (legal ground "public task", as a sender of a
  written reaction is added), each registered at the table their row names, in one
  transaction, audited by the register and the registrations. Before adding, every new row is
  matched again (:func:`~app.consultations.inputs.senders.sender_matches`, and the name
  alone): someone added meanwhile refuses the whole submission instead of becoming a
  duplicate. People registered in advance are ticked too — a sign-in list is what confirms
  them: with *attended* their registration is marked attended and given the list's table
  (:func:`~app.consultations.services.set_attendance`, audited; one changed since the list
  was checked is a conflict); one already attended at that table, or any of them without
  *attended*, is skipped.

The check page carries the rows themselves (:func:`encode` / :func:`decode`), so the file is
never uploaded twice and never stored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select

from app import spreadsheets
from app.consultations import services
from app.consultations.inputs.senders import sender_matches
from app.consultations.models import Consultation, ConsultationTable, Registration
from app.consultations.rules import refuse_read_only_plan
from app.database import db
from app.errors import DomainError
from app.stakeholders import services as register
from app.stakeholders.models import LegalGround, Stakeholder
from app.stakeholders.services import BARE, StakeholderData
from app.translate import lazy_gettext as _l

#: A meeting's sign-in list is short; the bound keeps the check page and its form small.
MAX_ROWS = 500
#: Column → the headers that name it (Dutch first), compared without case, spaces or dashes.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("naam", "name", "volledige naam"),
    "email": ("e-mail", "email", "e-mailadres", "email address"),
    "postcode": ("postcode", "postal code", "zip"),
    "organisation": ("organisatie", "organisation", "organization"),
    "table": ("tafel", "table", "tafelnummer", "table number"),
}
_QUERY_CHUNK = 500


class SignInFileError(DomainError):
    """The file as a whole cannot be used; nothing was checked or registered."""

    def __init__(self, message: Any) -> None:
        super().__init__(str(message), field="file")


class Outcome(StrEnum):
    FOUND = "found"            # one stakeholder: ticked on the check page
    SEVERAL = "several"        # possible matches to choose from, none ticked
    NOT_FOUND = "not_found"    # may be added to the register
    BAD = "bad"                # no name, a malformed e-mail address
    DUPLICATE = "duplicate"    # the same person as an earlier row
    REGISTERED = "registered"  # registered in advance: ticked, to be marked as attended


@dataclass(frozen=True)
class SignInRow:
    """What one row of the list says, as typed (row number as the spreadsheet shows it)."""

    number: int
    name: str = ""
    email: str = ""
    postcode: str = ""
    organisation: str = ""
    table: str = ""

    def data(self) -> StakeholderData:
        """The row as a new person for the register (validated; raises DomainError)."""
        return StakeholderData(name=self.name, email=self.email or None,
                               postcode=self.postcode or None,
                               legal_ground=LegalGround.PUBLIC_TASK.value).cleaned()


@dataclass
class CheckedRow:
    """A row with its outcome: the matched stakeholder (found, registered, duplicate), the
    candidates (several, and a row whose table is unknown), or why it cannot be used (bad,
    duplicate: ``same_as``); ``table`` is the meeting's table the row names."""

    row: SignInRow
    outcome: Outcome
    matches: list[Stakeholder] = field(default_factory=list)
    problem: str | None = None
    same_as: int | None = None
    table: ConsultationTable | None = None


@dataclass
class SignInCheck:
    rows: list[CheckedRow]
    # stakeholder id -> registration, of those already registered (candidates among them
    # marked; the check page carries the versions, so a registration changed since conflicts)
    registered: dict[int, Registration]

    def count(self, outcome: Outcome) -> int:
        return sum(1 for checked in self.rows if checked.outcome == outcome)


@dataclass(frozen=True)
class SignInResult:
    registered: int
    added: int
    skipped: int
    marked_attended: int = 0  # registered in advance, now marked attended (or re-seated)


# --- reading --------------------------------------------------------------------------------

def _header_key(text: Any) -> str:
    return "".join(ch for ch in register.normalise(str(text)) if ch.isalnum())


_HEADERS = {_header_key(alias): column for column, aliases in COLUMNS.items()
            for alias in aliases}


def _limits() -> spreadsheets.Limits:
    limits = spreadsheets.Limits.configured()
    return replace(limits, rows=min(limits.rows, MAX_ROWS))


def _text(value: Any) -> str:
    return " ".join(str(spreadsheets.unneutralise(str(value))).split())


def read(handle: BinaryIO, filename: str) -> list[SignInRow]:
    """The rows of an uploaded sign-in list (empty rows left out); raises
    :class:`SignInFileError` for a file that cannot be used as a whole."""
    positions: dict[int, str] | None = None
    rows: list[SignInRow] = []
    try:
        for number, values in spreadsheets.records(handle, filename, _limits()):
            if not any(str(value).strip() for value in values):
                continue
            if positions is None:
                positions = {index: _HEADERS[_header_key(value)]
                             for index, value in enumerate(values)
                             if _header_key(value) in _HEADERS}
                if "name" not in positions.values():
                    raise SignInFileError(_l(
                        "The first row must name the columns, with at least “naam” (or "
                        "“name”); also read are “e-mail”, “postcode”, “organisatie” and "
                        "“tafel”."))
                continue
            cells = {column: _text(values[index]) for index, column in positions.items()
                     if index < len(values)}
            rows.append(SignInRow(number=number, **cells))
        if rows and Path(filename).suffix.lower() == ".xlsx":
            _refuse_formulas(handle)
    except spreadsheets.SpreadsheetError as error:
        raise SignInFileError(error.message) from error
    if not rows:
        raise SignInFileError(spreadsheets.message("empty"))
    return rows


def _refuse_formulas(handle: BinaryIO) -> None:
    cells = spreadsheets.formula_cells(handle, _limits())
    if cells:
        raise SignInFileError(_l(
            "The workbook has formulas (cell %(cells)s). Copy the sheet and paste the values "
            "only, or save it as CSV, and upload it again.", cells=", ".join(cells)))


# --- checking -------------------------------------------------------------------------------

def _postcode_key(postcode: str | None) -> str:
    return (postcode or "").replace(" ", "").upper()


def _candidates(emails: Collection[str], names: Collection[str]
                ) -> tuple[dict[str, list[Stakeholder]], dict[str, list[Stakeholder]]]:
    """Stakeholders (not erased, not archived) by e-mail address and by normalised name."""
    by_email: dict[str, list[Stakeholder]] = {}
    by_name: dict[str, list[Stakeholder]] = {}
    alive = (Stakeholder.anonymised_at.is_(None), Stakeholder.archived.is_(False))
    for values, condition, found in (
            (sorted(emails), func.lower(Stakeholder.email).in_, by_email),
            (sorted(names), Stakeholder.sort_name.in_, by_name)):
        for start in range(0, len(values), _QUERY_CHUNK):
            for person in db.session.scalars(
                    select(Stakeholder).where(condition(values[start:start + _QUERY_CHUNK]),
                                              *alive)
                    .options(*BARE).order_by(Stakeholder.sort_name, Stakeholder.id)):
                key = (person.email or "").lower() if found is by_email else person.sort_name
                found.setdefault(key, []).append(person)
    return by_email, by_name


def _contradicts(person: Stakeholder, data: StakeholderData) -> bool:
    """The name is the same, but the e-mail address or postcode both have differ."""
    return bool((data.email and person.email and person.email.lower() != data.email)
                or (data.postcode and person.postcode
                    and _postcode_key(person.postcode) != _postcode_key(data.postcode)))


def _matches(data: StakeholderData, by_email: dict[str, list[Stakeholder]],
             by_name: dict[str, list[Stakeholder]]) -> tuple[list[Stakeholder], bool]:
    """The matches of one row and whether they are sure: by e-mail, then by name and
    postcode, then by the name alone (sure only when one has it, not contradicted)."""
    if data.email and by_email.get(data.email):
        found = by_email[data.email]
        return found, len(found) == 1
    namesakes = by_name.get(register.normalise(data.name), [])
    if data.postcode:
        same_place = [person for person in namesakes
                      if _postcode_key(person.postcode) == _postcode_key(data.postcode)]
        if same_place:
            return same_place, len(same_place) == 1
    return namesakes, len(namesakes) == 1 and not _contradicts(namesakes[0], data)


# a leading "Tafel"/"Table" word, before a topic or a number ("Tafel 3", "tafel3", "Table: Wonen")
_TABLE_WORD = re.compile(r"^(?:tafel|table)(?=[\s\d:.#-])[\s:.#-]*(?P<rest>\S.*)$")


def _table_keys(text: str) -> set[str]:
    """``text`` without case, accents or spaces, with and without a leading table word."""
    folded = register.normalise(text)
    keys = {folded.replace(" ", "")}
    leading = _TABLE_WORD.match(folded)
    if leading:
        keys.add(leading["rest"].replace(" ", ""))
    return keys - {""}


def meeting_tables(consultation: Consultation) -> list[ConsultationTable]:
    """The meeting's tables in the order its page shows and numbers them (one query)."""
    return list(db.session.scalars(
        select(ConsultationTable).where(ConsultationTable.consultation_id == consultation.id)
        .order_by(ConsultationTable.position, ConsultationTable.id)))


def resolve_table(text: str, tables: Sequence[ConsultationTable]) -> ConsultationTable | None:
    """The table ``text`` names (None for no text): by topic, else by its 1-based number in
    ``tables``; raises DomainError naming the meeting's tables when it fits none or several."""
    if not text.strip():
        return None
    keys = _table_keys(text)
    by_topic = [table for table in tables if keys & _table_keys(table.topic)]
    if len(by_topic) == 1:
        return by_topic[0]
    number = next((int(key) for key in keys if key.isascii() and key.isdigit()), 0)
    if not by_topic and 1 <= number <= len(tables):
        return tables[number - 1]
    topics = ", ".join(table.topic for table in tables)
    if not tables:
        raise DomainError(_l("Unknown table “%(table)s”: this meeting has no tables.",
                             table=text), field="table")
    if by_topic:
        raise DomainError(_l(
            "Table “%(table)s” fits more than one table: the tables of this meeting are "
            "%(tables)s. Write the table's number (1 to %(count)d) instead.",
            table=text, tables=topics, count=len(tables)), field="table")
    raise DomainError(_l("Unknown table “%(table)s”: the tables of this meeting are "
                         "%(tables)s.", table=text, tables=topics), field="table")


def _row_key(data: StakeholderData) -> tuple[str, str]:
    return (data.email, "") if data.email else (register.normalise(data.name),
                                                _postcode_key(data.postcode))


def check(consultation: Consultation, rows: Sequence[SignInRow]) -> SignInCheck:
    """Every row with its outcome; reads only (a fixed number of queries for any list)."""
    cleaned: dict[int, StakeholderData | DomainError] = {}
    for row in rows:
        try:
            cleaned[row.number] = row.data()
        except DomainError as error:
            cleaned[row.number] = error
    valid = [data for data in cleaned.values() if isinstance(data, StakeholderData)]
    by_email, by_name = _candidates({data.email for data in valid if data.email},
                                    {register.normalise(data.name) for data in valid})
    found_ids = {person.id for people in (*by_email.values(), *by_name.values())
                 for person in people}
    registered = _registered(consultation, found_ids)
    tables = meeting_tables(consultation) if any(row.table for row in rows) else []
    checked: list[CheckedRow] = []
    seen_keys: dict[tuple[str, str], int] = {}
    seen_people: dict[int, int] = {}
    for row in rows:
        data = cleaned[row.number]
        if isinstance(data, DomainError):
            checked.append(CheckedRow(row, Outcome.BAD, problem=data.message))
            continue
        try:
            table = resolve_table(row.table, tables)
        except DomainError as error:  # who it would be, so a tick for them is refused too
            checked.append(CheckedRow(row, Outcome.BAD, problem=error.message,
                                      matches=_matches(data, by_email, by_name)[0]))
            continue
        if _row_key(data) in seen_keys:
            checked.append(CheckedRow(row, Outcome.DUPLICATE, same_as=seen_keys[_row_key(data)],
                                      table=table))
            continue
        seen_keys[_row_key(data)] = row.number
        matches, sure = _matches(data, by_email, by_name)
        checked.append(_outcome(row, matches, sure, registered, seen_people, table))
    return SignInCheck(rows=checked, registered=registered)


def _outcome(row: SignInRow, matches: list[Stakeholder], sure: bool,
             registered: Mapping[int, Registration], seen_people: dict[int, int],
             table: ConsultationTable | None) -> CheckedRow:
    if not matches:
        return CheckedRow(row, Outcome.NOT_FOUND, table=table)
    if not sure:
        return CheckedRow(row, Outcome.SEVERAL, matches=matches, table=table)
    person = matches[0]
    if person.id in seen_people:
        return CheckedRow(row, Outcome.DUPLICATE, matches=matches,
                          same_as=seen_people[person.id], table=table)
    seen_people[person.id] = row.number
    outcome = Outcome.REGISTERED if person.id in registered else Outcome.FOUND
    return CheckedRow(row, outcome, matches=matches, table=table)


def _registered(consultation: Consultation, stakeholder_ids: Collection[int]
                ) -> dict[int, Registration]:
    ids = sorted(stakeholder_ids)
    found: dict[int, Registration] = {}
    for start in range(0, len(ids), _QUERY_CHUNK):
        found.update((registration.stakeholder_id, registration)
                     for registration in db.session.scalars(select(Registration).where(
                         Registration.consultation_id == consultation.id,
                         Registration.stakeholder_id.in_(ids[start:start + _QUERY_CHUNK]))))
    return found


# --- the rows carried by the check page -----------------------------------------------------

_FIELDS = ("number", "name", "email", "postcode", "organisation", "table")


def encode(rows: Iterable[SignInRow]) -> str:
    """The rows as one hidden form value (nothing of the file is stored on the server)."""
    return json.dumps([[getattr(row, name) for name in _FIELDS] for row in rows],
                      ensure_ascii=False, separators=(",", ":"))


def decode(value: str) -> list[SignInRow]:
    """The rows :func:`encode` wrote; ValueError when the value is not such a list."""
    items = json.loads(value)
    if not isinstance(items, list) or not items or len(items) > MAX_ROWS:
        raise ValueError("not a sign-in list")
    rows = []
    for item in items:
        if not (isinstance(item, list) and len(item) == len(_FIELDS)
                and isinstance(item[0], int)
                and all(isinstance(text, str) and len(text) <= 1000 for text in item[1:])):
            raise ValueError("not a sign-in row")
        rows.append(SignInRow(*item))
    return rows


# --- registering ----------------------------------------------------------------------------

def _newcomers(rows: Sequence[SignInRow], numbers: Collection[int]
               ) -> list[tuple[int, StakeholderData]]:
    """The rows ticked to be added, validated, each person once; refused when the register
    has anyone they could be (added since the list was checked)."""
    chosen: dict[tuple[str, str], tuple[int, StakeholderData]] = {}
    for row in rows:
        if row.number in numbers:
            try:
                data = row.data()
            except DomainError as error:
                raise DomainError(_l("Row %(row)d: %(problem)s", row=row.number,
                                     problem=error.message)) from error
            chosen.setdefault(_row_key(data), (row.number, data))
    names = {register.normalise(data.name) for _number, data in chosen.values()}
    _by_email, namesakes = _candidates((), names)
    for number, data in chosen.values():
        known = sender_matches(data) or namesakes.get(register.normalise(data.name), [])
        if known:
            raise DomainError(_l(
                "Row %(row)d: the register already has %(names)s. Check the list again and "
                "choose the existing stakeholder instead of adding them again.",
                row=number, names="; ".join(register.display_name(person)
                                           for person in known)))
    return list(chosen.values())


def _refused(item: CheckedRow) -> DomainError:
    return DomainError(_l("Row %(row)d: %(problem)s", row=item.row.number,
                          problem=item.problem))


def _seats(checked: SignInCheck, ticked: Collection[int], new_rows: Collection[int]
           ) -> tuple[dict[int, ConsultationTable | None], dict[int, ConsultationTable | None]]:
    """The table of each ticked stakeholder matched by a row, and of each ticked new row.

    A stakeholder sits where the first row that surely is them says; offered as a possible
    match only, where those rows agree. A ticked one whose row cannot be used now (a table
    removed or renamed since the list was checked) refuses the submission."""
    sure: dict[int, ConsultationTable | None] = {}
    possible: dict[int, set[ConsultationTable | None]] = {}
    unusable: dict[int, CheckedRow] = {}
    by_row: dict[int, ConsultationTable | None] = {}
    refused: list[CheckedRow] = []
    for item in checked.rows:
        if item.row.number in new_rows:
            if item.outcome == Outcome.BAD:
                refused.append(item)
            by_row[item.row.number] = item.table
        for person in item.matches:
            if person.id not in ticked:
                continue
            if item.outcome in (Outcome.FOUND, Outcome.REGISTERED):
                sure.setdefault(person.id, item.table)
            elif item.outcome == Outcome.SEVERAL:
                possible.setdefault(person.id, set()).add(item.table)
            elif item.outcome == Outcome.BAD:
                unusable.setdefault(person.id, item)
    for person_id, tables in possible.items():
        if person_id not in sure:
            sure[person_id] = tables.pop() if len(tables) == 1 else None
    refused += [item for person_id, item in unusable.items() if person_id not in sure]
    if refused:
        raise _refused(min(refused, key=lambda item: item.row.number))
    return sure, by_row


def _mark_attended(consultation: Consultation, registrations: Iterable[Registration],
                   seats: Mapping[int, ConsultationTable | None], versions: Mapping[int, int],
                   *, actor: Any) -> int:
    """Mark registrations made in advance attended, at the list's table (kept when the list
    names none); one already so is left alone. Returns how many changed."""
    due: dict[int, int] = {}
    tables: dict[int, int | None] = {}
    for registration in registrations:
        seat = seats.get(registration.stakeholder_id)
        table_id = seat.id if seat is not None else registration.table_id
        if registration.attended and registration.table_id == table_id:
            continue
        # the version the check page showed; one registered since it was shown has none
        due[registration.id] = versions.get(registration.id, registration.version)
        tables[registration.id] = table_id
    if not due:
        return 0
    return services.set_attendance(consultation, due, expected_versions=due, tables=tables,
                                   actor=actor)


def register_signin(consultation: Consultation, rows: Sequence[SignInRow],
                    stakeholder_ids: Collection[int], new_rows: Collection[int], *,
                    attended: bool, versions: Mapping[int, int] | None = None,
                    actor: Any = None) -> SignInResult:
    """Register the ticked stakeholders and add-and-register the ticked new rows, each at
    their row's table, all in the caller's transaction (a refusal leaves nothing). Ticked
    people registered in advance are marked attended, at their row's table, when
    ``attended``; ``versions`` (registration id -> version) are the versions the check page
    showed. Anyone else already registered is skipped."""
    refuse_read_only_plan(consultation)
    ids = sorted(set(stakeholder_ids))
    chosen: list[Stakeholder] = []
    for start in range(0, len(ids), _QUERY_CHUNK):
        chosen += db.session.scalars(select(Stakeholder).where(
            Stakeholder.id.in_(ids[start:start + _QUERY_CHUNK])).options(*BARE))
    newcomers = _newcomers(rows, set(new_rows))
    if not chosen and not newcomers:
        raise DomainError(_l("Tick who to register: nobody is ticked."))
    checked = check(consultation, rows)  # the rows as they are now: who sits where
    seats, row_seats = _seats(checked, set(ids), {number for number, _data in newcomers})
    created = [(number, register.create(data, actor=actor)) for number, data in newcomers]
    seats.update((person.id, row_seats.get(number)) for number, person in created)
    new, skipped = services.register_participants(
        consultation, [*chosen, *(person for _number, person in created)], attended=attended,
        seats={person_id: table.id for person_id, table in seats.items() if table is not None},
        actor=actor)
    marked = 0
    if attended:
        marked = _mark_attended(
            consultation, [checked.registered[person_id] for person_id in ids
                           if person_id in checked.registered],
            seats, versions or {}, actor=actor)
    return SignInResult(registered=len(new), added=len(created), skipped=skipped - marked,
                        marked_attended=marked)
