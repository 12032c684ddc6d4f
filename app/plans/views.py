"""Plan pages: the list, a new plan, the overview, editing, the text and its sections, workflow
steps, revisions and their differences, history, archiving. The programme and involvement
tabs live in :mod:`app.plans.programme`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.orm import joinedload

from app.audit.models import AuditEvent
from app.audit.services import events_query
from app.auth.models import User
from app.database import db
from app.edits import PageResult, Row, conflict_page, current_actor, form_errors, posted_version
from app.errors import DomainError
from app.forms import ConfirmForm
from app.labels import field_label, label
from app.markdown import render_markdown
from app.pagination import paginate
from app.permissions import Permission, require
from app.plans import revisions, services, transitions
from app.plans.blueprint import bp
from app.plans.forms import PlanForm, SectionForm, plan_form_values, step_form
from app.plans.labels import TEMPLATE_HELPERS, state_label
from app.plans.models import Plan, Section, Theme
from app.plans.pages import page_context, plan_or_404
from app.plans.programme import services as programme
from app.spreadsheets import write_csv
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import BARE
from app.translate import gettext as _
from app.workflow import EffectFailed, Refusal, TransitionRefused

bp.record_once(lambda state: state.app.jinja_env.globals.update(TEMPLATE_HELPERS))


# --- the list -------------------------------------------------------------------------------

def _filters() -> services.Filters:
    """The list's filters as the query string gives them."""
    args = request.args
    return services.Filters(
        q=args.get("q", "").strip()[:200], theme=args.get("theme", "").strip()[:200],
        phase=args.get("phase", ""), kind=args.get("kind", ""), law=args.get("law", ""),
        mine=args.get("owner") == "me", include_archived=args.get("archived") == "1")


@bp.route("/")
@require(Permission.VIEW)
def index() -> str:
    filters = _filters()
    page = paginate(services.list_query(filters, current_actor()))
    figures = programme.rollups([plan.id for plan in page.items])
    return render_template("plans/index.html", page=page, filters=filters, figures=figures,
                           kinds=services.kinds(), laws=services.LAW_LABELS,
                           query_args=filters.args())


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def create() -> Any:
    form = PlanForm()
    if request.method == "GET":
        form.owner_id.data = current_actor().id
        if request.args.get("parent", "").replace(":", "").isdigit():
            form.parent.data = request.args["parent"]
    if form.validate_on_submit():
        with form_errors(form) as saved:
            plan = services.create_plan(form.to_data(), actor=current_actor())
        if saved:
            flash(_("%(title)s has been created.", title=plan.title), "success")
            return redirect(url_for("plans.show", plan_id=plan.id))
    status = 400 if request.method == "POST" else 200
    return render_template("plans/form.html", form=form, plan=None), status


# --- one plan -------------------------------------------------------------------------------

@bp.route("/<int:plan_id>")
@require(Permission.VIEW)
def show(plan_id: int) -> str:
    plan = plan_or_404(plan_id)
    workflow = transitions.workflow_of(plan)
    steps = []
    if workflow is not None and not plan.archived and workflow.has_state(plan.state):
        steps = [step for step in workflow.transitions_from(plan.state)
                 if step.permission in transitions.permissions_of(current_actor())]
    children = services.children_of(plan)
    figures = programme.rollups([plan.id, *[child.id for child in children]])
    related = {
        "owner": db.session.get(User, plan.owner_id) if plan.owner_id else None,
        "sponsor": db.session.get(Stakeholder, plan.sponsor_id, options=BARE)
        if plan.sponsor_id else None,
        "parent": services.get_plan(plan.parent_id) if plan.parent_id else None,
        "parent_theme": db.session.get(Theme, plan.parent_theme_id)
        if plan.parent_theme_id else None,
    }
    return render_template("plans/show.html", steps=steps, children=children,
                           figures=figures, related=related,
                           history=transitions.history(plan)[-5:], confirm=ConfirmForm(),
                           **page_context(plan, "plans.show"))


@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit(plan_id: int) -> Any:
    plan = plan_or_404(plan_id, editing=True)
    form = PlanForm(data=plan_form_values(plan), plan=plan)
    if form.validate_on_submit():
        version = posted_version()
        submitted = form.to_data()
        with form_errors(form, conflict=lambda: _conflict(plan, form, lambda: [
                (field_label("title"), plan.title, submitted.title),
                (field_label("summary"), plan.summary or "", submitted.summary or ""),
                (field_label("laws"), ", ".join(plan.law_codes), ", ".join(submitted.laws)),
                (field_label("period_start"), plan.period_start, submitted.period_start),
                (field_label("period_end"), plan.period_end, submitted.period_end),
        ], lambda: plan.version)) as saved:
            services.update_plan(plan, submitted, expected_version=version,
                                 actor=current_actor())
        if saved:
            flash(_("The changes to %(title)s have been saved.", title=plan.title), "success")
            return redirect(url_for("plans.show", plan_id=plan.id))
    status = 400 if request.method == "POST" else 200
    return render_template("plans/form.html", form=form, plan=plan), status


