"""Pages of the stakeholder register: the list, a stakeholder's page, the form, memberships,
duplicates and merging, and the AVG rights (export and erasure). Import and export of lists
live in transfer_views.py."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from app.audit.models import AuditEvent
from app.audit.services import audit
from app.database import checkpoint_erasure, db
from app.edits import PageResult, Row, conflict_page, current_actor, form_errors, posted_version
from app.errors import DomainError
from app.forms import ConfirmForm
from app.labels import field_label
from app.pagination import paginate
from app.permissions import Permission, require
from app.stakeholders import services
from app.stakeholders.blueprint import bp
from app.stakeholders.forms import (
    PRIVACY_FIELDS,
    EraseForm,
    MembershipForm,
    StakeholderForm,
    displayed,
    form_values,
)
from app.stakeholders.models import Kind, Membership, Stakeholder
from app.translate import gettext as _

#: How many candidates the "merge into" page offers at once.
MERGE_CANDIDATES = 20
#: Fields on the conflict page, in the form's order.
CONFLICT_FIELDS = ("name", "email", "phone", "address", "postcode", "place", "website",
                   "categories", "tags", "notes", "legal_ground", "consent_purpose",
                   "consent_date", "consent_source", "retention_until")


def _stakeholder_or_404(stakeholder_id: int) -> Stakeholder:
    stakeholder = services.get(stakeholder_id)
    if stakeholder is None:
        abort(404)
    return stakeholder


def _refusal(message: str, stakeholder: Stakeholder | None = None, status: int = 400):
    """A rule refused the request: say why, and offer the way back."""
    return render_template("stakeholders/refused.html", message=message,
                           stakeholder=stakeholder), status


def _kind(value: str | None) -> str:
    return Kind.ORGANISATION.value if value == Kind.ORGANISATION else Kind.PERSON.value


# --- the list ---------------------------------------------------------------------------

@bp.route("/")
@require(Permission.VIEW)
def index():
    filters = services.Filters(q=request.args.get("q", "").strip()[:200],
                               kind=request.args.get("kind", ""),
                               category=request.args.get("category", ""),
                               tag=request.args.get("tag", "").strip()[:64],
                               include_archived=request.args.get("archived") == "1")
    # Tags are not shown here: do not load them.
    page = paginate(services.list_query(filters).options(lazyload(Stakeholder.tags)))
    people = [stakeholder.id for stakeholder in page.items if stakeholder.is_person]
    memberships = services.memberships_of(people)
    query_args = {key: value for key, value in (
        ("q", filters.q), ("kind", filters.kind), ("category", filters.category),
        ("tag", filters.tag), ("archived", "1" if filters.include_archived else "")) if value}
    return render_template("stakeholders/index.html", page=page, filters=filters,
                           categories=services.categories(), memberships=memberships,
                           query_args=query_args)


# --- one stakeholder --------------------------------------------------------------------

@bp.route("/<int:stakeholder_id>")
@require(Permission.VIEW)
def show(stakeholder_id: int):
    stakeholder = _stakeholder_or_404(stakeholder_id)
    if stakeholder.is_erased:
        return render_template("stakeholders/erased.html", stakeholder=stakeholder)
    if stakeholder.is_person:
        memberships = sorted(services.memberships_of([stakeholder.id])[stakeholder.id],
                             key=lambda membership: membership.organisation.sort_name)
        people: list[Membership] = []
    else:
        memberships, people = [], services.members(stakeholder)
    from app.plans.programme.services import plans_of_stakeholder

    involvements = plans_of_stakeholder([stakeholder.id])[stakeholder.id]
    return render_template("stakeholders/show.html", stakeholder=stakeholder,
                           memberships=memberships, people=people, involvements=involvements,
                           categories=services.categories(), confirm=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def create():
    kind = _kind(request.args.get("kind"))
    form = StakeholderForm(kind=kind)
    if form.validate_on_submit():
        with form_errors(form) as saved:
            stakeholder = services.create(form.to_data(), actor=current_actor())
        if saved:
            flash(_("%(name)s has been added to the register.", name=stakeholder.name),
                  "success")
            return redirect(url_for("stakeholders.show", stakeholder_id=stakeholder.id))
    status = 400 if request.method == "POST" else 200
    return render_template("stakeholders/form.html", form=form, stakeholder=None,
                           kind=kind), status


@bp.route("/<int:stakeholder_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit(stakeholder_id: int):
    stakeholder = _stakeholder_or_404(stakeholder_id)
    if stakeholder.is_erased:
        return _refusal(_("This person has been erased and cannot be changed."), stakeholder)
    form = StakeholderForm(data=form_values(stakeholder), kind=stakeholder.kind)
    if form.validate_on_submit():
        version = posted_version()  # as submitted, never a default
        submitted = form.to_data(stakeholder)
        # A conflict: someone else saved in between (before our check, or before the commit).
        with form_errors(form, conflict=lambda: _conflict(stakeholder, form, submitted)) \
                as saved:
            services.update_stakeholder(stakeholder, submitted, expected_version=version,
                                        actor=current_actor())
        if saved:
            flash(_("The changes to %(name)s have been saved.", name=stakeholder.name),
                  "success")
            return redirect(url_for("stakeholders.show", stakeholder_id=stakeholder.id))
    status = 400 if request.method == "POST" else 200
    return render_template("stakeholders/form.html", form=form, stakeholder=stakeholder,
                           kind=stakeholder.kind), status


def _conflict(stakeholder: Stakeholder, form: StakeholderForm,
              submitted: services.StakeholderData) -> PageResult:
    """The current version and the submitted values side by side, and who saved last; nothing
    was saved. The form re-posts the submitted values with the current version."""

    def rows() -> list[Row]:
        return [(field_label(name), displayed(stakeholder, name), displayed(submitted, name))
                for name in CONFLICT_FIELDS
                if stakeholder.is_person or name not in PRIVACY_FIELDS]

    return conflict_page("stakeholders/conflict.html", rows, form=form,
                         version=lambda: stakeholder.version, stakeholder=stakeholder,
                         last_change=_last_change(stakeholder))


def _last_change(stakeholder: Stakeholder) -> AuditEvent | None:
    return db.session.scalar(
        select(AuditEvent).options(joinedload(AuditEvent.actor))
        .where(AuditEvent.entity_type == "stakeholders",
               AuditEvent.entity_id == str(stakeholder.id))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(1))


@bp.route("/<int:stakeholder_id>/archive", methods=["POST"])
@require(Permission.EDIT)
def archive(stakeholder_id: int):
    stakeholder = _stakeholder_or_404(stakeholder_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if stakeholder.is_erased:
        return _refusal(_("This person has been erased and cannot be changed."), stakeholder)
    archived = request.form.get("archived") == "1"
    services.set_archived(stakeholder, archived, actor=current_actor())
    db.session.commit()
    flash(_("%(name)s has been archived: it no longer appears in the list.",
            name=stakeholder.name) if archived
          else _("%(name)s is back in the list.", name=stakeholder.name), "success")
    return redirect(url_for("stakeholders.show", stakeholder_id=stakeholder.id))


# --- memberships ------------------------------------------------------------------------

@bp.route("/<int:stakeholder_id>/organisations/add", methods=["GET", "POST"])
@require(Permission.EDIT)
def add_membership(stakeholder_id: int):
    person = _stakeholder_or_404(stakeholder_id)
    if person.is_erased:
        return _refusal(_("This person has been erased and cannot be changed."), person)
    if not person.is_person:
        return _refusal(_("Only a person can be a member of an organisation."), person)
    form = MembershipForm()
    if form.validate_on_submit():
        chosen = form.organisation.chosen[0]
        with form_errors(form) as saved:
            services.add_membership(person, chosen, function=form.function.data,
                                    is_contact=bool(form.is_contact.data),
                                    actor=current_actor())
        if saved:
            flash(_("%(person)s is now linked to %(organisation)s.", person=person.name,
                    organisation=chosen.name), "success")
            return redirect(url_for("stakeholders.show", stakeholder_id=person.id))
    status = 400 if request.method == "POST" else 200
    return render_template("stakeholders/membership_form.html", person=person,
                           form=form), status


@bp.route("/<int:stakeholder_id>/organisations/<int:membership_id>/remove", methods=["POST"])
@require(Permission.EDIT)
def remove_membership(stakeholder_id: int, membership_id: int):
    membership = db.session.get(Membership, membership_id)
    if membership is None or membership.person_id != stakeholder_id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    person, organisation = membership.person, membership.organisation
    if person.is_erased:
        return _refusal(_("This person has been erased and cannot be changed."), person)
    services.remove_membership(membership, actor=current_actor())
    db.session.commit()
    flash(_("%(person)s is no longer linked to %(organisation)s.", person=person.name,
            organisation=organisation.name), "success")
    return redirect(url_for("stakeholders.show", stakeholder_id=stakeholder_id))


# --- duplicates and merging -------------------------------------------------------------

@bp.route("/duplicates")
@require(Permission.VIEW)
def duplicates():
    return render_template("stakeholders/duplicates.html", pairs=services.likely_duplicates())


@bp.route("/<int:stakeholder_id>/merge")
@require(Permission.EDIT)
def choose_merge_target(stakeholder_id: int):
    source = _stakeholder_or_404(stakeholder_id)
    if source.is_erased:
        return _refusal(_("An erased person cannot be merged."), source)
    search = request.args.get("q", "").strip()[:200]
    candidates = []
    if search:
        candidates = list(db.session.scalars(services.list_query(
            services.Filters(q=search, kind=source.kind, include_archived=True))
            .where(Stakeholder.id != source.id)
            .options(lazyload(Stakeholder.tags)).limit(MERGE_CANDIDATES)))
    return render_template("stakeholders/merge_choose.html", source=source, search=search,
                           candidates=candidates, categories=services.categories(),
                           limit=MERGE_CANDIDATES)


@bp.route("/<int:source_id>/merge/<int:target_id>", methods=["GET", "POST"])
@require(Permission.EDIT)
def merge(source_id: int, target_id: int):
    source = _stakeholder_or_404(source_id)
    target = _stakeholder_or_404(target_id)
    try:
        preview = services.merge_preview(source, target)
    except DomainError as error:
        return _refusal(error.message, source)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        source_name = source.name
        try:
            services.merge(source, target, actor=current_actor())
        except DomainError as error:
            db.session.rollback()
            return _refusal(error.message, target)
        db.session.commit()
        flash(_("%(source)s has been merged into %(target)s.", source=source_name,
                target=target.name), "success")
        return redirect(url_for("stakeholders.show", stakeholder_id=target.id))
    # The search index is rebuilt for the record that stays: it does not "move".
    references = [reference for reference in preview.references
                  if reference[0] != "stakeholder_search_terms"]
    return render_template("stakeholders/merge_preview.html", preview=preview,
                           references=references, categories=services.categories(),
                           confirm=ConfirmForm())


# --- personal data (AVG) ----------------------------------------------------------------

@bp.route("/<int:stakeholder_id>/export.json")
@require(Permission.EDIT)
def export(stakeholder_id: int) -> Any:
    stakeholder = _stakeholder_or_404(stakeholder_id)
    try:
        data = services.export_person(stakeholder)
    except DomainError as error:
        return {"status": 400, "error": error.message}, 400
    audit("export", stakeholder, actor=current_actor())
    db.session.commit()
    body = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
    # The file name carries the record number only: a name would end up in download folders.
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="stakeholder-{stakeholder.id}.json"',
        "Cache-Control": "no-store"})


@bp.route("/<int:stakeholder_id>/erase", methods=["GET", "POST"])
@require(Permission.EDIT)
def erase(stakeholder_id: int):
    stakeholder = _stakeholder_or_404(stakeholder_id)
    if stakeholder.is_erased:
        return _refusal(_("This person has already been erased."), stakeholder)
    if not stakeholder.is_person:
        return _refusal(_("Only persons are erased; archive an organisation instead."),
                        stakeholder)
    form = EraseForm()
    if form.validate_on_submit():
        try:
            services.erase(stakeholder, actor=current_actor(), reason=form.reason.data)
        except DomainError as error:
            db.session.rollback()
            return _refusal(error.message, stakeholder)
        db.session.commit()
        checkpoint_erasure()
        flash(_("The personal data have been erased."), "success")
        return redirect(url_for("stakeholders.show", stakeholder_id=stakeholder.id))
    status = 400 if request.method == "POST" else 200
    return render_template("stakeholders/erase.html", stakeholder=stakeholder,
                           form=form), status
