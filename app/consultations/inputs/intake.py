"""Importing written reactions at volume: rows of a spreadsheet (as the post room or the
document management system exports them) and e-mail files (:mod:`.mailfiles`).

* **Reading** turns every row and every message into an :class:`Entry`: the sender as given,
  the dates, channel, text, themes, co-signatories and attachments, and where it came from
  (``source_ref``: a message's Message-ID or hash, a row's hash), so the same reaction is never
  imported twice into one consultation.
* **Checking** (:func:`check`, the dry run) gives every entry its problems and what the
  import will do with it: the sender matched in the register (by e-mail address, then by name
  and postcode, :func:`senders.match_in`), a new sender, or a new sender with namesakes in the
  register — created, and flagged with a link to the register's merge. Two reactions of one
  new sender in a file make one stakeholder. The check only reads, with a bounded number of
  queries whatever the number of entries.
* **Importing** (:func:`import_entries`) writes everything in the caller's one transaction —
  new senders (legal ground "public task", audited by the register), the inputs
  (:func:`services.add_inputs`, audited), their attachments (checked by content,
  :mod:`.attachments`) — or nothing: it refuses while any entry has a problem.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app import spreadsheets
from app.consultations.inputs import attachments, senders, services
from app.consultations.inputs.mailfiles import (
    MAIL_EXTENSIONS,
    MAX_MESSAGES,
    MailAttachment,
    Message,
    Problems,
    member_limit,
    read_mail_file,
)
from app.consultations.inputs.models import Input
from app.consultations.inputs.services import InputData
from app.consultations.models import Consultation
from app.consultations.rules import refuse_read_only_plan
from app.database import db
from app.errors import DomainError
from app.plans.models import Theme
from app.stakeholders import services as register
from app.stakeholders.models import Kind, LegalGround, Stakeholder
from app.stakeholders.services import StakeholderData
from app.storage import InvalidKey, storage
from app.translate import lazy_gettext as _l

SHEET_EXTENSIONS = spreadsheets.EXTENSIONS

# Problems and outcomes are stored as codes with parameters and worded when shown.
MESSAGES: dict[str, Any] = {
    "no_sender": _l("No sender: the message has no From address, or the row no name or "
                    "e-mail address."),
    "no_date": _l("No date: the message has no Date header."),
    "no_received": _l("The received date is missing."),
    "date_invalid": _l("“%(value)s” in “%(column)s” is not a date (dd-mm-jjjj)."),
    "date_future": _l("The date %(date)s lies after today."),
    "email_invalid": _l("“%(value)s” is not a valid e-mail address."),
    "theme_unknown": _l("Unknown theme: %(name)s."),
    "channel_unknown": _l("Unknown channel: %(value)s."),
    "no_text": _l("The reaction has no text."),
    "attachment_refused": _l("Attachment “%(name)s”: %(reason)s"),
    "invalid": _l("%(message)s"),
    "not_eml": _l("This is not an e-mail message (.eml)."),
    "not_msg": _l("This is not an Outlook message (.msg). Save the message from Outlook again, "
                  "or forward it and export it as .eml."),
    "not_zip": _l("This is not a readable zip file."),
    "zip_paths": _l("The zip file holds names that point outside it (%(names)s); it is not "
                    "opened."),
    "zip_nested": _l("The zip file holds another zip file (%(names)s); unpack it and upload "
                     "the messages."),
    "zip_too_large": _l("The zip file unpacks to more than %(limit)d MB; it is not opened."),
    "too_many_messages": _l("More than %(limit)d messages: split them over several imports."),
    "member_type": _l("Only .eml and .msg files are read from a zip file."),
    "file_type": _l("Only .eml, .msg and .zip files, CSV files and Excel workbooks can be "
                    "imported."),
    "sheet": _l("%(message)s"),
    "in_file_twice": _l("The same message is in the upload twice; it is imported once."),
    "already_imported": _l("Already imported as reaction %(number)d; it is skipped."),
}


def message(code: str, params: dict[str, Any] | None = None) -> str:
    template = MESSAGES.get(code)
    if template is None:
        return code
    return str(template) % params if params else str(template)


# --- columns of a spreadsheet ---------------------------------------------------------------

#: Field key → the Dutch column name first, then the names also accepted.
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("afzender", "naam", "name", "sender"),
    "email": ("e-mail", "email", "e-mailadres", "mail"),
    "address": ("adres", "address"),
    "postcode": ("postcode", "postal code", "zip code"),
    "place": ("woonplaats", "plaats", "place", "city"),
    "organisation": ("organisatie", "organisation", "organization"),
    "received_on": ("ontvangen op", "ontvangen", "ontvangstdatum", "received on", "received"),
    "postmarked_on": ("poststempel", "postmark", "postmarked on"),
    "channel": ("kanaal", "channel"),
    "text": ("tekst", "originele tekst", "text", "original text"),
    "summary": ("samenvatting", "summary"),
    "themes": ("thema's", "themas", "thema", "themes"),
    "co_signers": ("medeondertekenaars", "co-signatories", "cosignatories", "co-signers"),
}


def _key(text: Any) -> str:
    return re.sub(r"[^a-z0-9]", "", register.normalise(str(text)))


_HEADER_KEYS = {_key(name): key for key, names in COLUMNS.items() for name in names}
_CHANNELS = {_key(code): code for code in services.CHANNELS} | {
    "email": "e-mail", "mail": "e-mail", "letter": "brief", "post": "brief",
    "webform": "webformulier", "formulier": "webformulier", "oral": "mondeling"}


# --- entries --------------------------------------------------------------------------------

@dataclass
class Entry:
    """One row or message: what it gives, its problems, and what the import will do."""

    label: str
    channel: str
    sender: StakeholderData | None = None
    co_signers: list[StakeholderData] = field(default_factory=list)
    received_on: date | None = None
    postmarked_on: date | None = None
    text: str = ""
    summary: str | None = None
    theme_names: list[str] = field(default_factory=list)
    files: list[MailAttachment] = field(default_factory=list)
    source_ref: str | None = None
    problems: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # what the check found
    skip: tuple[str, dict[str, Any]] | None = None
    theme_ids: list[int] = field(default_factory=list)
    uploads: list[attachments.Upload] = field(default_factory=list)
    sender_id: int | None = None  # matched in the register
    sender_key: str | None = None  # a new sender: the key it is created under
    namesakes: list[Stakeholder] = field(default_factory=list)
    signer_keys: list[tuple[int | None, str | None]] = field(default_factory=list)

    def problem(self, code: str, **params: Any) -> None:
        self.problems.append((code, params))

    @property
    def ready(self) -> bool:
        return not self.problems and self.skip is None


def _row_hash(values: dict[str, Any]) -> str:
    text = "\x1f".join(f"{key}={values.get(key, '')}" for key in sorted(COLUMNS))
    return "row:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _date(entry: Entry, values: dict[str, Any], key: str, column: str) -> date | None:
    value = values.get(key, "")
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    from app.stakeholders.transfer import parse_date  # the register's reading of a date

    try:
        return parse_date(text)
    except ValueError:
        entry.problem("date_invalid", value=text[:40], column=column)
        return None


def _person(text: str) -> StakeholderData:
    text = " ".join(text.split())
    return StakeholderData(name=text, email=text) if "@" in text else StakeholderData(name=text)


def _row_sender(values: dict[str, str]) -> StakeholderData | None:
    name, email = values.get("name", ""), values.get("email", "")
    organisation = values.get("organisation", "")
    if not (name or email or organisation):
        return None
    kind = Kind.PERSON.value if name or not organisation else Kind.ORGANISATION.value
    return StakeholderData(name=name or organisation or email, kind=kind, email=email or None,
                           address=values.get("address") or None,
                           postcode=values.get("postcode") or None,
                           place=values.get("place") or None)


def row_entry(number: int, values: dict[str, Any], headers: dict[str, str],
              default_channel: str = "brief") -> Entry:
    """A spreadsheet row as an entry (its values as read, its reading problems)."""
    texts = {key: str(value).strip() for key, value in values.items()
             if not isinstance(value, date)}
    channel_text = texts.get("channel", "")
    entry = Entry(label=str(_l("Row %(number)d", number=number)),
                  channel=_CHANNELS.get(_key(channel_text), "") if channel_text
                  else default_channel, source_ref=_row_hash(values))
    if channel_text and not entry.channel:
        entry.problem("channel_unknown", value=channel_text[:40])
        entry.channel = default_channel
    entry.sender = _row_sender(texts)
    entry.received_on = _date(entry, values, "received_on", headers.get("received_on", ""))
    entry.postmarked_on = _date(entry, values, "postmarked_on",
                                headers.get("postmarked_on", ""))
    summary = texts.get("summary") or None
    entry.text = texts.get("text") or summary or ""
    entry.summary = summary
    entry.theme_names = [part.strip() for part in texts.get("themes", "").split(";")
                         if part.strip()]
    entry.co_signers = [_person(part) for part in texts.get("co_signers", "").split(";")
                        if part.strip()]
    return entry


def message_entry(mail: Message) -> Entry:
    """A message as an entry: channel e-mail; the subject stands in for an empty body."""
    entry = Entry(label=mail.label, channel="e-mail", source_ref=mail.ref or None,
                  received_on=mail.received_on, text=mail.text or mail.subject,
                  files=list(mail.attachments), problems=list(mail.problems))
    if mail.sender_email:
        entry.sender = StakeholderData(name=mail.sender_name or mail.sender_email,
                                       email=mail.sender_email)
    return entry


class SheetRefused(spreadsheets.SpreadsheetError):
    """A spreadsheet whose header cannot be read as reactions."""

    @staticmethod
    def describe(code: str, params: dict[str, Any]) -> str:
        return message(code, params)


def sheet_entries(data: bytes, filename: str) -> list[Entry]:
    """The rows of a CSV or XLSX file; raises :class:`~app.spreadsheets.SpreadsheetError`
    for the file as a whole (its type, size, encoding or header)."""
    records = spreadsheets.records(io.BytesIO(data), filename)
    positions: dict[int, str] | None = None
    headers: dict[str, str] = {}
    entries = []
    for number, cells in records:
        if not any(str(cell).strip() for cell in cells):
            continue
        if positions is None:
            positions, headers = _header(cells)
            continue
        values = {key: (cells[position] if position < len(cells) else "")
                  for position, key in positions.items()}
        values = {key: value if isinstance(value, date) else spreadsheets.unneutralise(
            str(value).strip()) for key, value in values.items()}
        entries.append(row_entry(number, values, headers))
    if positions is None or not entries:
        raise spreadsheets.refuse("empty")
    return entries


def _header(cells: list[Any]) -> tuple[dict[int, str], dict[str, str]]:
    positions: dict[int, str] = {}
    headers: dict[str, str] = {}
    for position, cell in enumerate(cells):
        text = str(cell).strip().lstrip("\ufeff").strip()
        key = _HEADER_KEYS.get(_key(text)) if text else None
        if key is not None and key not in headers:
            positions[position] = key
            headers[key] = text
    if not {"name", "email", "organisation"} & set(headers) or \
            not {"text", "summary"} & set(headers):
        raise SheetRefused([("sheet", {"message": str(_l(
            "The first row must name the columns: at least “afzender” (or “e-mail”) and "
            "“tekst” (or “samenvatting”). Known columns: %(known)s.",
            known=", ".join(names[0] for names in COLUMNS.values())))})])
    return positions, headers


# --- the check (the dry run) ----------------------------------------------------------------

@dataclass
class Report:
    """Every entry with its problems and outcome, the new senders to create (by key) and the
    file-level problems (per file name)."""

    entries: list[Entry]
    new_senders: dict[str, StakeholderData] = field(default_factory=dict)
    file_problems: list[tuple[str, list[tuple[str, dict[str, Any]]]]] = field(
        default_factory=list)

    @property
    def bad(self) -> int:
        return sum(1 for entry in self.entries if entry.problems) + len(self.file_problems)

    @property
    def ready(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.ready]

    @property
    def can_import(self) -> bool:
        return not self.bad and bool(self.ready)

    def counts(self) -> dict[str, int]:
        ready = self.ready
        return {"total": len(self.entries), "ready": len(ready), "bad": self.bad,
                "skipped": sum(1 for entry in self.entries if entry.skip and not entry.problems),
                "matched": sum(1 for entry in ready if entry.sender_id),
                "new_senders": len(self.new_senders),
                "flagged": len({entry.sender_key for entry in ready
                                if entry.sender_key and entry.namesakes})}


def default_kind(consultation: Consultation) -> str:
    """A zienswijze in a comment period (as the reaction form defaults), else an idea."""
    kinds = services.input_kinds()
    if consultation.is_comment_period and "zienswijze" in kinds:
        return "zienswijze"
    return "idee" if "idee" in kinds else next(iter(kinds))


def _clean_sender(entry: Entry, sender: StakeholderData) -> StakeholderData | None:
    try:
        return replace(sender, legal_ground=LegalGround.PUBLIC_TASK.value, categories=[],
                       tags=[]).cleaned()
    except DomainError as error:
        if error.field == "email":
            entry.problem("email_invalid", value=(sender.email or "")[:80])
        else:
            entry.problem("invalid", message=str(error.message))
        return None


def _sender_key(data: StakeholderData) -> str:
    """One new sender per key in a file: the e-mail address, else the name and postcode."""
    if data.email:
        return f"email:{data.email.lower()}"
    return f"name:{register.normalise(data.name)}|{senders.postcode_key(data.postcode)}"


def _resolve(report: Report, data: StakeholderData, candidates: list[Stakeholder]
             ) -> tuple[int | None, str | None, list[Stakeholder]]:
    """The register's id of a sender, or the key of the new sender it becomes (first seen in
    the file wins: two reactions of one new sender make one stakeholder)."""
    found, namesakes = senders.match_in(data, candidates)
    if found is not None:
        return found.id, None, []
    key = _sender_key(data)
    report.new_senders.setdefault(key, data)
    return None, key, namesakes


def _check_values(entry: Entry, consultation: Consultation, themes: dict[str, int],
                  today: date) -> None:
    if entry.sender is None and not any(code == "no_sender" for code, _p in entry.problems):
        entry.problem("no_sender")
    if entry.received_on is None and not entry.problems:
        entry.problem("no_received")
    for day in (entry.received_on, entry.postmarked_on):
        if day is not None and day > today:
            entry.problem("date_future", date=day.strftime("%d-%m-%Y"))
    entry.theme_ids = []
    for name in entry.theme_names:
        if register.normalise(name) in themes:
            entry.theme_ids.append(themes[register.normalise(name)])
        else:
            entry.problem("theme_unknown", name=name[:80])
    if not entry.text.strip() and not entry.problems:
        entry.problem("no_text")
    for file in entry.files:
        try:
            entry.uploads.append(attachments.read_upload(io.BytesIO(file.data), file.name))
        except DomainError as error:
            entry.problem("attachment_refused", name=file.name[:80], reason=str(error.message))


def _check_input(entry: Entry, consultation: Consultation, kind: str,
                 known: services.Known) -> None:
    """The one validation of input (text, kind, channel, dates, themes) on the entry."""
    try:
        services.InputData(original_text=entry.text, kind=kind, channel=entry.channel,
                           summary=entry.summary, received_on=entry.received_on,
                           postmarked_on=entry.postmarked_on,
                           theme_ids=entry.theme_ids).cleaned(known)
    except DomainError as error:
        entry.problem("invalid", message=str(error.message))


def _mark_repeats(consultation: Consultation, entries: list[Entry]) -> None:
    """A reaction already imported, or twice in the upload, is skipped (the first is kept)."""
    refs = sorted({entry.source_ref for entry in entries if entry.source_ref})
    imported: dict[str, int] = {}
    for start in range(0, len(refs), 500):
        imported.update(db.session.execute(select(Input.source_ref, Input.number).where(
            Input.consultation_id == consultation.id,
            Input.source_ref.in_(refs[start:start + 500]))).all())
    seen: set[str] = set()
    for entry in entries:
        if entry.source_ref in imported:
            entry.skip = ("already_imported", {"number": imported[entry.source_ref]})
        elif entry.source_ref in seen:
            entry.skip = ("in_file_twice", {})
        elif entry.source_ref:
            seen.add(entry.source_ref)


def check(consultation: Consultation, entries: list[Entry],
          file_problems: Iterable[tuple[str, list[tuple[str, dict[str, Any]]]]] = (),
          today: date | None = None) -> Report:
    """The dry run: every entry's problems and outcome. Reads only, with a bounded number of
    queries: the themes, the imported references, and the register's candidates."""
    today = today or date.today()
    report = Report(entries=entries, file_problems=list(file_problems))
    themes = {register.normalise(name): theme_id for theme_id, name in db.session.execute(
        select(Theme.id, Theme.name).where(Theme.plan_id == consultation.plan_id)).all()}
    known = services.Known.of(consultation, set())
    kind = default_kind(consultation)
    _mark_repeats(consultation, entries)
    cleaned: dict[int, StakeholderData | None] = {}
    signers: dict[int, list[StakeholderData | None]] = {}
    for entry in entries:
        _check_values(entry, consultation, themes, today)
        if not entry.problems:
            _check_input(entry, consultation, kind, known)
        cleaned[id(entry)] = _clean_sender(entry, entry.sender) if entry.sender else None
        signers[id(entry)] = [_clean_sender(entry, signer) for signer in entry.co_signers]
    every = [data for data in cleaned.values() if data] + [
        data for found in signers.values() for data in found if data]
    candidates = senders.candidates_for(every)
    for entry in entries:
        data = cleaned[id(entry)]
        if entry.problems or entry.skip or data is None:
            continue
        entry.sender_id, entry.sender_key, entry.namesakes = _resolve(report, data, candidates)
        for signer in signers[id(entry)]:
            if signer is not None:
                signer_id, signer_key, _names = _resolve(report, signer, candidates)
                entry.signer_keys.append((signer_id, signer_key))
    used = {entry.sender_key for entry in report.ready} | {
        key for entry in report.ready for _sid, key in entry.signer_keys}
    report.new_senders = {key: data for key, data in report.new_senders.items() if key in used}
    return report


