"""The meeting report's pages: the report in Koers (viewers) and its downloads as PDF, DOCX
and standalone HTML in the house style. A comment period has no tables and no report."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask import Response, abort

from app.consultations.blueprint import bp
from app.consultations.meetings import render
from app.consultations.meetings.report import collect
from app.consultations.models import Consultation
from app.consultations.nota.render import style_hash
from app.consultations.pages import consultation_or_404, page
from app.database import utcnow
from app.permissions import Permission, require
from app.plans.models import Plan
from app.translate import gettext as _

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


def meeting_or_404(consultation_id: int) -> tuple[Consultation, Plan]:
    consultation, plan = consultation_or_404(consultation_id)
    if consultation.is_comment_period:
        abort(404)
    return consultation, plan


@bp.route("/<int:consultation_id>/report", endpoint="meeting_report")
@require(Permission.VIEW)
def meeting_report(consultation_id: int) -> Any:
    consultation, plan = meeting_or_404(consultation_id)
    report = collect(consultation, plan)
    downloads = [("pdf", _("Download as PDF")), ("docx", _("Download as Word (DOCX)")),
                 ("html", _("Download as HTML"))]
    return page("consultations/meetings/report.html", plan, consultation=consultation,
                report=report, facts=render.facts(report), table_facts=render.table_facts,
                downloads=downloads)


def _file_name(consultation: Consultation, file_format: str) -> str:
    """verslag-<title>-<date>.<ext>, in plain ASCII for every browser."""
    title = unicodedata.normalize("NFKD", consultation.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "bijeenkomst"
    return f"verslag-{slug}-{utcnow():%Y-%m-%d}.{file_format}"


@bp.route("/<int:consultation_id>/report.<file_format>",
          endpoint="meeting_report_download")
@require(Permission.VIEW)
def meeting_report_download(consultation_id: int, file_format: str) -> Any:
    if file_format not in MEDIA_TYPES:
        abort(404)
    consultation, plan = meeting_or_404(consultation_id)
    report = collect(consultation, plan)
    document = {"pdf": render.pdf, "docx": render.docx, "html": render.html}[file_format](
        report)
    response = Response(document, mimetype=MEDIA_TYPES[file_format])
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_file_name(consultation, file_format)}"')
    response.headers["Cache-Control"] = "no-store"
    if file_format == "html":  # its own style and embedded logo, nothing else (as the nota)
        style = style_hash(document) or "'none'"
        response.headers["Content-Security-Policy"] = (
            f"default-src 'none'; style-src {style}; img-src data:; base-uri 'none'; "
            "form-action 'none'; frame-ancestors 'none'")
    return response
