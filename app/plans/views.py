"""Plan pages: the list, a new plan, the overview, editing, the text and its sections, workflow
steps, revisions and their differences, history, archiving. The programme and involvement
tabs live in programme_views.py."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from app.audit.models import AuditEvent
from app.audit.services import events_query
from app.auth.forms import ConfirmForm
from app.auth.models import User
from app.database import db
from app.errors import DomainError
from app.labels import field_label, label
from app.markdown import render_markdown
from app.pagination import paginate
from app.permissions import Permission, require
from app.plans import revisions, services, transitions
from app.plans.blueprint import bp
from app.plans.forms import PlanForm, SectionForm, plan_form_values, step_form
from app.plans.labels import TEMPLATE_HELPERS, state_label
from app.plans.models import Law, Plan, PlanLaw, Section, Theme
from app.plans.pages import page_context, plan_or_404, read_only_page
from app.stakeholders.models import Stakeholder
from app.stakeholders.transfer import neutralise
from app.workflow import EffectFailed, Refusal, TransitionRefused

bp.record_once(lambda state: state.app.jinja_env.globals.update(TEMPLATE_HELPERS))


def _me() -> Any:
    return current_user._get_current_object()  # type: ignore[attr-defined]


# --- the list -------------------------------------------------------------------------------

@bp.route("/")
@require(Permission.VIEW)
def index() -> str:
    args = request.args
    filters = {"q": args.get("q", "").strip()[:200], "theme": args.get("theme", "").strip()[:200],
               "phase": args.get("phase", ""),
               "kind": args.get("kind", ""), "law": args.get("law", ""),
               "owner": args.get("owner", ""), "archived": args.get("archived", "")}
    query = select(Plan).options(joinedload(Plan.owner))
    if filters["archived"] != "1":
        query = query.where(Plan.archived.is_(False))
    if filters["phase"]:
        query = query.where(Plan.phase == filters["phase"])
    if filters["kind"]:
        query = query.where(Plan.kind == filters["kind"])
    if filters["law"] in {law.value for law in Law}:
        query = query.where(Plan.id.in_(select(PlanLaw.plan_id).where(
            PlanLaw.law == filters["law"])))
    if filters["owner"] == "me":
        query = query.where(Plan.owner_id == current_user.id)
    for word in services.normalise(filters["q"]).split()[:5]:
        query = query.where(Plan.sort_title.contains(word, autoescape=True))
    if filters["theme"]:
        # Plans with such a theme, and the programmes that work such a theme out.
        themes = select(Theme.id)
        for word in filters["theme"].lower().split()[:5]:
            themes = themes.where(func.lower(Theme.name).contains(word, autoescape=True))
        query = query.where(or_(Plan.id.in_(select(Theme.plan_id).where(
            Theme.id.in_(themes))), Plan.parent_theme_id.in_(themes)))
    page = paginate(query.order_by(Plan.sort_title, Plan.id))
    figures = services.rollups([plan.id for plan in page.items])
    query_args = {key: value for key, value in filters.items() if value}
    return render_template("plans/index.html", page=page, filters=filters, figures=figures,
                           kinds=services.kinds(), laws=services.LAW_LABELS,
                           query_args=query_args)


@bp.route("/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def create() -> Any:
    form = PlanForm()
    if request.method == "GET":
        form.owner_id.data = current_user.id
        if request.args.get("parent", "").replace(":", "").isdigit():
            form.parent.data = request.args["parent"]
    if form.validate_on_submit():
        try:
            plan = services.create_plan(form.to_data(), actor=_me())
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
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
                 if step.permission in transitions.permissions_of(current_user)]
    children = services.children_of(plan)
    figures = services.rollups([plan.id, *[child.id for child in children]])
    related = {
        "owner": db.session.get(User, plan.owner_id) if plan.owner_id else None,
        "sponsor": db.session.get(Stakeholder, plan.sponsor_id) if plan.sponsor_id else None,
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
    plan = plan_or_404(plan_id)
    if (refused := read_only_page(plan, "plans.show")) is not None:
        return refused
    form = PlanForm(data=plan_form_values(plan), plan=plan)
    if form.validate_on_submit():
        version = request.form.get("version", "")
        if not version.isdigit():
            abort(400)
        submitted = form.to_data()
        try:
            services.update_plan(plan, submitted, expected_version=int(version), actor=_me())
            db.session.commit()
        except (services.EditConflict, StaleDataError):
            db.session.rollback()
            return _conflict(plan, form, [
                (field_label("title"), plan.title, submitted.title),
                (field_label("summary"), plan.summary or "", submitted.summary or ""),
                (field_label("laws"), ", ".join(plan.law_codes), ", ".join(submitted.laws)),
                (field_label("period_start"), plan.period_start, submitted.period_start),
                (field_label("period_end"), plan.period_end, submitted.period_end),
            ], url_for("plans.edit", plan_id=plan.id))
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            flash(_("The changes to %(title)s have been saved.", title=plan.title), "success")
            return redirect(url_for("plans.show", plan_id=plan.id))
    status = 400 if request.method == "POST" else 200
    return render_template("plans/form.html", form=form, plan=plan), status


def _conflict(plan: Plan, form: Any, rows: list[tuple[Any, Any, Any]], action: str,
              record_version: int | None = None) -> tuple[str, int]:
    """The other person's version beside yours; nothing was saved. The form re-posts yours
    with the current version, for whoever decides to overwrite knowingly."""
    db.session.refresh(plan)
    form.version.data = str(record_version if record_version is not None else plan.version)
    shown = [{"label": name, "current": _shown(current), "submitted": _shown(mine),
              "differs": _shown(current) != _shown(mine)} for name, current, mine in rows]
    return render_template("plans/conflict.html", rows=shown, form=form, action=action,
                           **page_context(plan, "plans.show")), 409


def _shown(value: Any) -> str:
    from app.i18n import short_date

    if isinstance(value, date):
        return short_date(value)
    return "" if value is None else str(value)


@bp.route("/<int:plan_id>/archive", methods=["POST"])
@require(Permission.EDIT)
def archive(plan_id: int) -> Response:
    plan = plan_or_404(plan_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    archived = request.form.get("archived") == "1"
    services.set_archived(plan, archived, actor=_me())
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
    if services.delete_or_archive(plan, actor=_me()):
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
    plan = plan_or_404(plan_id)
    if (refused := read_only_page(plan, "plans.text")) is not None:
        return refused
    form = SectionForm()
    if form.validate_on_submit():
        try:
            section = services.add_section(plan, form.title.data, form.body.data, actor=_me())
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            db.session.commit()
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
    plan = plan_or_404(plan_id)
    if (refused := read_only_page(plan, "plans.text")) is not None:
        return refused
    section = _section_or_404(plan, section_id)
    form = SectionForm(data={"title": section.title, "body": section.body,
                             "version": str(section.version)})
    if form.validate_on_submit():
        version = request.form.get("version", "")
        if not version.isdigit():
            abort(400)
        try:
            services.update_section(section, form.title.data, form.body.data or "",
                                    expected_version=int(version), actor=_me())
            db.session.commit()
        except (services.EditConflict, StaleDataError):
            db.session.rollback()
            db.session.refresh(section)
            return _conflict(plan, form, [
                (field_label("section"), section.title, form.title.data),
                (field_label("body"), section.body, form.body.data)],
                url_for("plans.edit_section", plan_id=plan.id, section_id=section.id),
                record_version=section.version)
        except DomainError as error:
            db.session.rollback()
            form.add_error(error)
        else:
            flash(_("The section “%(title)s” has been saved.", title=section.title), "success")
            return redirect(url_for("plans.text", plan_id=plan.id, _anchor=f"s{section.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("plans/section_form.html", form=form, section=section,
                           **page_context(plan, "plans.text")), status


@bp.route("/<int:plan_id>/sections/<int:section_id>/move", methods=["POST"])
@require(Permission.EDIT)
def move_section(plan_id: int, section_id: int) -> Any:
    plan = plan_or_404(plan_id)
    if (refused := read_only_page(plan, "plans.text")) is not None:
        return refused
    section = _section_or_404(plan, section_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.move_section(section, -1 if request.form.get("direction") == "up" else 1,
                          actor=_me())
    db.session.commit()
    return redirect(url_for("plans.text", plan_id=plan.id, _anchor=f"s{section.id}"))


@bp.route("/<int:plan_id>/sections/<int:section_id>/delete", methods=["POST"])
@require(Permission.EDIT)
def delete_section(plan_id: int, section_id: int) -> Any:
    plan = plan_or_404(plan_id)
    if (refused := read_only_page(plan, "plans.text")) is not None:
        return refused
    section = _section_or_404(plan, section_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    title = section.title
    services.delete_section(section, actor=_me())
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
            record = transitions.take(plan, name, user=_me(), values=values)
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
            transitions.after_commit(plan, record, _me())
            flash(_("“%(step)s”: the plan is now “%(state)s”.", step=transition.label,
                    state=state_label(plan)), "success")
            return redirect(url_for("plans.show", plan_id=plan.id))
    elif request.method == "GET":
        refusals = [refusal for refusal in transitions.refusals(plan, name, _me(), {
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
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("When"), _("Who"), _("What"), _("Changed fields")])
    for event in db.session.scalars(_events(plan)):
        writer.writerow([neutralise(cell) for cell in (
            event.occurred_at.isoformat(), event.actor.name if event.actor else "",
            label("action", event.action),
            ", ".join(field_label(name) for name in sorted(event.changes)))])
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="plan-{plan.id}-history.csv"'})
