"""Generating the nota van beantwoording: a background job that collects what the nota says,
renders it into HTML, PDF and DOCX files under ``notas/`` in the file storage and records
them as a :class:`~app.consultations.nota.models.Nota`; and reading the stored files back.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from typing import Any

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import select

from app.audit.services import audit
from app.consultations.models import Consultation
from app.consultations.nota import render as nota_render
from app.consultations.nota.content import collect
from app.consultations.nota.models import Nota
from app.database import db
from app.jobs.services import JobContext, job, started_by
from app.labels import register as register_label
from app.storage import InvalidKey, check_key, storage
from app.translate import gettext as _
from app.translate import lazy_gettext as _l

KIND = "consultations.nota"
FOLDER = "notas"
FORMATS = ("html", "pdf", "docx")
MEDIA_TYPES = {
    "html": "text/html",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

register_label("job", KIND, _l("nota van beantwoording"))
register_label("action", "nota", _l("generated the nota van beantwoording"))
register_label("field", "reactions", _l("Reactions"))


# --- storage --------------------------------------------------------------------------------

def stored_key(nota: Nota, file_format: str) -> str | None:
    """The storage key of ``nota``'s file in ``file_format``: a plain name inside the nota
    folder with that format's extension, or None."""
    name = (nota.files or {}).get(file_format)
    if file_format not in FORMATS or not name or not name.endswith(f".{file_format}"):
        return None
    try:
        return check_key(f"{FOLDER}/{name}")
    except InvalidKey:
        return None


def notas_of(consultation: Consultation, limit: int = 100) -> list[Nota]:
    return list(db.session.scalars(select(Nota).where(Nota.consultation_id == consultation.id)
                                   .order_by(Nota.created_at.desc(), Nota.id.desc())
                                   .limit(limit)))


# --- generating -----------------------------------------------------------------------------

Progress = Any  # a callable (percent, message) -> None


def generate(consultation: Consultation, *, actor: Any = None, job_id: str | None = None,
             progress: Progress = None) -> tuple[Nota, dict[str, float]]:
    """Collect, render the three formats, store them and record the nota (not committed).
    Returns the nota and the seconds each step took."""
    report = progress or (lambda percent, message: None)
    seconds: dict[str, float] = {}
    municipality = current_app.config["KOERS_MUNICIPALITY"]
    written: list[str] = []
    try:
        with force_locale(municipality.locale):
            report(5, _("Collecting the answered reactions"))
            started = time.perf_counter()
            content = collect(consultation)
            seconds["collect"] = time.perf_counter() - started
            # End the read transaction: rendering takes a while and needs no database.
            db.session.commit()
            files: dict[str, str] = {}
            for percent, file_format, render in ((15, "html", nota_render.html),
                                                 (35, "pdf", nota_render.pdf),
                                                 (75, "docx", nota_render.docx)):
                report(percent, _("Writing the %(format)s file", format=file_format.upper()))
                started = time.perf_counter()
                data = render(content)
                name = f"{uuid.uuid4().hex}.{file_format}"
                storage().write(f"{FOLDER}/{name}", data)
                written.append(f"{FOLDER}/{name}")
                files[file_format] = name
                seconds[file_format] = time.perf_counter() - started
        report(95, _("Saving"))
        consultation = db.session.get(Consultation, consultation.id)
        nota = Nota(consultation_id=consultation.id, job_id=job_id,
                    created_by_id=getattr(actor, "id", None), reactions=content.reactions,
                    files=files)
        db.session.add(nota)
        db.session.flush()
        audit("nota", consultation, actor=actor,
              changes={"reactions": {"old": None, "new": content.reactions}})
        db.session.flush()
    except BaseException:
        for key in written:
            with contextlib.suppress(Exception):  # the first error is the one to report
                storage().delete(key)
        raise
    return nota, seconds


@job(KIND)
def nota_job(context: JobContext, consultation_id: int) -> dict[str, Any]:
    """Generate the nota. Safe to retry: a job that already recorded its nota returns it."""
    done = db.session.scalar(select(Nota).where(Nota.job_id == context.job_id))
    if done is not None:
        return {"nota_id": done.id, "reactions": done.reactions}
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None:
        return {"state": "gone"}
    actor = started_by(context.job_id)
    # SQLite admits one writer at a time; progress is written in its own short transaction,
    # and nothing is written here before the files are done.
    nota, seconds = generate(consultation, actor=actor, job_id=context.job_id,
                             progress=context.progress)
    db.session.commit()
    return {"nota_id": nota.id, "reactions": nota.reactions,
            "seconds": {key: round(value, 2) for key, value in seconds.items()}}
