"""Reading e-mailed reactions: ``.eml`` files (the standard library's :mod:`email` with the
modern policy), Outlook ``.msg`` files (:mod:`extract_msg`) and ``.zip`` files of them.

What a message gives a reaction: the sender's name and address (From), the day it was received
(its Date, as a date in Europe/Amsterdam), the text (the plain body, or the HTML body reduced
to text by :mod:`inscriptis`), its attachments (checked later by content, as any attachment
of input) and a reference that makes the same message recognisable a second time: its
Message-ID, or a SHA-256 of the raw message when it has none.

Reading refuses nothing by raising: every problem is a code with parameters on the file or the
message it concerns, so the dry run lists them all. A zip is opened with bounds — at most
:data:`MAX_MESSAGES` members, each and all together within the import limits, no paths that
climb out (``..``, absolute, drive letters) and no zip inside a zip — since a small zip may
unfold into gigabytes.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

#: At most this many messages in one import (files and zip members together).
MAX_MESSAGES = 500
#: The e-mail file types read; spreadsheets are read by :mod:`app.spreadsheets`.
MAIL_EXTENSIONS = (".eml", ".msg", ".zip")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
#: (code, parameters) per problem, worded when shown (intake.message).
Problems = list[tuple[str, dict[str, Any]]]


@dataclass
class MailAttachment:
    name: str
    data: bytes


@dataclass
class Message:
    """One message as read; ``problems`` are (code, parameters) found while reading."""

    label: str  # the file's name, or "archive.zip: member.eml"
    ref: str = ""
    sender_name: str = ""
    sender_email: str = ""
    received_on: date | None = None
    subject: str = ""
    text: str = ""
    attachments: list[MailAttachment] = field(default_factory=list)
    problems: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def unpacked_limit() -> int:
    return int(current_app.config["KOERS_IMPORT_MAX_UNPACKED_MB"]) * 1024 * 1024


def member_limit() -> int:
    return int(current_app.config["KOERS_MAX_IMPORT_MB"]) * 1024 * 1024


def raw_ref(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def message_ref(message_id: str | None, data: bytes) -> str:
    """The Message-ID (without its angle brackets, at most 255 characters), else a hash."""
    cleaned = (message_id or "").strip().strip("<>").strip()
    return f"mid:{cleaned}"[:255] if cleaned else raw_ref(data)


def html_text(html: str) -> str:
    from inscriptis import get_text  # imported when needed: most messages are plain text

    return get_text(html)


def local_day(moment: datetime) -> date:
    """The day in Amsterdam a moment fell on (a moment without a zone counts as Amsterdam's)."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(AMSTERDAM).date()


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip()


# --- .eml -----------------------------------------------------------------------------------

def _eml_sender(parsed: EmailMessage, message: Message) -> None:
    try:
        header = parsed["From"]
        addresses: tuple[Address, ...] = tuple(header.addresses) if header else ()
    except (AttributeError, IndexError, TypeError, ValueError):
        addresses = ()
    if not addresses or not addresses[0].addr_spec or "@" not in addresses[0].addr_spec:
        message.problems.append(("no_sender", {}))
        return
    message.sender_name = " ".join((addresses[0].display_name or "").split())
    message.sender_email = addresses[0].addr_spec


def _eml_date(parsed: EmailMessage, message: Message) -> None:
    value = parsed.get("Date")
    moment = None
    if value:
        try:
            moment = getattr(value, "datetime", None) or parsedate_to_datetime(str(value))
        except (TypeError, ValueError, IndexError):
            moment = None
    if moment is None:
        message.problems.append(("no_date", {}))
    else:
        message.received_on = local_day(moment)


def _eml_text(parsed: EmailMessage) -> str:
    body = parsed.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    try:
        content = body.get_content()
    except (LookupError, ValueError, AssertionError):
        return ""
    if not isinstance(content, str):
        return ""
    return html_text(content) if body.get_content_subtype() == "html" else content


def _eml_attachments(parsed: EmailMessage) -> list[MailAttachment]:
    found = []
    for part in parsed.iter_attachments():
        try:
            data = part.get_payload(decode=True)
        except (LookupError, ValueError):
            data = None
        if isinstance(data, bytes):
            found.append(MailAttachment(part.get_filename() or "bijlage", data))
    return found


def read_eml(data: bytes, label: str) -> Message:
    message = Message(label=label)
    try:
        parsed = BytesParser(policy=policy.default).parsebytes(data)
    except Exception:  # any parser failure is "not a message"
        message.problems.append(("not_eml", {}))
        return message
    if not isinstance(parsed, EmailMessage) or not parsed.keys():
        message.problems.append(("not_eml", {}))
        return message
    message.ref = message_ref(str(parsed.get("Message-ID") or ""), data)
    message.subject = " ".join(str(parsed.get("Subject") or "").split())
    _eml_sender(parsed, message)
    _eml_date(parsed, message)
    message.text = _tidy(_eml_text(parsed))
    message.attachments = _eml_attachments(parsed)
    return message


# --- .msg -----------------------------------------------------------------------------------

def _msg_stream(msg: Any, tag: str) -> str:
    value = msg.getStringStream(f"__substg1.0_{tag}")
    return " ".join(str(value).split()) if value else ""


def _msg_fill(msg: Any, message: Message, data: bytes) -> None:
    message.ref = message_ref(getattr(msg, "messageId", None), data)
    message.subject = " ".join(str(msg.subject or "").split())
    address = _msg_stream(msg, "0C1F") or _msg_stream(msg, "0065") \
        or _msg_stream(msg, "5D01")
    if "@" not in address:
        message.problems.append(("no_sender", {}))
    else:
        message.sender_email = address
        message.sender_name = _msg_stream(msg, "0C1A") or _msg_stream(msg, "0042")
    moment = msg.date if isinstance(msg.date, datetime) else None
    if moment is None:
        message.problems.append(("no_date", {}))
    else:
        message.received_on = local_day(moment)
    body = msg.body or ""
    if not body.strip() and msg.htmlBody:
        html = msg.htmlBody
        body = html_text(html.decode("utf-8", "replace") if isinstance(html, bytes) else html)
    message.text = _tidy(body)
    for attachment in msg.attachments:
        content = getattr(attachment, "data", None)
        if isinstance(content, bytes):
            message.attachments.append(MailAttachment(
                attachment.longFilename or attachment.shortFilename or "bijlage", content))


def read_msg(data: bytes, label: str) -> Message:
    """An Outlook message. Only bytes that are an OLE compound file reach the parser (it takes
    short bytes for a file name)."""
    message = Message(label=label)
    if not data.startswith(OLE_MAGIC) or len(data) < 1536:
        message.problems.append(("not_msg", {}))
        return message
    import extract_msg  # imported when needed: it loads a large set of modules

    try:
        msg = extract_msg.openMsg(data)
    except Exception:  # any refusal of the parser means "not a message"
        message.problems.append(("not_msg", {}))
        return message
    try:
        if not isinstance(msg, extract_msg.Message):
            message.problems.append(("not_msg", {}))
            return message
        _msg_fill(msg, message, data)
    except Exception:  # a damaged message is reported, never a crash
        message.problems.append(("not_msg", {}))
    finally:
        msg.close()
    return message


# --- .zip -----------------------------------------------------------------------------------

def _unsafe(name: str) -> bool:
    normal = name.replace("\\", "/")
    return normal.startswith("/") or (len(normal) > 1 and normal[1] == ":") \
        or ".." in normal.split("/")


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes | None:
    """The member's bytes, or None when it unpacks past ``limit`` (its declared size is not
    trusted: reading stops one byte past the limit)."""
    with archive.open(info) as handle:
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def read_zip(data: bytes, label: str) -> tuple[list[Message], Problems]:
    """The messages in a zip, or the zip's own problems (then no message is read)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError):
        return [], [("not_zip", {})]
    problems: Problems = []
    unsafe = [info.filename for info in members if _unsafe(info.filename)]
    if unsafe:
        problems.append(("zip_paths", {"names": ", ".join(unsafe[:5])}))
    nested = [info.filename for info in members
              if info.filename.lower().endswith(".zip")]
    if nested:
        problems.append(("zip_nested", {"names": ", ".join(nested[:5])}))
    if len(members) > MAX_MESSAGES:
        problems.append(("too_many_messages", {"limit": MAX_MESSAGES}))
    if problems:
        return [], problems
    messages: list[Message] = []
    budget = unpacked_limit()
    for info in members:
        base = posixpath.basename(info.filename.replace("\\", "/"))
        if base.startswith(".") or info.filename.startswith("__MACOSX/"):
            continue  # a Mac's or a shell's leftovers, not messages
        try:
            content = _read_member(archive, info, min(member_limit(), budget))
        except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError, EOFError,
                ValueError):
            return [], [("not_zip", {})]
        if content is None:
            return [], [("zip_too_large", {"limit": unpacked_limit() // 1024 // 1024})]
        budget -= len(content)
        if content.startswith(ZIP_MAGIC):
            return [], [("zip_nested", {"names": info.filename})]
        messages.append(_member_message(content, f"{label}: {info.filename}", base))
    return messages, []


def _member_message(content: bytes, label: str, base: str) -> Message:
    extension = posixpath.splitext(base)[1].lower()
    if extension == ".msg":
        return read_msg(content, label)
    if extension == ".eml":
        return read_eml(content, label)
    message = Message(label=label)
    message.problems.append(("member_type", {}))
    return message


def read_mail_file(data: bytes, name: str) -> tuple[list[Message], Problems]:
    """The messages of one uploaded file (.eml, .msg or .zip), or the file's own problems."""
    extension = posixpath.splitext(name.lower())[1]
    if extension == ".zip":
        return read_zip(data, name)
    if extension == ".msg":
        return [read_msg(data, name)], []
    return [read_eml(data, name)], []
