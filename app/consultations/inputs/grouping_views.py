"""Pages of suggested groups: a consultation's groups of similar written reactions with their
members, progress per theme, and the adviser's actions — propose groups again (a job),
accept, split, merge, remove members, assign to a colleague, and answer a group at once (the
answer form, preselected).

Views are thin: each action is one service of :mod:`app.consultations.inputs.grouping`
inside :func:`~app.edits.form_errors`; every form carries the version of the group it showed,
so a stale form is a conflict page and changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from app.auth.models import User
from app.consultations.blueprint import bp
from app.consultations.inputs import grouping, workspace
from app.consultations.inputs.forms import short_text
from app.consultations.inputs.models import SuggestedGroup
from app.consultations.models import Consultation
from app.consultations.pages import conflict, consultation_or_404, municipality_today, page
from app.database import db
from app.edits import current_actor, form_errors, posted_ids, posted_version
from app.forms import DomainForm
from app.jobs.views import job_or_404, start_job
from app.pagination import paginate
from app.permissions import Permission, has_permission, require
from app.plans.models import Plan
from app.plans.programme import services as programme
from app.plans.rules import read_only_reason
from app.translate import gettext as _

#: Groups on one page.
GROUPS_PER_PAGE = 20


def _groups_url(consultation_id: int, **args: Any) -> str:
    return url_for("consultations.groups", consultation_id=consultation_id, **args)


def _groups_page(consultation: Consultation, plan: Plan, *, status: int = 200,
                 refused: list[str] | None = None) -> Any:
    listed = paginate(grouping.groups_query(consultation), per_page=GROUPS_PER_PAGE)
    views = grouping.group_views(list(listed.items))
    everyone = list(db.session.execute(
        select(SuggestedGroup.id, SuggestedGroup.label, SuggestedGroup.version)
        .where(SuggestedGroup.consultation_id == consultation.id)
        .order_by(SuggestedGroup.label, SuggestedGroup.id)))
    staff = grouping.staff_choices(view.group.assigned_to_id for view in views)
    editing = has_permission(current_user, Permission.EDIT) and read_only_reason(plan) is None
    return page("consultations/inputs/groups.html", plan, status=status,
                consultation=consultation, page=listed, views=views, all_groups=everyone,
                versions={group_id: version for group_id, _label, version in everyone},
                staff=staff, staff_names=dict(staff), statuses=grouping.STATUSES,
                progress=workspace.progress(consultation, municipality_today()),
                themes=programme.themes_of(plan),
                editing=editing, refused=refused or [], short_text=short_text,
                form=DomainForm(formdata=None))


@bp.route("/<int:consultation_id>/groups")
@require(Permission.VIEW)
def groups(consultation_id: int) -> Any:
    consultation, plan = consultation_or_404(consultation_id)
    return _groups_page(consultation, plan)


@bp.route("/<int:consultation_id>/groups/propose", methods=["POST"])
@require(Permission.EDIT)
def propose_groups(consultation_id: int) -> Any:
    consultation, _plan = consultation_or_404(consultation_id, editing=True)
    if not DomainForm().validate_on_submit():
        abort(400)
    return start_job(grouping.KIND, {"consultation_id": consultation.id},
                     "consultations.groups_job", consultation_id=consultation.id)


@bp.route("/<int:consultation_id>/groups/jobs/<job_id>")
@require(Permission.EDIT)
def groups_job(consultation_id: int, job_id: str) -> Any:
    consultation, plan = consultation_or_404(consultation_id)
    return page("consultations/inputs/groups_job.html", plan, consultation=consultation,
                job=job_or_404(job_id, grouping.KIND, consultation_id=consultation.id))


# --- changing a group -----------------------------------------------------------------------

def _group_or_404(consultation_id: int, group_id: int
                  ) -> tuple[SuggestedGroup, Consultation, Plan]:
    consultation, plan = consultation_or_404(consultation_id, editing=True)
    group = db.session.get(SuggestedGroup, group_id)
    if group is None or group.consultation_id != consultation.id:
        abort(404)
    return group, consultation, plan


def _group_rows(group: SuggestedGroup, submitted: str) -> list[tuple[Any, Any, Any]]:
    """The group as someone else left it beside what this editor meant to do."""
    current = db.session.get(SuggestedGroup, group.id)
    if current is None:
        return [(_("Group"), _("Removed"), submitted)]
    members = grouping.group_views([current])[0].members
    assigned = db.session.get(User, current.assigned_to_id) if current.assigned_to_id else None
    return [(_("Group"), current.label, submitted),
            (_("Status"), grouping.STATUSES.get(current.status, current.status), ""),
            (_("Members"), [str(item.number) for item in members], ""),
            (_("Assigned to"), assigned.name if assigned is not None else "", "")]


def _act(consultation: Consultation, plan: Plan, group: SuggestedGroup, submitted: str,
         action: Any, done: str) -> Any:
    """Run one grouping service: saved → back to the groups page with ``done``; refused → the
    page with the refusal (400); stale → the conflict page (409)."""
    form = DomainForm()
    if not form.validate_on_submit():
        abort(400)
    with form_errors(form, conflict=lambda: conflict(
            plan, lambda: _group_rows(group, submitted))) as saved:
        action()
    if saved:
        flash(done, "success")
        return redirect(_groups_url(consultation.id, **_page_arg()))
    return _groups_page(consultation, plan, status=400, refused=list(form.form_errors))


def _page_arg() -> dict[str, str]:
    value = request.args.get("page", "")
    return {"page": value} if value.isdigit() and value != "1" else {}


@bp.route("/<int:consultation_id>/groups/<int:group_id>/accept", methods=["POST"])
@require(Permission.EDIT)
def accept_group(consultation_id: int, group_id: int) -> Any:
    group, consultation, plan = _group_or_404(consultation_id, group_id)
    version = posted_version()
    return _act(consultation, plan, group, _("Accept"), lambda: grouping.accept_group(
        group, expected_version=version, actor=current_actor()),
        _("The group has been accepted."))


@bp.route("/<int:consultation_id>/groups/<int:group_id>/members", methods=["POST"])
@require(Permission.EDIT)
def group_members(consultation_id: int, group_id: int) -> Any:
    """The ticked members moved into a new group ("split") or out of the group ("remove")."""
    group, consultation, plan = _group_or_404(consultation_id, group_id)
    version = posted_version()
    chosen = posted_ids("input_ids")
    if request.form.get("action") == "split":
        return _act(consultation, plan, group, _("Move to a new group"),
                    lambda: grouping.split_group(group, chosen, expected_version=version,
                                                 actor=current_actor()),
                    _("The chosen inputs form a new group."))
    return _act(consultation, plan, group, _("Remove from the group"),
                lambda: grouping.remove_from_group(group, chosen, expected_version=version,
                                                   actor=current_actor()),
                _("The chosen inputs have been removed from the group."))


@bp.route("/<int:consultation_id>/groups/<int:group_id>/merge", methods=["POST"])
@require(Permission.EDIT)
def merge_group(consultation_id: int, group_id: int) -> Any:
    """Another group (chosen with the version the page showed) merged into this one."""
    group, consultation, plan = _group_or_404(consultation_id, group_id)
    version = posted_version()
    value = request.form.get("other", "")
    other_id, _sep, other_version = value.partition(":")
    other = db.session.get(SuggestedGroup, int(other_id)) if other_id.isdigit() else None
    if other is None or other.consultation_id != consultation.id or \
            not other_version.isdigit():
        return _groups_page(consultation, plan, status=400,
                            refused=[_("Choose another group of this consultation.")])
    return _act(consultation, plan, group, _("Merge %(label)s", label=other.label),
                lambda: grouping.merge_groups(
                    group, other, expected_versions={group.id: version,
                                                     other.id: int(other_version)},
                    actor=current_actor()),
                _("The groups have been merged."))


@bp.route("/<int:consultation_id>/groups/<int:group_id>/assign", methods=["POST"])
@require(Permission.EDIT)
def assign_group(consultation_id: int, group_id: int) -> Any:
    group, consultation, plan = _group_or_404(consultation_id, group_id)
    version = posted_version()
    value = request.form.get("assigned_to_id", "")
    user_id = int(value) if value.isdigit() else None
    user = db.session.get(User, user_id) if user_id else None
    return _act(consultation, plan, group, user.name if user is not None else _("Nobody"),
                lambda: grouping.assign_group(group, user_id, expected_version=version,
                                              actor=current_actor()),
                _("The group has been assigned.") if user_id else
                _("The group is no longer assigned."))
