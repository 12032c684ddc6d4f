from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from app.edits import current_actor
from app.forms import ConfirmForm
from app.jobs.models import Job, JobStatus
from app.jobs.services import (
    JobsUnavailable,
    RetryRefused,
    enqueue,
    get_job,
    retry,
    runner,
)
from app.permissions import Permission, has_permission, login_required, require
from app.redirects import safe_next
from app.translate import gettext as _

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _may_see(job: Job) -> bool:
    return job.created_by_id == current_user.id or has_permission(
        current_user, Permission.MANAGE_INSTANCE)


def _visible_job(job_id: str) -> Job:
    """A job is shown to whoever started it and to administrators."""
    job = get_job(job_id)
    if job is None or not _may_see(job):
        abort(404)
    return job


def job_or_404(job_id: str, kind: str, **params: Any) -> Job:
    """A job of ``kind`` whose parameters include ``params`` (e.g. its consultation), for an
    area's own job page: shown to whoever started it and to administrators, a 404 to anyone
    else and for any other job."""
    job = get_job(job_id)
    if job is None or job.kind != kind or not _may_see(job) or any(
            job.params.get(name) != value for name, value in params.items()):
        abort(404)
    return job


def start_job(kind: str, params: dict[str, Any], endpoint: str, **values: Any) -> Response:
    """Enqueue a job as the signed-in account and redirect to the page that follows it:
    ``endpoint`` with ``values`` and the new ``job_id``."""
    job = enqueue(kind, params, user=current_actor())
    return redirect(url_for(endpoint, job_id=job.id, **values))


@bp.app_template_global()
def job_waiting_reason(job: Job) -> str | None:
    """Why a queued job may not start soon (the queue is down, no worker runs), or None."""
    if job.status != JobStatus.QUEUED:
        return None
    return runner().waiting_reason()


@bp.app_template_global()
def job_may_retry(job: Job) -> bool:
    return job.retryable and job.status == JobStatus.INTERRUPTED and _may_see(job) and \
        has_permission(current_user, Permission.EDIT)


@bp.app_errorhandler(JobsUnavailable)
def jobs_unavailable(error: JobsUnavailable) -> tuple[str, int, dict[str, str]]:
    return render_template("errors/error.html", status=503, title=_(
        "Background work is unavailable"), explanation=error.message), 503, {
        "Retry-After": "60"}


@bp.route("/<job_id>")
@login_required
def show(job_id: str) -> str:
    return render_template("jobs/show.html", job=_visible_job(job_id))


@bp.route("/<job_id>.json")
@login_required
def status(job_id: str) -> Response:
    job = _visible_job(job_id)
    return jsonify(id=job.id, status=job.status, progress=job.progress, message=job.message,
                   done=job.done)


@bp.route("/<job_id>/retry", methods=["POST"])
@require(Permission.EDIT)
def start_again(job_id: str) -> Response:
    """Start an interrupted job again; it goes on from what it had done."""
    job = _visible_job(job_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        retry(job)
    except RetryRefused as error:
        flash(error.message, "info")
    else:
        flash(_("The job has been started again."), "success")
    return redirect(safe_next() if request.form.get("next")
                    else url_for("jobs.show", job_id=job.id))


@bp.route("/inventory", methods=["POST"])
@require(Permission.MANAGE_INSTANCE)
def start_inventory() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job = enqueue("core.inventory", {"delay": 0.25}, user=current_user)
    return redirect(url_for("jobs.show", job_id=job.id))
