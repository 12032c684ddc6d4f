"""Import and export of the stakeholder register: CSV and XLSX files as Dutch Excel writes them.

* **Reading** a file with :mod:`app.spreadsheets` (UTF-8 or Windows-1252 CSV with ``;`` or
  ``,``, or an XLSX workbook's first sheet; streaming and bounded by its ``Limits``), then a
  header row with Dutch column names (or their English aliases).
* **Checking** every row — a dry run that lists every bad row with every reason, and imports
  nothing. Field rules come from :meth:`StakeholderData.cleaned`; this module adds the file's
  own rules (dates, kinds, duplicates in the file and in the register, organisations by name).
* **Importing** through :func:`services.create_many` and :func:`services.add_memberships`,
  so every stakeholder is audited as if entered by hand: the checked rows are staged in a
  file and applied in short transactions with a checkpoint (:func:`apply_staged`), so other
  writers are not locked out on SQLite and a retry goes on where an interrupted import was.
* **Exporting** a filtered list with the same columns (an export imports again), every cell
  that a spreadsheet would run as a formula neutralised (:func:`app.spreadsheets.neutralise`).

The background jobs ``stakeholders.import_check`` and ``stakeholders.import`` wrap the check
and the import. Their results hold message codes and row numbers, never the file's values, so a
person erased later leaves nothing behind in the job records.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import re
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, BinaryIO

from flask import current_app
from flask_babel import force_locale, format_number
from sqlalchemy import and_, select
from sqlalchemy.exc import OperationalError

from app import spreadsheets
from app.audit.models import AuditEvent
from app.audit.services import audit
from app.database import db
from app.errors import DomainError
from app.jobs.services import JobContext, job, started_by
from app.labels import register as register_label
from app.spreadsheets import EXTENSIONS, SpreadsheetError, neutralise, unneutralise
from app.stakeholders import services
from app.stakeholders.models import Kind, LegalGround, Stakeholder
from app.stakeholders.services import Filters, StakeholderData
from app.storage import InvalidKey, check_key, storage
from app.translate import gettext as _
from app.translate import lazy_gettext as _l

UPLOAD_FOLDER = "imports"
#: Uploaded files hold personal data: those never imported are removed after this long.
UPLOAD_RETENTION = timedelta(days=2)
#: A job result lists at most this many problems (their total is always given).
MAX_LISTED_ISSUES = 1000
BATCH = 500  # rows per progress report and per IN (…) query
IMPORT_ENTITY = "stakeholder_imports"

register_label("job", "stakeholders.import_check", _l("check of a stakeholder import"))
register_label("job", "stakeholders.import", _l("stakeholder import"))
register_label("action", "import", _l("imported"))
register_label("action", "export", _l("exported"))
register_label("entity", IMPORT_ENTITY, _l("Stakeholder import"))


# --- columns --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str  # the StakeholderData field, or organisation/function
    header: str  # as exported, and as the template names it
    aliases: tuple[str, ...] = ()
    description: Any = ""


COLUMNS: tuple[Column, ...] = (
    Column("name", "naam", ("name",), _l("Required. The person's or organisation's name.")),
    Column("kind", "soort", ("kind", "type"), _l("persoon or organisatie; empty means persoon.")),
    Column("organisation", "organisatie", ("organisation", "organization"),
           _l("For a person: the organisation they belong to, by name — one in the register or "
              "one further down in the same file. Several are separated by |.")),
    Column("function", "functie", ("function",),
           _l("The person's function at that organisation (several separated by |, in the same "
              "order).")),
    Column("email", "e-mail", ("email", "e-mailadres", "email address"),
           _l("One address. A stakeholder in the register may not have it already.")),
    Column("phone", "telefoon", ("phone", "telefoonnummer", "telephone"),
           _l("For example 06 1234 5678 or +31 50 123 4567.")),
    Column("address", "adres", ("address",), ""),
    Column("postcode", "postcode", ("postal code", "zip code"), ""),
    Column("place", "plaats", ("place", "woonplaats", "city"), ""),
    Column("website", "website", (), ""),
    Column("categories", "categorieën", ("categories", "categorie", "category"),
           _l("Codes or names of categories, separated by a comma or |.")),
    Column("tags", "labels", ("tags", "label", "tag"),
           _l("Free labels, separated by a comma or |.")),
    Column("notes", "notities", ("notes", "notitie"), ""),
    Column("legal_ground", "grondslag", ("legal ground",),
           _l("publieke taak (the default) or toestemming.")),
    Column("consent_purpose", "toestemming_doel", ("consent purpose",),
           _l("With toestemming: purpose, date and source are required.")),
    Column("consent_date", "toestemming_datum", ("consent date",),
           _l("A date as dd-mm-jjjj (or jjjj-mm-dd).")),
    Column("consent_source", "toestemming_bron", ("consent source",), ""),
    Column("retention_until", "bewaren_tot", ("retention until", "retain until"),
           _l("A date as dd-mm-jjjj (or jjjj-mm-dd).")),
)
HEADERS = [column.header for column in COLUMNS]
REQUIRED = ("name",)
DATE_FIELDS = ("consent_date", "retention_until")


def _key(text: Any) -> str:
    """'E-mail adres', 'e_mailadres' and 'EMAILADRES' all become 'emailadres'."""
    return re.sub(r"[^a-z0-9]", "", services.normalise(str(text)))


_HEADER_KEYS: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.header, _column.key, *_column.aliases):
        _HEADER_KEYS[_key(_name)] = _column.key
_BY_KEY = {column.key: column for column in COLUMNS}


# --- messages -------------------------------------------------------------------------------
# Stored as a code with parameters, translated when shown: the reader's language, no values.

MESSAGES: dict[str, Any] = {
    "too_large": _l("The file is %(size)s MB; at most %(limit)d MB can be imported at once. "
                    "Split it into smaller files."),
    "too_large_unknown": _l("The file is larger than %(limit)d MB; at most %(limit)d MB can be "
                            "imported at once. Split it into smaller files."),
    "file_type": _l("Only CSV files (.csv) and Excel workbooks (.xlsx) can be imported."),
    "empty": _l("The file is empty: it needs a header row and at least one row below it."),
    "no_rows": _l("The file has a header row but no stakeholders below it."),
    "encoding": _l("The file cannot be read as text. Save it from Excel as “CSV UTF-8 "
                   "(comma delimited)” or “CSV (semicolon delimited)” and upload it again."),
    "not_csv": _l("The file is not a readable CSV file. Save it from Excel as CSV and upload "
                  "it again."),
    "not_xlsx": _l("The file is not a readable Excel workbook (.xlsx). Save it again from "
                   "Excel, or save it as CSV."),
    "missing_columns": _l("The header row lacks the required column(s): %(columns)s."),
    "unknown_columns": _l("The header row has unknown column(s): %(columns)s. Known columns "
                          "are: %(known)s."),
    "repeated_columns": _l("The header row names a column more than once: %(columns)s."),
    "file_gone": _l("The uploaded file is no longer available. Upload it again."),
    # limits on what a file unfolds into (KOERS_IMPORT_MAX_*)
    "too_many_rows": _l("The file has more than %(limit)d rows; at most %(limit)d stakeholders "
                        "can be imported at once. Split it into smaller files."),
    "too_many_cells": _l("The file has more than %(limit)d cells in all, more than a list of "
                         "stakeholders needs. Split it into smaller files, or remove the "
                         "columns that are not imported."),
    "too_many_row_cells": _l("Row %(row)d has more than %(limit)d cells. Remove the columns "
                             "that are not imported, also empty ones far to the right."),
    "too_much_unpacked": _l("The workbook unpacks to more than %(limit)d MB, far more than a "
                            "list of stakeholders needs. Save it again from Excel, or save it "
                            "as CSV."),
    "staged_gone": _l("The import was interrupted and its checked rows are no longer "
                      "available: %(done)d of %(total)d rows had been imported. Upload the "
                      "file again with only the rows that are missing."),
    # row problems
    "name_missing": _l("The name is missing."),
    "kind_unknown": _l("“%(value)s” is not a kind: write persoon or organisatie."),
    "email_invalid": _l("Not a valid e-mail address."),
    "phone_invalid": _l("Not a valid phone number."),
    "category_unknown": _l("Unknown category: %(values)s."),
    "too_many_tags": _l("Use at most %(count)d tags."),
    "date_invalid": _l("“%(value)s” is not a date: write dd-mm-jjjj, e.g. 31-12-2027."),
    "legal_ground_unknown": _l("“%(value)s” is not a legal ground: write publieke taak or "
                               "toestemming."),
    "consent_incomplete": _l("Consent needs its purpose, date and source."),
    "organisation_unknown": _l("There is no organisation “%(value)s” in this file or in the "
                               "register."),
    "organisation_ambiguous": _l("The register has more than one organisation named "
                                 "“%(value)s”."),
    "member_not_person": _l("Only a person can be a member of an organisation."),
    "functions_without_organisation": _l("There are more functions than organisations."),
    "duplicate_email_in_file": _l("Same e-mail address as row %(row)d."),
    "duplicate_name_in_file": _l("Same name and organisation as row %(row)d."),
    "duplicate_organisation_in_file": _l("Same organisation name as row %(row)d."),
    "duplicate_email_in_register": _l("A stakeholder in the register already has this e-mail "
                                      "address."),
    "duplicate_organisation_in_register": _l("The register already has an organisation with "
                                             "this name."),
    "invalid": _l("%(message)s"),
}


def message(code: str, params: dict[str, Any] | None = None) -> str:
    """The translated text of a stored problem."""
    template = MESSAGES.get(code)
    if template is None:
        return code
    return str(template) % params if params else str(template)


class ImportFileError(SpreadsheetError):
    """The file as a whole cannot be imported (size, type, encoding, header): the reader's
    refusals and the register's own, worded for a list of stakeholders."""

    @staticmethod
    def describe(code: str, params: dict[str, Any]) -> str:
        return message(code, params)


