"""Attachments of input: scanned letters and other files, kept in the instance's file storage
(:mod:`app.storage`) under ``attachments/`` by a random name.

A file is accepted by what it **is**, not by what it is called: the first bytes must be those
of a PDF, PNG, JPEG, TIFF, GIF or WebP file (the file name and the browser's content type are
ignored), and it may not be larger than ``KOERS_MAX_ATTACHMENT_MB``. The original file name may
hold a resident's name: it stays in the database only, and the audit trail records that a file
was added or removed, never its name. Erasing the sender or a co-signatory replaces it with a
neutral name ("bijlage-12.pdf").
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import IO, Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from app.audit.services import audit
from app.consultations.inputs.models import Attachment, Input
from app.consultations.rules import refuse_read_only_plan
from app.database import db
from app.errors import DomainError
from app.labels import register as register_label
from app.storage import check_key, storage
from app.translate import lazy_gettext as _l

FOLDER = "attachments"
#: Read uploads in pieces of this size, so a large file is refused without being read whole.
CHUNK = 64 * 1024

#: (magic bytes at offset 0, content type, extension); WebP is checked apart (RIFF....WEBP).
SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"II*\x00", "image/tiff", ".tif"),
    (b"MM\x00*", "image/tiff", ".tif"),
    (b"GIF87a", "image/gif", ".gif"),
    (b"GIF89a", "image/gif", ".gif"),
)

register_label("action", "add_attachment", _l("added an attachment"))
register_label("action", "remove_attachment", _l("removed an attachment"))
register_label("field", "attachment", _l("Attachment"))


@dataclass(frozen=True)
class Upload:
    """A checked upload, held in memory (at most the configured limit)."""

    data: bytes
    content_type: str
    original_name: str


def sniff(head: bytes) -> str | None:
    """The content type the first bytes of a file show, or None for anything else."""
    for magic, content_type, _extension in SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def limit_bytes() -> int:
    return int(current_app.config["KOERS_MAX_ATTACHMENT_MB"]) * 1024 * 1024


def _clean_name(filename: str | None) -> str:
    """The base name as the user's computer called it, without folders or control
    characters, for the download's name."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable()).strip()
    return name[:255] or "attachment"


def read_upload(stream: IO[bytes], filename: str | None, *,
                field: str = "attachment") -> Upload:
    """Read and check an uploaded file; raises :class:`DomainError` on ``field`` when it is
    empty, too large or not a PDF or image."""
    limit = limit_bytes()
    parts: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise DomainError(str(_l(
                "The file is larger than %(limit)d MB. Scan it at a lower resolution, for "
                "example, and choose it again; everything else you entered is kept.",
                limit=current_app.config["KOERS_MAX_ATTACHMENT_MB"])), field=field)
        parts.append(chunk)
    data = b"".join(parts)
    if not data:
        raise DomainError(str(_l("The file is empty. Choose the file again.")), field=field)
    content_type = sniff(data[:16])
    if content_type is None:
        raise DomainError(str(_l(
            "The file is not a PDF or an image (PNG, JPEG, TIFF, GIF, WebP). Save the letter as "
            "one of those and choose it again; everything else you entered is kept.")),
            field=field)
    return Upload(data=data, content_type=content_type, original_name=_clean_name(filename))


def key_of(attachment: Attachment) -> str:
    """The stored file's key; only a plain name inside the attachments folder (InvalidKey
    otherwise)."""
    return check_key(f"{FOLDER}/{attachment.stored_name}")


def add_attachment(item: Input, upload: Upload, *, actor: Any = None) -> Attachment:
    """Store the checked file by a random name and record it with the input."""
    refuse_read_only_plan(consultation_id=item.consultation_id)
    extension = next((ext for _magic, kind, ext in SIGNATURES if kind == upload.content_type),
                     ".webp")
    stored_name = f"{uuid.uuid4().hex}{extension}"
    record = Attachment(input_id=item.id, original_name=upload.original_name,
                        stored_name=stored_name, content_type=upload.content_type,
                        size=len(upload.data),
                        sha256=hashlib.sha256(upload.data).hexdigest(),
                        uploaded_by_id=getattr(actor, "id", None))
    db.session.add(record)
    db.session.flush()
    storage().write(key_of(record), upload.data)
    audit("add_attachment", item, actor=actor, changes={
        "attachment": {"old": None, "new": record.id},
        "content_type": {"old": None, "new": record.content_type},
        "size": {"old": None, "new": record.size}})
    return record


def remove_attachment(attachment: Attachment, *, actor: Any = None) -> None:
    """Remove the record and its file; the audit trail keeps the record's number only."""
    item = db.session.get(Input, attachment.input_id)
    if item is not None:
        refuse_read_only_plan(consultation_id=item.consultation_id)
    key = key_of(attachment)
    audit("remove_attachment", item if item is not None else
          ("consultation_inputs", attachment.input_id), actor=actor,
          changes={"attachment": {"old": attachment.id, "new": None}})
    db.session.delete(attachment)
    db.session.flush()
    storage().delete(key)


def attachments_of(input_ids: list[int]) -> dict[int, list[Attachment]]:
    """The attachments of several inputs, with one query."""
    found: dict[int, list[Attachment]] = {}
    if input_ids:
        for record in db.session.scalars(select(Attachment).where(
                Attachment.input_id.in_(input_ids)).order_by(Attachment.id)):
            found.setdefault(record.input_id, []).append(record)
    return found


def neutral_name(attachment: Attachment) -> str:
    """A name that says nothing about the sender — "bijlage-12.pdf", in the municipality's
    language — with the extension of the checked type (the original's may be anything)."""
    webp = ".webp" if attachment.content_type == "image/webp" else ""
    extension = next((ext for _magic, kind, ext in SIGNATURES
                      if kind == attachment.content_type), webp)
    with force_locale(current_app.config["KOERS_MUNICIPALITY"].locale):
        return str(_l("attachment-%(number)d", number=attachment.id)) + extension