# --- the import -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Imported:
    numbers: list[int]
    new_senders: int
    attachments: int
    #: new stakeholder id → the ids of its namesakes in the register (to merge, perhaps)
    flagged: dict[int, list[int]]


def import_entries(consultation: Consultation, report: Report, *, actor: Any = None
                   ) -> Imported:
    """Everything the check made ready, in the caller's transaction (flushes, never
    commits); refuses when any entry or file has a problem, so nothing is half imported."""
    refuse_read_only_plan(consultation)
    if not report.can_import:
        raise DomainError(_l("The upload has problems or nothing to import; nothing has been "
                             "imported."), field="file")
    keys = list(report.new_senders)
    created = dict(zip(keys, register.create_many(
        [report.new_senders[key] for key in keys], actor=actor), strict=True))
    kind = default_kind(consultation)
    ready = report.ready
    items = [InputData(
        original_text=entry.text, kind=kind, channel=entry.channel,
        stakeholder_id=entry.sender_id or created[entry.sender_key].id,  # type: ignore[index]
        summary=entry.summary, received_on=entry.received_on,
        postmarked_on=entry.postmarked_on, theme_ids=entry.theme_ids,
        co_signatory_ids=[sid or created[key].id for sid, key in entry.signer_keys  # type: ignore[index]
                          ], source_ref=entry.source_ref) for entry in ready]
    records = services.add_inputs(consultation, items, actor=actor)
    count = 0
    for entry, record in zip(ready, records, strict=True):
        for upload in entry.uploads:
            attachments.add_attachment(record, upload, actor=actor)
            count += 1
    flagged = {created[entry.sender_key].id: [s.id for s in entry.namesakes]
               for entry in ready if entry.sender_key and entry.namesakes}
    return Imported(numbers=[record.number for record in records], new_senders=len(created),
                    attachments=count, flagged=flagged)