def _conflict(plan: Plan, form: Any, rows: Callable[[], list[Row]],
              version: Callable[[], int]) -> PageResult:
    """The other person's version beside yours; nothing was saved. The form re-posts yours
    with the current version, for whoever decides to overwrite knowingly."""
    return conflict_page("plans/conflict.html", rows, form=form, version=version,
                         **page_context(plan, "plans.show"))


@bp.route("/<int:plan_id>/archive", methods=["POST"])
@require(Permission.EDIT)
def archive(plan_id: int) -> Response:
    plan = plan_or_404(plan_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    archived = request.form.get("archived") == "1"
    services.set_archived(plan, archived, actor=current_actor())
    db.session.commit()
    flash(_("%(title)s has been archived.", title=plan.title) if archived
          else _("%(title)s has been restored.", title=plan.title), "success")
    return redirect(url_for("plans.show", plan_id=plan.id))


@bp.route("/<int:plan_id>/delete", methods=["POST"])
@require(Permission.EDIT)
def delete(plan_id: int) -> Response:
    plan = plan_or_404(plan_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    title = plan.title
    if services.delete_or_archive(plan, actor=current_actor()):
        db.session.commit()
        flash(_("%(title)s has been deleted.", title=title), "success")
        return redirect(url_for("plans.index"))
    db.session.commit()
    flash(_("%(title)s has text, structure or history that others depend on, so it has been "
            "archived instead of deleted.", title=title), "info")
    return redirect(url_for("plans.show", plan_id=plan.id))


# --- the text -------------------------------------------------------------------------------

@bp.route("/<int:plan_id>/text")
@require(Permission.VIEW)
def text(plan_id: int) -> str:
    plan = plan_or_404(plan_id)
    sections = services.sections_of(plan)
    return render_template("plans/text.html", sections=sections, render=render_markdown,
                           new_section=SectionForm(), confirm=ConfirmForm(),
                           **page_context(plan, "plans.text"))


@bp.route("/<int:plan_id>/sections/new", methods=["POST"])
@require(Permission.EDIT)
def add_section(plan_id: int) -> Any:
    plan = plan_or_404(plan_id, editing=True, tab="plans.text")
    form = SectionForm()
    if form.validate_on_submit():
        with form_errors(form) as saved:
            section = services.add_section(plan, form.title.data, form.body.data,
                                           actor=current_actor())
        if saved:
            flash(_("The section “%(title)s” has been added.", title=section.title), "success")
            return redirect(url_for("plans.text", plan_id=plan.id, _anchor=f"s{section.id}"))
    return render_template("plans/text.html", sections=services.sections_of(plan),
                           render=render_markdown, new_section=form, confirm=ConfirmForm(),
                           **page_context(plan, "plans.text")), 400


def _section_or_404(plan: Plan, section_id: int) -> Section:
    section = db.session.get(Section, section_id)
    if section is None or section.plan_id != plan.id:
        abort(404)
    return section


@bp.route("/<int:plan_id>/sections/<int:section_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_section(plan_id: int, section_id: int) -> Any:
    plan = plan_or_404(plan_id, editing=True, tab="plans.text")
    section = _section_or_404(plan, section_id)
    form = SectionForm(data={"title": section.title, "body": section.body,
                             "version": str(section.version)})
    if form.validate_on_submit():
        version = posted_version()
        with form_errors(form, conflict=lambda: _conflict(plan, form, lambda: [
                (field_label("section"), section.title, form.title.data),
                (field_label("body"), section.body, form.body.data)],
                lambda: section.version)) as saved:
            services.update_section(section, form.title.data, form.body.data or "",
                                    expected_version=version, actor=current_actor())
        if saved:
            flash(_("The section “%(title)s” has been saved.", title=section.title), "success")
            return redirect(url_for("plans.text", plan_id=plan.id, _anchor=f"s{section.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("plans/section_form.html", form=form, section=section,
                           **page_context(plan, "plans.text")), status


def _confirmed_section(plan_id: int, section_id: int) -> tuple[Plan, Section]:
    """The plan (which may change) and its section for a confirmed button; 400 without the
    confirmation's CSRF token."""
    plan = plan_or_404(plan_id, editing=True, tab="plans.text")
    section = _section_or_404(plan, section_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return plan, section


@bp.route("/<int:plan_id>/sections/<int:section_id>/move", methods=["POST"])
@require(Permission.EDIT)
def move_section(plan_id: int, section_id: int) -> Any:
    plan, section = _confirmed_section(plan_id, section_id)
    services.move_section(section, -1 if request.form.get("direction") == "up" else 1,
                          actor=current_actor())
    db.session.commit()
    return redirect(url_for("plans.text", plan_id=plan.id, _anchor=f"s{section.id}"))


@bp.route("/<int:plan_id>/sections/<int:section_id>/delete", methods=["POST"])
@require(Permission.EDIT)
def delete_section(plan_id: int, section_id: int) -> Any:
    plan, section = _confirmed_section(plan_id, section_id)
    title = section.title
    services.delete_section(section, actor=current_actor())
    db.session.commit()
    flash(_("The section “%(title)s” has been removed. The revisions keep what it said.",
            title=title), "success")
    return redirect(url_for("plans.text", plan_id=plan.id))


# --- workflow steps -------------------------------------------------------------------------

@bp.route("/<int:plan_id>/steps/<name>", methods=["GET", "POST"])
@require(Permission.EDIT)
def step(plan_id: int, name: str) -> Any:
    plan = plan_or_404(plan_id)
    workflow = transitions.workflow_of(plan)
    if workflow is None or not workflow.has_transition(name):
        abort(404)
    transition = workflow.transition(name)
    form = step_form(transition)
    refusals: list[Any] = []
    if request.method == "GET" and "decided_on" in form._fields:
        form._fields["decided_on"].data = date.today()
    if form.validate_on_submit():
        values = {field.name: form._fields[field.name].data for field in transition.fields}
        try:
            record = transitions.take(plan, name, user=current_actor(), values=values)
            db.session.commit()
        except TransitionRefused as refused:
            db.session.rollback()
            refusals = refused.refusals
        except (DomainError, EffectFailed) as error:
            db.session.rollback()
            refusals = [Refusal(getattr(error, "source", "core"), _(
                "The step could not be completed and nothing has changed: %(error)s",
                error=getattr(error, "message", None) or str(getattr(error, "original", error))
            ))]
        else:
            transitions.after_commit(plan, record, current_actor())
            flash(_("“%(step)s”: the plan is now “%(state)s”.", step=transition.label,
                    state=state_label(plan)), "success")
            return redirect(url_for("plans.show", plan_id=plan.id))
    elif request.method == "GET":
        refusals = [refusal for refusal in transitions.refusals(plan, name, current_actor(), {
            field.name: "…" if field.kind != "date" else date.today()
            for field in transition.fields}) if refusal.field is None]
    status = 200 if request.method == "GET" else (409 if refusals else 400)
    return render_template("plans/step.html", form=form, transition=transition,
                           refusals=refusals, **page_context(plan, "plans.show")), status


# --- revisions ------------------------------------------------------------------------------

@bp.route("/<int:plan_id>/revisions")
@require(Permission.VIEW)
def revisions_page(plan_id: int) -> Any:
    plan = plan_or_404(plan_id)
    found = revisions.revisions_of(plan)
    chosen = {key: request.args.get(key, "") for key in ("a", "b")}
    changes = None
    pair = None
    if chosen["a"] and chosen["b"]:
        try:
            older = revisions.get_revision(plan, int(chosen["a"])) if chosen["a"].isdigit() \
                else None
            newer = revisions.snapshot(plan) if chosen["b"] == "current" else (
                revisions.get_revision(plan, int(chosen["b"])) if chosen["b"].isdigit()
                else None)
        except DomainError:
            abort(404)
        if older is None or newer is None:
            abort(404)
        changes = revisions.compare(older, newer)
        pair = (older, newer)
    return render_template("plans/revisions.html", revisions=found, chosen=chosen,
                           changes=changes, pair=pair, **page_context(plan, "plans.history"))


# --- history --------------------------------------------------------------------------------

def _events(plan: Plan) -> Any:
    return events_query("plans", str(plan.id)).options(joinedload(AuditEvent.actor))


@bp.route("/<int:plan_id>/history")
@require(Permission.VIEW)
def history(plan_id: int) -> str:
    plan = plan_or_404(plan_id)
    return render_template("plans/history.html", steps=transitions.history(plan),
                           page=paginate(_events(plan)),
                           revision_count=len(revisions.revisions_of(plan)),
                           **page_context(plan, "plans.history"))


@bp.route("/<int:plan_id>/history.csv")
@require(Permission.VIEW)
def history_csv(plan_id: int) -> Response:
    plan = plan_or_404(plan_id)
    rows = [[_("When"), _("Who"), _("What"), _("Changed fields")]]
    rows += [[event.occurred_at.isoformat(), event.actor.name if event.actor else "",
              label("action", event.action),
              ", ".join(field_label(name) for name in sorted(event.changes))]
             for event in db.session.scalars(_events(plan))]
    return Response(write_csv(rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="plan-{plan.id}-history.csv"'})
