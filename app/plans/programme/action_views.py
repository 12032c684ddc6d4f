"""Pages of the programme's actions — adding, showing, editing with optimistic locking — and
their progress updates. The glue is the edit kit's, as in :mod:`.views`."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request
from sqlalchemy import select

from app.database import db
from app.edits import Row, current_actor, form_errors, posted_version
from app.i18n import euro, short_date
from app.permissions import Permission, require
from app.plans.blueprint import bp
from app.plans.labels import status_label
from app.plans.models import Goal, Plan, Theme
from app.plans.pages import plan_or_404
from app.plans.programme import services
from app.plans.programme.forms import ActionForm, ProgressForm, action_values
from app.plans.programme.pages import (
    PROGRAMME_TAB,
    action_or_404,
    action_url,
    conflict,
    page,
    theme_or_404,
    today,
)
from app.plans.programme.services import ActionData
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder
from app.translate import gettext as _

#: The action fields a conflict page compares, in the form's order.
COMPARED = ("title", "theme_id", "goal_id", "description", "trekker_id", "partner_ids",
            "budget", "start_date", "end_date", "status", "progress")


def _action_form(plan: Plan, **kwargs: Any) -> tuple[ActionForm, list[Theme], list[Goal]]:
    """The action form with the plan's themes and goals to choose from."""
    form = ActionForm(**kwargs)
    themes, goals = services.themes_of(plan), services.goals_of(plan)
    form.fill_choices(themes, goals)
    return form, themes, goals


@bp.route("/<int:plan_id>/actions/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def add_action(plan_id: int):
    plan = plan_or_404(plan_id, editing=True, tab=PROGRAMME_TAB)
    data: dict[str, Any] = {}
    theme_id = request.args.get("theme_id", "")
    if theme_id.isdigit():
        data["theme_id"] = theme_or_404(plan, int(theme_id)).id
    form, _themes, _goals = _action_form(plan, data=data)
    if form.validate_on_submit():
        with form_errors(form) as saved:
            action = services.add_action(plan, form.to_data(), actor=current_actor())
        if saved:
            flash(_("“%(name)s” has been added.", name=action.title), "success")
            return redirect(action_url(plan, action))
    return page("plans/programme/action_form.html", plan, form=form, action=None,
                theme_id=data.get("theme_id"))


@bp.route("/<int:plan_id>/actions/<int:action_id>")
@require(Permission.VIEW)
def show_action(plan_id: int, action_id: int):
    plan = plan_or_404(plan_id)
    action = action_or_404(plan, action_id)
    theme = db.session.get(Theme, action.theme_id) if action.theme_id else None
    goal = db.session.get(Goal, action.goal_id) if action.goal_id else None
    return page("plans/programme/action.html", plan, action=action, theme=theme, goal=goal,
                partners=services.partners_of(action), updates=services.updates_of(action),
                display_name=register.display_name)


@bp.route("/<int:plan_id>/actions/<int:action_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_action(plan_id: int, action_id: int):
    plan = plan_or_404(plan_id, editing=True, tab=PROGRAMME_TAB)
    action = action_or_404(plan, action_id)
    form, themes, goals = _action_form(
        plan, data=action_values(action, services.partner_ids_of(action)))
    if form.validate_on_submit():
        version = posted_version()
        submitted = form.to_data()
        with form_errors(form, conflict=lambda: conflict(
                plan, form, lambda: action.title,
                lambda: _compared(form, services.action_data(action), submitted, themes, goals),
                lambda: action.version)) as saved:
            services.update_action(action, submitted, expected_version=version,
                                   actor=current_actor())
        if saved:
            flash(_("The changes to “%(name)s” have been saved.", name=action.title),
                  "success")
            return redirect(action_url(plan, action))
    return page("plans/programme/action_form.html", plan, form=form, action=action,
                theme_id=action.theme_id)


def _compared(form: ActionForm, current: ActionData, submitted: ActionData,
              themes: list[Theme], goals: list[Goal]) -> list[Row]:
    """The conflict page's rows: the action as it is now beside what was submitted, each
    value as the action's page shows it."""
    wanted = {*current.partner_ids, *submitted.partner_ids} | {
        i for i in (current.trekker_id, submitted.trekker_id) if i}
    people = {item.id: item for item in db.session.scalars(
        select(Stakeholder).where(Stakeholder.id.in_(wanted)).options(*register.BARE))}
    theme_names = {theme.id: theme.name for theme in themes}
    goal_titles = {goal.id: goal.title for goal in goals}

    def name(stakeholder_id: int | None) -> str:
        item = people.get(stakeholder_id) if stakeholder_id else None
        return register.display_name(item) if item else ""

    def shown(data: ActionData) -> list[Any]:
        return [data.title, theme_names.get(data.theme_id or 0, ""),
                goal_titles.get(data.goal_id or 0, ""), data.description,
                name(data.trekker_id), ", ".join(name(i) for i in data.partner_ids),
                euro(data.budget), short_date(data.start_date), short_date(data.end_date),
                status_label(data.status), f"{data.progress}%"]

    labels = [form[item].label.text for item in COMPARED]
    return list(zip(labels, shown(current), shown(submitted), strict=True))


# --- progress -------------------------------------------------------------------------------

@bp.route("/<int:plan_id>/actions/<int:action_id>/progress", methods=["GET", "POST"])
@require(Permission.EDIT)
def report_progress(plan_id: int, action_id: int):
    plan = plan_or_404(plan_id, editing=True, tab=PROGRAMME_TAB)
    action = action_or_404(plan, action_id)
    form = ProgressForm(data={"reported_on": today(), "progress": action.progress})
    if form.validate_on_submit():
        with form_errors(form) as saved:
            services.report_progress(action, form.reported_on.data, form.progress.data,
                                     form.note.data, actor=current_actor())
        if saved:
            flash(_("The progress of “%(name)s” has been reported.", name=action.title),
                  "success")
            return redirect(action_url(plan, action))
    return page("plans/programme/progress_form.html", plan, form=form, action=action,
                updates=services.updates_of(action))