# --- uploads --------------------------------------------------------------------------------
# An upload holds personal data: it is kept in the file storage under reaction-imports/
# <random id>/ (the files by number, their names in meta.json) only from the upload to the
# import, and removed then, or when the adviser starts again, or after UPLOAD_RETENTION.

UPLOAD_FOLDER = "reaction-imports"
UPLOAD_RETENTION = timedelta(days=2)
_ID = re.compile(r"[0-9a-f]{32}")


def _folder(upload_id: str) -> str | None:
    """The upload's folder key, when ``upload_id`` is one (its meta.json exists)."""
    if not _ID.fullmatch(upload_id or ""):
        return None
    folder = f"{UPLOAD_FOLDER}/{upload_id}"
    return folder if storage().exists(f"{folder}/meta.json") else None


def _file_name(name: str) -> str:
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(char for char in base if char.isprintable()).strip()[:200]


def store_upload(files: list[tuple[str, Any]], consultation: Consultation, user_id: int | None
                 ) -> str:
    """Keep the uploaded ``(name, stream)`` files; refuses (DomainError on ``files``) an
    unknown type, more than MAX_MESSAGES files or more than KOERS_MAX_IMPORT_MB in all."""
    remove_stale_uploads()
    if not files:
        raise DomainError(_l("Choose one or more files."), field="files")
    if len(files) > MAX_MESSAGES:
        raise DomainError(message("too_many_messages", {"limit": MAX_MESSAGES}), field="files")
    allowed = (*SHEET_EXTENSIONS, *MAIL_EXTENSIONS)
    if any(Path(name).suffix.lower() not in allowed for name, _stream in files):
        raise DomainError(message("file_type"), field="files")
    upload_id = uuid.uuid4().hex
    folder = f"{UPLOAD_FOLDER}/{upload_id}"
    limit, total, names = member_limit(), 0, []
    try:
        for number, (name, stream) in enumerate(files):
            data = stream.read(limit - total + 1)
            total += len(data)
            if total > limit:
                raise DomainError(_l("The files are larger than %(limit)d MB together. Import "
                                     "them in parts.", limit=limit // 1024 // 1024),
                                  field="files")
            stored = f"{number}{Path(name).suffix.lower()}"
            storage().write(f"{folder}/{stored}", data)
            names.append({"name": _file_name(name), "stored": stored})
        _write_meta(folder, {"consultation": consultation.id, "user": user_id,
                             "files": names, "state": "uploaded"})
    except BaseException:
        storage().delete_folder(folder)
        raise
    return upload_id


def _write_meta(folder: str, meta: dict[str, Any]) -> None:
    storage().write(f"{folder}/meta.json", json.dumps(meta).encode())


def upload_meta(upload_id: str) -> dict[str, Any] | None:
    folder = _folder(upload_id)
    if folder is None:
        return None
    try:
        return json.loads(storage().read(f"{folder}/meta.json"))
    except FileNotFoundError:
        return None


def read_stored(upload_id: str) -> tuple[list[Entry], list[tuple[str, Problems]]]:
    """The entries of a stored upload, and the problems of files that could not be read."""
    folder = _folder(upload_id)
    meta = upload_meta(upload_id) or {"files": []}
    entries: list[Entry] = []
    problems: list[tuple[str, Problems]] = []
    mails = 0
    for file in meta["files"]:
        stored = Path(file["stored"]).name
        try:
            data = storage().read(f"{folder}/{stored}") if folder else None
        except (FileNotFoundError, InvalidKey):
            data = None
        if data is None:
            continue
        if Path(stored).suffix in SHEET_EXTENSIONS:
            try:
                entries += sheet_entries(data, stored)
            except spreadsheets.SpreadsheetError as error:
                problems.append((file["name"], [("sheet", {"message": error.message})]))
            continue
        messages, refused = read_mail_file(data, file["name"])
        if refused:
            problems.append((file["name"], refused))
        mails += len(messages)
        entries += [message_entry(mail) for mail in messages]
    if mails > MAX_MESSAGES:
        problems.append(("", [("too_many_messages", {"limit": MAX_MESSAGES})]))
    return entries, problems


def finish_upload(upload_id: str, result: dict[str, Any]) -> None:
    """After the import: the files go, the result stays (numbers and ids, no values)."""
    folder = _folder(upload_id)
    if folder is None:
        return
    meta = upload_meta(upload_id) or {}
    for file in meta.get("files", []):
        storage().delete(f"{folder}/{Path(file['stored']).name}")
    meta.update(state="imported", result=result, files=[])
    _write_meta(folder, meta)


def remove_upload(upload_id: str) -> None:
    folder = _folder(upload_id)
    if folder is not None:
        storage().delete_folder(folder)


def remove_stale_uploads(now: float | None = None) -> int:
    cutoff = (now or time.time()) - UPLOAD_RETENTION.total_seconds()
    stale = [name for name, modified in storage().folders(UPLOAD_FOLDER).items()
             if modified.timestamp() < cutoff]
    for name in stale:
        storage().delete_folder(f"{UPLOAD_FOLDER}/{name}")
    return len(stale)
