from __future__ import annotations

from flask import Blueprint, abort, jsonify, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.auth.forms import ConfirmForm
from app.jobs.models import Job
from app.jobs.services import enqueue, get_job
from app.permissions import Permission, has_permission, login_required, require

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _visible_job(job_id: str) -> Job:
    """A job is shown to whoever started it and to administrators."""
    job = get_job(job_id)
    if job is None:
        abort(404)
    if job.created_by_id != current_user.id and not has_permission(
            current_user, Permission.MANAGE_INSTANCE):
        abort(404)
    return job


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


@bp.route("/inventory", methods=["POST"])
@require(Permission.MANAGE_INSTANCE)
def start_inventory() -> Response:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job = enqueue("core.inventory", {"delay": 0.4}, user=current_user)
    return redirect(url_for("jobs.show", job_id=job.id))
