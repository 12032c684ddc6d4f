"""Sign-in lists (presentielijsten): who came to a meeting, registered from a spreadsheet.

* **Reading** (:func:`read`) a CSV file or an XLSX workbook's first sheet with
  :func:`app.spreadsheets.records` and its :class:`~app.spreadsheets.Limits` (at most
  :data:`MAX_ROWS` rows): a header row naming the columns ``naam``, ``e-mail``, ``postcode``
  and ``organisatie`` (or ``name``, ``email``, ``postcode``, ``organisation``) in any order;
  only the name is required, other columns (a signature) are ignored. A workbook with a
  formula is refused: the list should say what it says, not what a formula last computed.
* **Checking** (:func:`check`) every row against the register, in a bounded number of queries:
  by e-mail, then by name and postcode, then by the exact name alone when exactly one person
  has it (erased persons and archived stakeholders never match). Each row gets one
  :class:`Outcome`; nothing is written.
* **Registering** (:func:`register_signin`): the stakeholders ticked on the check page and
  the rows ticked to be added to the register (legal ground "public task", as a sender of a
  written reaction is added), in one transaction, audited by the register and the
  registrations. Before adding, every new row is matched again (:func:`~app.consultations.
  inputs.senders.sender_matches`, and the name alone): someone added meanwhile refuses the
  whole submission instead of becoming a duplicate. Anyone already registered is skipped.

The check page carries the rows themselves (:func:`encode` / :func:`decode`), so the file is
never uploaded twice and never stored.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import spreadsheets
from app.consultations import services
from app.consultations.inputs.senders import sender_matches
from app.consultations.models import Consultation, Registration
from app.consultations.rules import refuse_read_only_plan
from app.database import db
from app.errors import DomainError
from app.stakeholders import services as register
from app.stakeholders.models import LegalGround, Stakeholder
from app.stakeholders.services import BARE, StakeholderData

#: A meeting's sign-in list is short; the bound keeps the check page and its form small.
MAX_ROWS = 500
#: Column → the headers that name it (Dutch first), compared without case, spaces or dashes.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("naam", "name", "volledige naam"),
    "email": ("e-mail", "email", "e-mailadres", "email address"),
    "postcode": ("postcode", "postal code", "zip"),
    "organisation": ("organisatie", "organisation", "organization"),
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
    REGISTERED = "registered"  # already registered for the meeting


@dataclass(frozen=True)
class SignInRow:
    """What one row of the list says, as typed (row number as the spreadsheet shows it)."""

    number: int
    name: str = ""
    email: str = ""
    postcode: str = ""
    organisation: str = ""

    def data(self) -> StakeholderData:
        """The row as a new person for the register (validated; raises DomainError)."""
        return StakeholderData(name=self.name, email=self.email or None,
                               postcode=self.postcode or None,
                               legal_ground=LegalGround.PUBLIC_TASK.value).cleaned()


@dataclass
class CheckedRow:
    """A row with its outcome: the matched stakeholder (found, registered, duplicate), the
    candidates (several), or why it cannot be used (bad, duplicate: ``same_as``)."""

    row: SignInRow
    outcome: Outcome
    matches: list[Stakeholder] = field(default_factory=list)
    problem: str | None = None
    same_as: int | None = None


@dataclass
class SignInCheck:
    rows: list[CheckedRow]
    registered: set[int]  # stakeholders already registered (candidates among them marked)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for checked in self.rows if checked.outcome == outcome)


@dataclass(frozen=True)
class SignInResult:
    registered: int
    added: int
    skipped: int


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
                        "“name”); also read are “e-mail”, “postcode” and “organisatie”."))
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
    checked: list[CheckedRow] = []
    seen_keys: dict[tuple[str, str], int] = {}
    seen_people: dict[int, int] = {}
    for row in rows:
        data = cleaned[row.number]
        if isinstance(data, DomainError):
            checked.append(CheckedRow(row, Outcome.BAD, problem=data.message))
            continue
        if _row_key(data) in seen_keys:
            checked.append(CheckedRow(row, Outcome.DUPLICATE, same_as=seen_keys[_row_key(data)]))
            continue
        seen_keys[_row_key(data)] = row.number
        matches, sure = _matches(data, by_email, by_name)
        checked.append(_outcome(row, matches, sure, registered, seen_people))
    return SignInCheck(rows=checked, registered=registered)


def _outcome(row: SignInRow, matches: list[Stakeholder], sure: bool, registered: set[int],
             seen_people: dict[int, int]) -> CheckedRow:
    if not matches:
        return CheckedRow(row, Outcome.NOT_FOUND)
    if not sure:
        return CheckedRow(row, Outcome.SEVERAL, matches=matches)
    person = matches[0]
    if person.id in seen_people:
        return CheckedRow(row, Outcome.DUPLICATE, matches=matches,
                          same_as=seen_people[person.id])
    seen_people[person.id] = row.number
    outcome = Outcome.REGISTERED if person.id in registered else Outcome.FOUND
    return CheckedRow(row, outcome, matches=matches)


def _registered(consultation: Consultation, stakeholder_ids: Collection[int]) -> set[int]:
    ids = sorted(stakeholder_ids)
    found: set[int] = set()
    for start in range(0, len(ids), _QUERY_CHUNK):
        found.update(db.session.scalars(select(Registration.stakeholder_id).where(
            Registration.consultation_id == consultation.id,
            Registration.stakeholder_id.in_(ids[start:start + _QUERY_CHUNK]))))
    return found


# --- the rows carried by the check page -----------------------------------------------------

_FIELDS = ("number", "name", "email", "postcode", "organisation")


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

def _newcomers(rows: Sequence[SignInRow], numbers: Collection[int]) -> list[StakeholderData]:
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
    return [data for _number, data in chosen.values()]


def register_signin(consultation: Consultation, rows: Sequence[SignInRow],
                    stakeholder_ids: Collection[int], new_rows: Collection[int], *,
                    attended: bool, actor: Any = None) -> SignInResult:
    """Register the ticked stakeholders and add-and-register the ticked new rows, all in the
    caller's transaction (a refusal leaves nothing); anyone already registered is skipped."""
    refuse_read_only_plan(consultation)
    ids = sorted(set(stakeholder_ids))
    chosen: list[Stakeholder] = []
    for start in range(0, len(ids), _QUERY_CHUNK):
        chosen += db.session.scalars(select(Stakeholder).where(
            Stakeholder.id.in_(ids[start:start + _QUERY_CHUNK])).options(*BARE))
    newcomers = _newcomers(rows, set(new_rows))
    if not chosen and not newcomers:
        raise DomainError(_l("Tick who to register: nobody is ticked."))
    created = [register.create(data, actor=actor) for data in newcomers]
    new, skipped = services.register_participants(consultation, [*chosen, *created],
                                                  attended=attended, actor=actor)
    return SignInResult(registered=len(new), added=len(created), skipped=skipped)
