"""Pages for importing stakeholders from CSV/XLSX and exporting a filtered list.

Import: upload → the check job (a dry run) → its report → confirm → the import job. Both jobs
are shown on one page, ``/stakeholders/import/<job_id>``, which follows their progress.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.database import db, utcnow
from app.edits import current_actor
from app.forms import ConfirmForm
from app.jobs.models import Job, JobStatus
from app.jobs.services import enqueue, get_job
from app.permissions import Permission, has_permission, require
from app.stakeholders import services, transfer
from app.stakeholders.blueprint import bp
from app.stakeholders.transfer_forms import ImportForm
from app.translate import gettext as _

CHECK, IMPORT = "stakeholders.import_check", "stakeholders.import"
MEDIA_TYPES = {
    "csv": "text/csv",  # Response adds "; charset=utf-8" to every text/ type
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.route("/import", methods=["GET", "POST"])
@require(Permission.EDIT)
def import_upload() -> str | Response | tuple[str, int]:
    form = ImportForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            # The request's Content-Length: the file plus a few hundred bytes of form.
            path = transfer.store_upload(upload.stream, upload.filename or "",
                                         request.content_length)
        except transfer.ImportFileError as error:
            form.file.errors = [*form.file.errors, error.message]
        else:
            job = enqueue(CHECK, {"path": path, "name": (upload.filename or "")[-200:]},
                          user=current_actor())
            return redirect(url_for("stakeholders.import_show", job_id=job.id))
    if request.method == "POST":
        status = 400
    return render_template("stakeholders/transfer/upload.html", form=form,
                           columns=transfer.COLUMNS), status


@bp.route("/import/template.csv")
@require(Permission.EDIT)
def import_template() -> Response:
    return Response(transfer.template_csv(), mimetype=MEDIA_TYPES["csv"], headers={
        "Content-Disposition": f'attachment; filename="{_("stakeholders")}-template.csv"'})


def _import_job(job_id: str) -> Job:
    """A check or import job, shown to whoever started it and to administrators."""
    job = get_job(job_id)
    if job is None or job.kind not in (CHECK, IMPORT):
        abort(404)
    if job.created_by_id != current_user.id and not has_permission(
            current_user, Permission.MANAGE_INSTANCE):
        abort(404)
    return job


def imports_in_progress() -> list[Job]:
    """Imports that are running, waiting or stopped part-way: until they finish, the
    register holds only part of their rows (an import writes in short steps). One stopped
    longer ago than its upload is kept can no longer be started again, so it is left out."""
    resumable_since = utcnow() - transfer.UPLOAD_RETENTION
    return list(db.session.scalars(select(Job).where(
        Job.kind == IMPORT,
        Job.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value])
        | ((Job.status == JobStatus.INTERRUPTED.value)
           & (Job.finished_at.is_(None) | (Job.finished_at > resumable_since))))
        .order_by(Job.created_at).limit(5)))


@bp.context_processor
def _import_state() -> dict[str, Any]:
    # Called by the list and import pages only (a function, so other pages run no query).
    return {"imports_in_progress": imports_in_progress,
            "may_follow_import": lambda job: job.created_by_id == current_user.id
            or has_permission(current_user, Permission.MANAGE_INSTANCE)}


def _import_started_from(check_job: Job) -> Job | None:
    """The import job already started from this check, if any (a second click, a retry)."""
    candidates = db.session.scalars(select(Job).where(
        Job.kind == IMPORT, Job.created_by_id == check_job.created_by_id,
        Job.created_at >= check_job.created_at).order_by(Job.created_at.desc()))
    for candidate in candidates:
        if candidate.params.get("check_job") == check_job.id and \
                candidate.status != JobStatus.FAILED:
            return candidate
    return None


@bp.route("/import/<job_id>")
@require(Permission.EDIT)
def import_show(job_id: str) -> str:
    job = _import_job(job_id)
    result = job.result or {}
    check_job = get_job(job.params.get("check_job", "")) if job.kind == IMPORT else None
    return render_template("stakeholders/transfer/job.html", job=job, result=result,
                           check_job=check_job, confirm=ConfirmForm(),
                           started_import=_import_started_from(job) if job.kind == CHECK
                           else None, message=transfer.message)


@bp.route("/import/<job_id>/confirm", methods=["POST"])
@require(Permission.EDIT)
def import_confirm(job_id: str) -> Response:
    job = _import_job(job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if job.kind != CHECK or job.status != JobStatus.FINISHED or \
            (job.result or {}).get("state") != "checked":
        abort(400)
    started = _import_started_from(job)
    if started is None:
        started = enqueue(IMPORT, {"path": job.params["path"], "name": job.params.get("name", ""),
                                   "check_job": job.id}, user=current_actor())
    return redirect(url_for("stakeholders.import_show", job_id=started.id))


def _filters() -> services.Filters:
    """The list page's filters, from the query string."""
    return services.Filters(q=request.args.get("q", "").strip(),
                            kind=request.args.get("kind", ""),
                            category=request.args.get("category", ""),
                            tag=request.args.get("tag", ""))


def _export(file_format: str) -> Response:
    content, _count = transfer.export(_filters(), file_format, actor=current_actor())
    db.session.commit()
    name = f"{_('stakeholders')}-{date.today().isoformat()}.{file_format}"
    return Response(content, mimetype=MEDIA_TYPES[file_format], headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "no-store"})


@bp.route("/export.csv")
@require(Permission.EDIT)
def export_csv() -> Response:
    return _export("csv")


@bp.route("/export.xlsx")
@require(Permission.EDIT)
def export_xlsx() -> Response:
    return _export("xlsx")