def _refuse(code: str, **params: Any) -> ImportFileError:
    return ImportFileError([(code, params)])


# --- reading --------------------------------------------------------------------------------

@dataclass
class Sheet:
    """A file's header (field key → the column name as written) and its non-empty rows."""

    headers: dict[str, str]
    rows: list[tuple[int, dict[str, Any]]]  # (row number as the spreadsheet shows it, values)


def max_bytes() -> int:
    return int(current_app.config["KOERS_MAX_IMPORT_MB"]) * 1024 * 1024


def check_size(size: int, *, exact: bool = True) -> None:
    """Refuse a file over the limit; ``exact=False`` when ``size`` is only how far reading got,
    so the refusal names the limit instead of a size the file does not have."""
    limit = int(current_app.config["KOERS_MAX_IMPORT_MB"])
    if size > limit * 1024 * 1024:
        if not exact:
            raise _refuse("too_large_unknown", limit=limit)
        raise _refuse("too_large", size=f"{size / 1024 / 1024:.1f}".replace(".", ","),
                      limit=limit)


def read(data: bytes, filename: str) -> Sheet:
    """Parse an uploaded file; raises :class:`ImportFileError` for the file as a whole."""
    check_size(len(data))
    return read_file(io.BytesIO(data), filename)


def read_file(handle: BinaryIO, filename: str) -> Sheet:
    """Parse an open file, streaming: it stops at the first limit
    (:class:`~app.spreadsheets.Limits`) passed."""
    try:
        return _sheet(spreadsheets.records(handle, filename))
    except ImportFileError:
        raise
    except SpreadsheetError as error:
        raise ImportFileError(error.problems) from error


