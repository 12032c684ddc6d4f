"""Pages of the reaction import: upload → the dry run (every row and message, its problems
and what the import will do) → confirm → the import in one transaction → its result.

The import runs in the request, not as a job: an upload is bounded (at most
:data:`~app.consultations.inputs.mailfiles.MAX_MESSAGES` messages and
``KOERS_MAX_IMPORT_MB`` in all), reading and checking 500 messages takes seconds, and all
or nothing is one transaction anyway. An upload is shown only to whoever uploaded it (and
administrators), on its own consultation.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.consultations.blueprint import bp
from app.consultations.inputs import intake
from app.consultations.inputs.intake_forms import ImportConfirmForm, ReactionImportForm
from app.consultations.inputs.mailfiles import MAX_MESSAGES
from app.consultations.models import Consultation
from app.consultations.pages import consultation_or_404, form_status, page
from app.database import db
from app.edits import current_actor, form_errors
from app.errors import DomainError
from app.forms import ConfirmForm
from app.permissions import Permission, has_permission, require
from app.plans.models import Plan
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import BARE


@bp.route("/<int:consultation_id>/inputs/import", methods=["GET", "POST"])
@require(Permission.EDIT)
def import_reactions(consultation_id: int) -> Any:
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    form = ReactionImportForm()
    if form.validate_on_submit():
        files = [(file.filename or "", file.stream)
                 for file in request.files.getlist(form.files.name) if file and file.filename]
        try:
            upload_id = intake.store_upload(files, consultation, current_user.id)
        except DomainError as error:
            form.add_error(error)
        else:
            return redirect(url_for("consultations.import_reactions_check",
                                    consultation_id=consultation.id, upload_id=upload_id))
    return page("consultations/inputs/import.html", plan, status=form_status(),
                consultation=consultation, form=form, columns=intake.COLUMNS,
                max_messages=MAX_MESSAGES)


def _upload(consultation: Consultation, upload_id: str) -> dict[str, Any]:
    """The upload's record, for whoever uploaded it (or an administrator), else a 404."""
    meta = intake.upload_meta(upload_id)
    if meta is None or meta.get("consultation") != consultation.id:
        abort(404)
    if meta.get("user") != current_user.id and not has_permission(
            current_user, Permission.MANAGE_INSTANCE):
        abort(404)
    return meta


def _check_page(consultation: Consultation, plan: Plan, upload_id: str, meta: dict[str, Any],
                status: int = 200, form: ImportConfirmForm | None = None) -> Any:
    if meta.get("state") == "imported":
        return _result_page(consultation, plan, meta["result"])
    entries, file_problems = intake.read_stored(upload_id)
    report = intake.check(consultation, entries, file_problems)
    return page("consultations/inputs/import_check.html", plan, status=status,
                consultation=consultation, report=report, counts=report.counts(),
                upload_id=upload_id, files=meta.get("files", []),
                confirm=form or ImportConfirmForm(formdata=None), message=intake.message)


def _result_page(consultation: Consultation, plan: Plan, result: dict[str, Any]) -> Any:
    """What was imported, with every new sender that has namesakes in the register."""
    flagged = {int(key): ids for key, ids in result.get("flagged", {}).items()}
    ids = set(flagged) | {sid for found in flagged.values() for sid in found}
    people = {s.id: s for s in db.session.scalars(
        select(Stakeholder).where(Stakeholder.id.in_(ids)).options(*BARE))} if ids else {}
    return page("consultations/inputs/import_result.html", plan, consultation=consultation,
                result=result, flagged=flagged, people=people)


@bp.route("/<int:consultation_id>/inputs/import/<upload_id>")
@require(Permission.EDIT)
def import_reactions_check(consultation_id: int, upload_id: str) -> Any:
    consultation, plan = consultation_or_404(consultation_id)
    return _check_page(consultation, plan, upload_id, _upload(consultation, upload_id))


@bp.route("/<int:consultation_id>/inputs/import/<upload_id>/confirm", methods=["POST"])
@require(Permission.EDIT)
def import_reactions_confirm(consultation_id: int, upload_id: str) -> Any:
    """Checks the upload again (the register may have changed) and imports it, or shows the
    check with what stands in the way; nothing is half imported."""
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    meta = _upload(consultation, upload_id)
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    if meta.get("state") == "imported":
        return redirect(request.path.rsplit("/", 1)[0])
    entries, file_problems = intake.read_stored(upload_id)
    report = intake.check(consultation, entries, file_problems)
    try:
        with form_errors(form) as saved:
            imported = intake.import_entries(consultation, report, actor=current_actor())
    except IntegrityError:  # someone imported the same message meanwhile: check again
        db.session.rollback()
        saved = None
    if not saved:
        return _check_page(consultation, plan, upload_id, meta, status=409
                           if saved is None else 400, form=form)
    result = {"numbers": [min(imported.numbers), max(imported.numbers)],
              "count": len(imported.numbers), "new_senders": imported.new_senders,
              "attachments": imported.attachments,
              "skipped": report.counts()["skipped"],
              "flagged": {str(key): ids for key, ids in imported.flagged.items()}}
    intake.finish_upload(upload_id, result)  # the result page says what was imported
    return redirect(url_for("consultations.import_reactions_check",
                            consultation_id=consultation.id, upload_id=upload_id))


@bp.route("/<int:consultation_id>/inputs/import/<upload_id>/discard", methods=["POST"])
@require(Permission.EDIT)
def import_reactions_discard(consultation_id: int, upload_id: str) -> Any:
    """Starts again: the uploaded files (personal data) are removed at once."""
    consultation, _plan = consultation_or_404(consultation_id)
    _upload(consultation, upload_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    intake.remove_upload(upload_id)
    return redirect(url_for("consultations.import_reactions", consultation_id=consultation.id))
