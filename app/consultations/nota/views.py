"""Pages of the nota van beantwoording: a consultation's generated notas with their downloads
(viewers), generating a new one as a background job and following it (editors), the HTML
version shown in the browser, and writing the summary per theme (editors)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask import Response, abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select

from app.auth.models import User
from app.consultations.blueprint import bp
from app.consultations.models import Consultation
from app.consultations.nota import jobs as notas
from app.consultations.nota import summaries
from app.consultations.nota.forms import SummariesForm, summaries_form
from app.consultations.nota.models import Nota
from app.consultations.nota.render import style_hash
from app.consultations.pages import conflict, consultation_or_404, form_status, page
from app.database import db
from app.edits import current_actor, form_errors, posted_versions
from app.forms import ConfirmForm
from app.jobs.views import job_or_404, start_job
from app.permissions import Permission, has_permission, require
from app.plans.rules import read_only_reason
from app.storage import storage
from app.storage.responses import send_stored
from app.translate import gettext as _


def _nota_or_404(consultation: Consultation, nota_id: int) -> Nota:
    found = db.session.get(Nota, nota_id)
    if found is None or found.consultation_id != consultation.id:
        abort(404)
    return found


@bp.route("/<int:consultation_id>/nota")
@require(Permission.VIEW)
def notas_index(consultation_id: int) -> Any:
    consultation, plan = consultation_or_404(consultation_id)
    found = notas.notas_of(consultation)
    creators = {user.id: user.name for user in db.session.scalars(select(User).where(
        User.id.in_({item.created_by_id for item in found if item.created_by_id})))} \
        if found else {}
    editing = has_permission(current_user, Permission.EDIT) and read_only_reason(plan) is None
    return page("consultations/nota/index.html", plan, consultation=consultation,
                 notas=found, creators=creators, editing=editing, form=ConfirmForm(),
                 formats=notas.FORMATS)


@bp.route("/<int:consultation_id>/nota", methods=["POST"])
@require(Permission.EDIT)
def generate_nota(consultation_id: int) -> Any:
    consultation, _plan = consultation_or_404(consultation_id, editing=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return start_job(notas.KIND, {"consultation_id": consultation.id},
                     "consultations.nota_job", consultation_id=consultation.id)


@bp.route("/<int:consultation_id>/nota/jobs/<job_id>")
@require(Permission.EDIT)
def nota_job(consultation_id: int, job_id: str) -> Any:
    consultation, plan = consultation_or_404(consultation_id)
    found = job_or_404(job_id, notas.KIND, consultation_id=consultation.id)
    result = found.result or {}
    made = db.session.get(Nota, result["nota_id"]) if result.get("nota_id") else None
    return page("consultations/nota/job.html", plan, consultation=consultation, job=found,
                 nota=made if made is not None and made.consultation_id == consultation.id
                 else None, formats=notas.FORMATS)


def _file_name(consultation: Consultation, nota: Nota, file_format: str) -> str:
    """nota-van-beantwoording-<title>-<date>.<ext>, in plain ASCII for every browser."""
    title = unicodedata.normalize("NFKD", consultation.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60] or "consultatie"
    return f"nota-van-beantwoording-{slug}-{nota.created_at:%Y-%m-%d}.{file_format}"


@bp.route("/<int:consultation_id>/nota/<int:nota_id>.<file_format>")
@require(Permission.VIEW)
def nota_download(consultation_id: int, nota_id: int, file_format: str) -> Any:
    consultation, _plan = consultation_or_404(consultation_id)
    found = _nota_or_404(consultation, nota_id)
    if file_format not in notas.FORMATS:
        abort(404)
    key = notas.stored_key(found, file_format)
    if key is None:
        abort(404)
    return send_stored(key, mimetype=notas.MEDIA_TYPES[file_format],
                       download_name=_file_name(consultation, found, file_format))


@bp.route("/<int:consultation_id>/nota/<int:nota_id>")
@require(Permission.VIEW)
def nota_view(consultation_id: int, nota_id: int) -> Any:
    """The HTML version in the browser, under a policy that allows its own style and
    embedded logo and nothing else: no script, no request to anywhere."""
    consultation, _plan = consultation_or_404(consultation_id)
    key = notas.stored_key(_nota_or_404(consultation, nota_id), "html")
    try:
        document = storage().read(key) if key else None
    except FileNotFoundError:
        document = None
    if document is None:
        abort(404)
    style = style_hash(document) or "'none'"
    response = Response(document, mimetype=notas.MEDIA_TYPES["html"])
    response.headers["Content-Security-Policy"] = (
        f"default-src 'none'; style-src {style}; img-src data:; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'")
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the summary per theme ------------------------------------------------------------------

@bp.route("/<int:consultation_id>/nota/summaries", methods=["GET", "POST"])
@require(Permission.EDIT)
def nota_summaries(consultation_id: int) -> Any:
    """One form with a summary per theme of the plan; a stale form is a conflict page."""
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    themes = summaries.themes_of(consultation)
    form = summaries_form(themes)
    action = url_for("consultations.nota_summaries", consultation_id=consultation.id)
    if form.validate_on_submit():
        expected = posted_versions()
        with form_errors(form, conflict=lambda: _summaries_conflict(
                consultation, plan, form, action)) as saved:
            typed = {theme_id: text for theme_id, text in form.texts().items()
                     if theme_id in expected}  # a theme added since the form: not on it
            changed = summaries.save_summaries(consultation, typed,
                                               expected_versions=expected,
                                               actor=current_actor())
        if saved:
            flash(_("The theme summaries have been saved (%(count)d changed).",
                    count=len(changed)), "success")
            return redirect(url_for("consultations.notas_index",
                                    consultation_id=consultation.id))
    current = summaries.summaries_of(consultation)
    if not form.is_submitted():
        for theme in themes:
            form[summaries.field_name(theme.id)].data = \
                current[theme.id].text if theme.id in current else ""
    if not form.errors:
        form.versions.data = summaries.versions_value(themes, current)
    return page("consultations/nota/summaries.html", plan, status=form_status(),
                consultation=consultation, form=form, themes=themes)


def _summaries_conflict(consultation: Consultation, plan: Any, form: SummariesForm,
                        action: str) -> Any:
    """What someone else saved beside what this editor typed; the form re-posts the typed
    summaries with the current versions, for whoever decides to save over them."""
    db.session.rollback()
    themes = summaries.themes_of(consultation)
    current = summaries.summaries_of(consultation)
    form.versions.data = summaries.versions_value(themes, current)
    typed = form.texts()
    return conflict(plan, lambda: [
        (theme.name, current[theme.id].text if theme.id in current else "",
         typed.get(theme.id, "")) for theme in themes], form=form, action=action)