def _sheet(records: Iterator[tuple[int, list[Any]]]) -> Sheet:
    """The header and the known columns of every non-empty row."""
    headers: dict[str, str] = {}
    positions: dict[int, str] | None = None
    rows = []
    for number, values in records:
        if not any(str(value).strip() for value in values):
            continue
        if positions is None:
            headers, positions = _header(values)
            continue
        row = {}  # only the known columns are kept
        for position, key in positions.items():
            value = values[position] if position < len(values) else ""
            row[key] = value if isinstance(value, date) else unneutralise(str(value).strip())
        rows.append((number, row))
    if positions is None:
        raise _refuse("empty")
    if not rows:
        raise _refuse("no_rows")
    return Sheet(headers=headers, rows=rows)


def _header(cells: list[Any]) -> tuple[dict[str, str], dict[int, str]]:
    headers: dict[str, str] = {}
    positions: dict[int, str] = {}
    unknown, repeated = [], []
    for position, cell in enumerate(cells):
        text = str(cell).strip().lstrip("\ufeff").strip()
        if not text:
            continue  # an empty header cell (Excel leaves these after the last column)
        key = _HEADER_KEYS.get(_key(text))
        if key is None:
            unknown.append(text)
        elif key in headers:
            repeated.append(text)
        else:
            headers[key] = text
            positions[position] = key
    problems: list[tuple[str, dict[str, Any]]] = []
    missing = [_BY_KEY[key].header for key in REQUIRED if key not in headers]
    if missing:
        problems.append(("missing_columns", {"columns": ", ".join(missing)}))
    if unknown:
        problems.append(("unknown_columns", {"columns": ", ".join(unknown),
                                             "known": ", ".join(HEADERS)}))
    if repeated:
        problems.append(("repeated_columns", {"columns": ", ".join(repeated)}))
    if problems:
        raise ImportFileError(problems)
    return headers, positions


# --- checking -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Issue:
    row: int
    column: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "code": self.code,
                "params": self.params}


@dataclass
class Row:
    number: int
    data: StakeholderData  # cleaned when the row is valid
    organisations: list[str] = field(default_factory=list)  # names as written
    functions: list[str] = field(default_factory=list)
    # resolved organisations: ("file", normalised name) or ("register", id)
    links: list[tuple[str, Any, str | None]] = field(default_factory=list)


@dataclass
class Report:
    total: int
    rows: list[Row]  # every row, cleaned where valid
    issues: list[Issue]

    @property
    def bad_rows(self) -> int:
        return len({issue.row for issue in self.issues})

    @property
    def ready(self) -> int:
        return self.total - self.bad_rows

    def counts(self) -> dict[str, int]:
        persons = sum(1 for row in self.rows if row.data.kind == Kind.PERSON)
        return {"rows": self.total, "ready": self.ready, "bad_rows": self.bad_rows,
                "persons": persons, "organisations": self.total - persons,
                "memberships": sum(len(row.organisations) for row in self.rows)}

    def as_result(self) -> dict[str, Any]:
        issues = sorted(self.issues, key=lambda issue: issue.row)
        return {"state": "checked" if not issues else "invalid", **self.counts(),
                "issues": [issue.as_dict() for issue in issues[:MAX_LISTED_ISSUES]],
                "issues_total": len(issues)}


def _category_lookup() -> dict[str, str]:
    """Code, Dutch name and English name of every category → its code (one hook call)."""
    lookup: dict[str, str] = {}
    known = services.categories()
    for code in known:
        lookup[_key(code)] = code
    for language in ("nl", "en"):
        with force_locale(language):
            for code, category in known.items():
                lookup.setdefault(_key(str(category.label)), code)
    return lookup


def _split(text: str, separators: str) -> list[str]:
    return [part.strip() for part in re.split(f"[{re.escape(separators)}]", text or "")
            if part.strip()]


_DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][0-9:.]*)?")


def parse_date(value: Any) -> date | None:
    """dd-mm-jjjj (also with / or .) or jjjj-mm-dd; empty → None; raises ValueError."""
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    if match := _DAY_FIRST.fullmatch(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    else:
        raise ValueError(text)
    return date(year, month, day)


_KINDS = {"": Kind.PERSON.value, "persoon": Kind.PERSON.value, "person": Kind.PERSON.value,
          "organisatie": Kind.ORGANISATION.value, "organisation": Kind.ORGANISATION.value,
          "organization": Kind.ORGANISATION.value}
_GROUNDS = {"": LegalGround.PUBLIC_TASK.value, "publieketaak": LegalGround.PUBLIC_TASK.value,
            "publictask": LegalGround.PUBLIC_TASK.value,
            "toestemming": LegalGround.CONSENT.value, "consent": LegalGround.CONSENT.value}

# What a field flagged by cleaned() is reset to, so the next call finds the next problem.
_NEUTRAL: dict[str, dict[str, Any]] = {
    "name": {"name": "x"}, "kind": {"kind": Kind.PERSON.value}, "email": {"email": None},
    "phone": {"phone": None}, "categories": {"categories": []}, "tags": {"tags": []},
    "consent_purpose": {"legal_ground": LegalGround.PUBLIC_TASK.value},
    "legal_ground": {"legal_ground": LegalGround.PUBLIC_TASK.value},
}
_CODES = {"name": "name_missing", "kind": "kind_unknown", "email": "email_invalid",
          "phone": "phone_invalid", "categories": "category_unknown",
          "tags": "too_many_tags", "consent_purpose": "consent_incomplete",
          "legal_ground": "legal_ground_unknown"}


class Checker:
    """Checks a sheet's rows; one instance per check, so lookups are made once per file."""

    def __init__(self, sheet: Sheet) -> None:
        self.sheet = sheet
        self.categories = _category_lookup()
        self.issues: list[Issue] = []

    def column(self, key: str) -> str:
        return self.sheet.headers.get(key) or _BY_KEY[key].header

    def flag(self, number: int, key: str, code: str, /, **params: Any) -> None:
        self.issues.append(Issue(number, self.column(key), code, params))

    # one row on its own
    def parse(self, number: int, values: dict[str, Any]) -> Row:
        flagged: set[str] = set()
        kind = _KINDS.get(_key(values.get("kind", "")))
        if kind is None:
            self.flag(number, "kind", "kind_unknown", value=str(values["kind"])[:50])
            flagged.add("kind")
            kind = Kind.PERSON.value
        ground = _GROUNDS.get(_key(values.get("legal_ground", "")))
        if ground is None:
            self.flag(number, "legal_ground", "legal_ground_unknown",
                      value=str(values["legal_ground"])[:50])
            flagged.add("legal_ground")
            ground = LegalGround.PUBLIC_TASK.value
        dates: dict[str, date | None] = {}
        for key in DATE_FIELDS:
            try:
                dates[key] = parse_date(values.get(key))
            except ValueError:
                self.flag(number, key, "date_invalid", value=str(values[key])[:50])
                flagged.add(key)
                dates[key] = None
        unknown_categories = []
        categories = []
        for term in _split(values.get("categories", ""), ",|"):
            code = self.categories.get(_key(term))
            categories.append(code or term)
            if code is None:
                unknown_categories.append(term[:64])
        data = StakeholderData(
            name=values.get("name", ""), kind=kind, email=values.get("email"),
            phone=values.get("phone"), address=values.get("address"),
            postcode=values.get("postcode"), place=values.get("place"),
            website=values.get("website"), notes=values.get("notes"),
            categories=categories, tags=_split(values.get("tags", ""), ",|"),
            legal_ground=ground, consent_purpose=values.get("consent_purpose"),
            consent_date=dates["consent_date"], consent_source=values.get("consent_source"),
            retention_until=dates["retention_until"])
        data = self.clean(number, data, flagged, unknown_categories)
        functions = str(values.get("function") or "")
        row = Row(number, data, _split(values.get("organisation", ""), "|"),
                  [part.strip() for part in functions.split("|")] if functions.strip() else [])
        if row.organisations and kind == Kind.ORGANISATION:
            self.flag(number, "organisation", "member_not_person")
        elif len(row.functions) > len(row.organisations):
            self.flag(number, "function", "functions_without_organisation")
        return row

    def clean(self, number: int, data: StakeholderData, flagged: set[str],
              unknown_categories: list[str]) -> StakeholderData:
        """Every problem :meth:`StakeholderData.cleaned` finds, not only the first: a flagged
        field is reset to a neutral value and the data checked again."""
        for _attempt in range(len(_NEUTRAL) + 1):
            try:
                return data.cleaned()
            except DomainError as error:
                key = error.field or ""
                if key == "consent_purpose" and "consent_date" in flagged:
                    pass  # the bad date was reported already
                elif key == "categories":
                    self.flag(number, key, "category_unknown",
                              values=", ".join(unknown_categories))
                elif key == "tags":
                    self.flag(number, key, "too_many_tags", count=services.MAX_TAGS)
                elif key in _CODES and key not in flagged:
                    self.flag(number, key if key != "consent_purpose" else "legal_ground",
                              _CODES[key])
                elif key not in flagged:
                    column = key if key in _BY_KEY else "name"
                    self.flag(number, column, "invalid", message=error.message)
                flagged.add(key)
                if key not in _NEUTRAL:
                    break
                data = replace(data, **_NEUTRAL[key])
        return data

    # rows against each other and against the register
    def check(self, progress: Callable[[int], None] | None = None) -> Report:
        rows = []
        total = len(self.sheet.rows)
        for index, (number, values) in enumerate(self.sheet.rows, start=1):
            rows.append(self.parse(number, values))
            if progress and index % BATCH == 0:
                progress(round(index * 80 / total))
        self.duplicates_in_file(rows)
        self.duplicates_in_register(rows)
        self.resolve_organisations(rows)
        return Report(total=total, rows=rows, issues=self.issues)

    def duplicates_in_file(self, rows: list[Row]) -> None:
        emails: dict[str, int] = {}
        names: dict[tuple[str, str], int] = {}
        for row in rows:
            email = row.data.email  # None where it was not valid
            if email:
                if email in emails:
                    self.flag(row.number, "email", "duplicate_email_in_file", row=emails[email])
                else:
                    emails[email] = row.number
            name = services.normalise(row.data.name)
            if row.data.kind == Kind.ORGANISATION:
                key = (name, "\0organisation")
            elif row.organisations:
                key = (name, "|".join(sorted(services.normalise(o) for o in row.organisations)))
            else:
                continue  # two residents may share a name; the e-mail tells them apart
            if key in names:
                code = ("duplicate_organisation_in_file" if row.data.kind == Kind.ORGANISATION
                        else "duplicate_name_in_file")
                self.flag(row.number, "name", code, row=names[key])
            else:
                names[key] = row.number

    def duplicates_in_register(self, rows: list[Row]) -> None:
        active = Stakeholder.anonymised_at.is_(None)
        emails = sorted({row.data.email for row in rows if row.data.email})
        taken: set[str] = set()
        for chunk in _chunks(emails, BATCH):
            taken.update(db.session.scalars(select(Stakeholder.email).where(
                active, Stakeholder.email.in_(chunk))))
        organisations = sorted({services.normalise(row.data.name) for row in rows
                                if row.data.kind == Kind.ORGANISATION})
        existing: set[str] = set()
        for chunk in _chunks(organisations, BATCH):
            existing.update(db.session.scalars(select(Stakeholder.sort_name).where(
                active, Stakeholder.kind == Kind.ORGANISATION,
                Stakeholder.sort_name.in_(chunk))))
        for row in rows:
            if row.data.email in taken:
                self.flag(row.number, "email", "duplicate_email_in_register")
            if row.data.kind == Kind.ORGANISATION and \
                    services.normalise(row.data.name) in existing:
                self.flag(row.number, "name", "duplicate_organisation_in_register")

    def resolve_organisations(self, rows: list[Row]) -> None:
        in_file = {services.normalise(row.data.name) for row in rows
                   if row.data.kind == Kind.ORGANISATION}
        wanted = sorted({services.normalise(name) for row in rows for name in row.organisations}
                        - in_file)
        register: dict[str, list[int]] = {}
        for chunk in _chunks(wanted, BATCH):
            for stakeholder_id, sort_name in db.session.execute(
                    select(Stakeholder.id, Stakeholder.sort_name).where(
                        Stakeholder.anonymised_at.is_(None),
                        Stakeholder.kind == Kind.ORGANISATION,
                        Stakeholder.sort_name.in_(chunk))
                    .order_by(Stakeholder.archived, Stakeholder.id)):
                register.setdefault(sort_name, []).append(stakeholder_id)
        for row in rows:
            if row.data.kind != Kind.PERSON:
                continue
            for index, name in enumerate(row.organisations):
                key = services.normalise(name)
                function = (row.functions[index] or None) if index < len(row.functions) \
                    else None
                if key in in_file:
                    row.links.append(("file", key, function))
                elif len(register.get(key, [])) == 1:
                    row.links.append(("register", register[key][0], function))
                elif key in register:
                    self.flag(row.number, "organisation", "organisation_ambiguous",
                              value=name[:200])
                else:
                    self.flag(row.number, "organisation", "organisation_unknown",
                              value=name[:200])


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def check(sheet: Sheet, progress: Callable[[int], None] | None = None) -> Report:
    """The dry run: every row checked, nothing written."""
    return Checker(sheet).check(progress)


# --- importing ------------------------------------------------------------------------------

def import_rows(report: Report, *, actor: Any = None,
                progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Create every row of a clean report in the current transaction — organisations first,
    so people can join those further down the file — through the register's own services,
    which audit each stakeholder and membership. The caller commits."""
    if report.issues:
        raise DomainError(_("The file has rows with problems; nothing has been imported."))
    organisations = [row for row in report.rows if row.data.kind == Kind.ORGANISATION]
    persons = [row for row in report.rows if row.data.kind != Kind.ORGANISATION]
    total, done = len(report.rows), 0
    created: dict[str, Stakeholder] = {}
    links: list[tuple[Stakeholder, Any, str | None]] = []
    for group in (organisations, persons):
        for chunk in _chunks(group, BATCH):
            stakeholders = services.create_many([row.data for row in chunk], actor=actor)
            for row, stakeholder in zip(chunk, stakeholders, strict=True):
                if row.data.kind == Kind.ORGANISATION:
                    created[services.normalise(row.data.name)] = stakeholder
                links += [(stakeholder, (source, reference), function)
                          for source, reference, function in row.links]
            done += len(chunk)
            if progress:
                progress(round(done * 90 / total))
    register_ids = sorted({reference for _person, (source, reference), _function in links
                           if source == "register"})
    existing: dict[int, Stakeholder] = {}
    for ids in _chunks(register_ids, BATCH):
        existing.update((s.id, s) for s in db.session.scalars(
            select(Stakeholder).where(Stakeholder.id.in_(ids))))
    services.add_memberships([
        (person, created[reference] if source == "file" else existing[reference], function)
        for person, (source, reference), function in links], actor=actor)
    return {"created": total, "persons": len(persons), "organisations": len(organisations),
            "memberships": len(links)}


# --- uploads and jobs -----------------------------------------------------------------------

def store_upload(stream: Any, filename: str, declared_size: int | None = None) -> str:
    """Keep an uploaded file as ``imports/<uuid>.<ext>`` in the file storage after checking
    its type and size and that its content looks like what its name says; returns that key.
    ``declared_size`` (the request's Content-Length, when known) names the size of a file
    refused as too large, since reading stops just past the limit."""
    extension = Path(filename or "").suffix.lower()
    if extension not in EXTENSIONS:
        raise _refuse("file_type")
    remove_stale_uploads()
    relative = f"{UPLOAD_FOLDER}/{uuid.uuid4()}{extension}"
    limit, size = max_bytes(), 0
    head = b""
    # A refusal inside the writer leaves nothing stored.
    with storage().writer(relative) as handle:
        while chunk := stream.read(1024 * 1024):
            size += len(chunk)
            if size > limit:
                # Reading stops here. Name the size read if that was the whole file, else
                # the size the request declared, else only that it is over the limit.
                if not stream.read(1):
                    check_size(size)
                real = declared_size if (declared_size or 0) > size else None
                check_size(real or size, exact=real is not None)
            if len(head) < 8192:
                head += chunk[:8192 - len(head)]
            handle.write(chunk)
        if not head.strip():
            raise _refuse("empty")
        if extension == ".xlsx" and not head.startswith(b"PK\x03\x04"):
            raise _refuse("not_xlsx")
        if extension == ".csv" and (b"\x00" in head or head.startswith(b"PK\x03\x04")):
            raise _refuse("encoding")
    return relative


def stored_key(relative: str) -> str:
    """The stored upload ``relative`` names: only ``imports/<name>`` with a spreadsheet's
    extension."""
    folder, _slash, name = (relative or "").partition("/")
    if folder != UPLOAD_FOLDER or Path(name).suffix.lower() not in EXTENSIONS:
        raise _refuse("file_gone")
    try:
        return check_key(relative)
    except InvalidKey:
        raise _refuse("file_gone") from None


def read_stored(relative: str) -> Sheet:
    key = stored_key(relative)
    try:
        check_size(storage().size(key))  # before reading a byte of it
        data = storage().read(key)
    except FileNotFoundError:
        raise _refuse("file_gone") from None
    # In memory (at most KOERS_MAX_IMPORT_MB): a workbook is a zip, read by seeking.
    return read_file(io.BytesIO(data), Path(key).name)


def remove_upload(relative: str) -> None:
    """Remove an upload with its staged rows (see :func:`stage`)."""
    with contextlib.suppress(ImportFileError):
        storage().delete(stored_key(relative))
        storage().delete(staged_key(relative))


def remove_stale_uploads(now: float | None = None) -> int:
    """Remove uploads and staged rows older than :data:`UPLOAD_RETENTION` (checked but never
    imported; a running import keeps its staged rows fresh)."""
    cutoff = (now or time.time()) - UPLOAD_RETENTION.total_seconds()
    stale = [entry.key for entry in storage().entries(UPLOAD_FOLDER)
             if entry.modified.timestamp() < cutoff]
    for key in stale:
        storage().delete(key)
    return len(stale)


def upload_id(relative: str) -> str:
    return Path(relative).stem


def already_imported(relative: str) -> bool:
    """Whether this upload was imported: the audit event commits together with its rows."""
    return db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.entity_type == IMPORT_ENTITY, AuditEvent.entity_id == upload_id(relative),
        AuditEvent.action == "import").limit(1)) is not None


def _file_error(error: ImportFileError) -> dict[str, Any]:
    return {"state": "file_error", "problems": [[code, params] for code, params in
                                                error.problems]}


def _checked(context: JobContext, path: str, start: int, share: int) -> Report | dict[str, Any]:
    """Read the stored upload and check every row, reporting progress from ``start`` over
    ``share`` percent. A file or rows with problems give the job's result instead of a report,
    and the upload is removed: the corrected file comes as a new upload."""
    context.progress(2, _("Reading the file"))
    try:
        sheet = read_stored(path)
    except ImportFileError as error:
        remove_upload(path)
        return _file_error(error)
    context.progress(start, _("Checking the rows"))
    report = check(sheet, lambda percent: context.progress(
        start + percent * share // 100, _("Checking the rows")))
    if report.issues:
        remove_upload(path)
        return report.as_result()
    return report


def discard_upload(params: dict[str, Any]) -> None:
    """The import jobs' cleanup when one fails for good: the upload and its staged rows hold
    personal data that no retry will use."""
    if params.get("path"):
        remove_upload(str(params["path"]))


@job("stakeholders.import_check", on_failure=discard_upload)
def import_check_job(context: JobContext, path: str, name: str = "") -> dict[str, Any]:
    """The dry run as a job: counts and every bad row, nothing imported."""
    checked = _checked(context, path, 10, 85)
    return checked if isinstance(checked, dict) else checked.as_result()


# --- importing in steps ---------------------------------------------------------------------
# The check reads the register but writes nothing; its clean rows are then staged in a file
# next to the upload and applied in short transactions of KOERS_IMPORT_STEP_ROWS rows, each
# saving the job's checkpoint with its rows. SQLite admits one writer at a time: one
# transaction for the whole import kept every sign-in and edit waiting for minutes.

STAGED_SUFFIX = ".staged.jsonl"
#: How often a running import marks its staged rows as in use (far below UPLOAD_RETENTION).
TOUCH_SECONDS = 3600
#: The pause between two steps, so other writers get the lock. SQLite's busy handler retries
#: a waiting writer about every 100 ms (after its first few attempts), so a shorter pause
#: could fall between two of its attempts, step after step, until its busy_timeout ends.
PAUSE_SECONDS = {"sqlite": 0.12}
DEFAULT_PAUSE = 0.005  # PostgreSQL locks rows, not the database
LOCK_RETRIES = 4
_DATE_KEYS = ("consent_date", "retention_until")


def staged_key(relative: str) -> str:
    upload = stored_key(relative)
    return upload.rsplit(".", 1)[0] + STAGED_SUFFIX


def stage(report: Report, target: str) -> dict[str, int]:
    """Write a clean report's rows to the key ``target`` as JSON lines, in the order they are
    created (organisations first, so people can join those further down the file); the first
    line holds the counts. The storage writes a file whole or not at all."""
    organisations = [row for row in report.rows if row.data.kind == Kind.ORGANISATION]
    persons = [row for row in report.rows if row.data.kind != Kind.ORGANISATION]
    linked = {reference for row in persons for source, reference, _function in row.links
              if source == "file"}
    counts = {"created": len(report.rows), "persons": len(persons),
              "organisations": len(organisations),
              "memberships": sum(len(row.links) for row in report.rows)}
    with storage().writer(target) as raw:
        handle = io.TextIOWrapper(raw, encoding="utf-8")
        handle.write(json.dumps(counts) + "\n")
        for row in (*organisations, *persons):
            data = {key: getattr(row.data, key) for key in StakeholderData.__dataclass_fields__}
            for key in _DATE_KEYS:
                data[key] = data[key].isoformat() if data[key] else None
            line: dict[str, Any] = {"row": row.number, "data": data, "links": row.links}
            key = services.normalise(row.data.name)
            if row.data.kind == Kind.ORGANISATION and key in linked:
                line["key"] = key  # its id goes into the checkpoint for the people after it
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        handle.flush()
        handle.detach()  # the writer, not the wrapper, closes the file: that stores it
    return counts


def _staged_data(data: dict[str, Any]) -> StakeholderData:
    for key in _DATE_KEYS:
        data[key] = date.fromisoformat(data[key]) if data[key] else None
    return StakeholderData(**data)


def _locked(error: OperationalError) -> bool:
    return "locked" in str(error.orig).lower() or "busy" in str(error.orig).lower()


def _apply_step(context: JobContext, lines: list[dict[str, Any]], state: dict[str, Any],
                actor: Any, upload: str) -> dict[str, Any]:
    """One step in its own transaction: create the rows' stakeholders and memberships
    through the register's services (each audited) and save the checkpoint with them; the
    last step also records the import. Returns the new checkpoint."""
    created = services.create_many([_staged_data(dict(line["data"])) for line in lines],
                                   actor=actor)
    organisations = {**state["organisations"], **{
        line["key"]: stakeholder.id for line, stakeholder in zip(lines, created, strict=True)
        if "key" in line}}
    wanted = [(person, organisations.get(reference) if source == "file" else reference,
               function) for line, person in zip(lines, created, strict=True)
              for source, reference, function in line["links"]]
    found: dict[int, Stakeholder] = {}
    for ids in _chunks(sorted({i for _p, i, _f in wanted if i is not None}), BATCH):
        found.update((s.id, s) for s in db.session.scalars(
            select(Stakeholder).where(Stakeholder.id.in_(ids))))
    # An organisation of the register merged away since the check cannot be joined.
    links = [(person, found[i], function) for person, i, function in wanted
             if i in found and not found[i].is_person]
    services.add_memberships(links, actor=actor)
    checkpoint = {**state, "done": state["done"] + len(lines), "organisations": organisations,
                  "memberships": state["memberships"] + len(links),
                  "skipped": state["skipped"] + len(wanted) - len(links)}
    context.save_checkpoint(checkpoint)
    if checkpoint["done"] >= checkpoint["total"]:
        audit("import", (IMPORT_ENTITY, upload_id(upload)), actor=actor,
              changes={"rows": {"old": None, "new": checkpoint["total"]},
                       "memberships": {"old": None, "new": checkpoint["memberships"]}})
    db.session.commit()
    return checkpoint


def apply_staged(context: JobContext, upload: str, *, actor: Any = None,
                 progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Apply the staged rows of ``upload`` in steps, going on from the job's checkpoint;
    returns the last checkpoint (its counts are the import's)."""
    step = int(current_app.config["KOERS_IMPORT_STEP_ROWS"])
    pause = PAUSE_SECONDS.get(db.engine.dialect.name, DEFAULT_PAUSE)
    key = staged_key(upload)
    touched = time.monotonic()
    with io.TextIOWrapper(storage().open(key), encoding="utf-8") as handle:
        counts = json.loads(handle.readline())
        state: dict[str, Any] = {"done": 0, "total": counts["created"], "counts": counts,
                                 "organisations": {}, "memberships": 0, "skipped": 0}
        state.update(context.checkpoint or {})
        lines = (json.loads(line) for line in handle)
        for _applied in itertools.islice(lines, state["done"]):
            pass  # applied by an earlier attempt
        while state["done"] < state["total"]:
            chunk = list(itertools.islice(lines, step))
            if not chunk:
                raise RuntimeError("the staged rows end before their count")
            for attempt in range(LOCK_RETRIES):
                try:
                    state = _apply_step(context, chunk, state, actor, upload)
                    break
                except OperationalError as error:
                    db.session.rollback()  # the whole step; the checkpoint is as it was
                    if not _locked(error) or attempt == LOCK_RETRIES - 1:
                        raise
                    time.sleep(pause * (attempt + 2))
            if time.monotonic() - touched > TOUCH_SECONDS:
                storage().touch(key)  # in use: not stale
                touched = time.monotonic()
            if progress:
                progress(state["done"], state["total"])
            if state["done"] < state["total"]:
                time.sleep(pause)
    return state


@job("stakeholders.import", on_failure=discard_upload)
def import_job(context: JobContext, path: str, name: str = "",
               check_job: str = "") -> dict[str, Any]:
    """Check the file again (the register may have changed since), stage the rows and
    import them in short steps (see :func:`apply_staged`). A retry after an interruption
    goes on from the checkpoint with the staged rows, never checking them again: the rows
    already imported would look like duplicates. An upload that was imported is refused."""
    checkpoint = context.checkpoint or {}
    if already_imported(path):
        remove_upload(path)
        if checkpoint.get("done") and checkpoint["done"] >= checkpoint.get("total", 0):
            return _imported(checkpoint, None)  # the last step committed; the job did not
        return {"state": "already_imported"}
    if checkpoint.get("done"):
        if not storage().exists(staged_key(path)):
            return {"state": "file_error", "problems": [["staged_gone", {
                "done": checkpoint["done"], "total": checkpoint.get("total", 0)}]]}
    else:
        report = _checked(context, path, 5, 25)
        if isinstance(report, dict):
            return report
        stage(report, staged_key(path))
        del report  # from here on the staged file is read a step at a time
    started = time.perf_counter()
    def progress(done: int, total: int) -> None:
        context.progress(30 + done * 70 // max(total, 1), _(
            "Importing: %(done)s of %(total)s", done=format_number(done),
            total=format_number(total)))

    final = apply_staged(context, path, actor=started_by(context.job_id), progress=progress)
    remove_upload(path)
    return _imported(final, round(time.perf_counter() - started, 2))


def _imported(checkpoint: dict[str, Any], seconds: float | None) -> dict[str, Any]:
    counts = checkpoint.get("counts", {})
    return {"state": "imported", "created": checkpoint["total"],
            "persons": counts.get("persons", 0), "organisations": counts.get("organisations", 0),
            "memberships": checkpoint.get("memberships", 0),
            "skipped_memberships": checkpoint.get("skipped", 0), "seconds": seconds}


# --- exporting ------------------------------------------------------------------------------

_KIND_OUT = {Kind.PERSON.value: "persoon", Kind.ORGANISATION.value: "organisatie"}
_GROUND_OUT = {LegalGround.PUBLIC_TASK.value: "publieke taak",
               LegalGround.CONSENT.value: "toestemming"}


def _export_stakeholders(filters: Filters) -> Iterator[tuple[Stakeholder, list[Any]]]:
    """Stakeholders matching ``filters`` in list order, with their memberships; erased
    persons never (the list query leaves them out). A bounded number of queries per 500."""
    ids = list(db.session.scalars(services.list_query(filters).with_only_columns(
        Stakeholder.id)))
    for chunk in _chunks(ids, BATCH):
        loaded = {s.id: s for s in db.session.scalars(select(Stakeholder).where(and_(
            Stakeholder.id.in_(chunk), Stakeholder.anonymised_at.is_(None))))}
        memberships = services.memberships_of([i for i in chunk if i in loaded])
        for stakeholder_id in chunk:
            if stakeholder_id in loaded:
                yield loaded[stakeholder_id], memberships.get(stakeholder_id, [])


def export_rows(filters: Filters) -> Iterator[list[Any]]:
    """The header, then one row per stakeholder, in the import's columns; text neutralised."""
    yield HEADERS
    for stakeholder, memberships in _export_stakeholders(filters):
        members = [m for m in memberships if not m.organisation.is_erased]
        values = {
            "name": stakeholder.name, "kind": _KIND_OUT.get(stakeholder.kind, stakeholder.kind),
            "organisation": " | ".join(m.organisation.name for m in members),
            "function": " | ".join(m.function or "" for m in members)
            if any(m.function for m in members) else "",
            "email": stakeholder.email, "phone": stakeholder.phone,
            "address": stakeholder.address, "postcode": stakeholder.postcode,
            "place": stakeholder.place, "website": stakeholder.website,
            "categories": ", ".join(stakeholder.category_codes),
            "tags": ", ".join(stakeholder.tag_names), "notes": stakeholder.notes,
            "legal_ground": _GROUND_OUT.get(stakeholder.legal_ground, stakeholder.legal_ground),
            "consent_purpose": stakeholder.consent_purpose,
            "consent_date": stakeholder.consent_date,
            "consent_source": stakeholder.consent_source,
            "retention_until": stakeholder.retention_until,
        }
        yield [neutralise(values[column.key] if values[column.key] is not None else "")
               for column in COLUMNS]


def export_csv(rows: Iterable[list[Any]]) -> bytes:
    """The list as CSV for Excel on Dutch Windows (see :func:`spreadsheets.write_csv`)."""
    return spreadsheets.write_csv(rows)


def export_xlsx(rows: Iterable[list[Any]]) -> bytes:
    """The list as a workbook with one sheet, "Stakeholders" in the user's language."""
    return spreadsheets.write_xlsx(rows, str(_l("Stakeholders")))


def export(filters: Filters, file_format: str, *, actor: Any = None) -> tuple[bytes, int]:
    """The filtered list as a CSV or XLSX file and the number of stakeholders in it; audited
    with the count and the filters, never a value from the rows (nor the search words)."""
    rows = list(export_rows(filters))
    content = export_xlsx(rows) if file_format == "xlsx" else export_csv(rows)
    changes: dict[str, Any] = {"rows": {"old": None, "new": len(rows) - 1},
                               "format": {"old": None, "new": file_format}}
    for name in ("kind", "category", "tag"):
        if getattr(filters, name):
            changes[name] = {"old": None, "new": getattr(filters, name)}
    if filters.q:
        changes["search"] = {}  # that it was searched, not for what (it may be a name)
    audit("export", ("stakeholders", "list"), actor=actor, changes=changes)
    return content, len(rows) - 1


def template_csv() -> bytes:
    """An empty import file: the header row only."""
    return export_csv([HEADERS])
