"""The "Themes and programme" tab with its roll-up and chart, and the pages of themes and goals.

Views are thin: the plan is loaded with :func:`~app.plans.pages.plan_or_404` (a read-only plan
answers every editing route with 409 and the reason), a form validates, one service acts
inside :func:`~app.edits.form_errors` (a refusal beside its field with status 400, a stale
save on the conflict page with status 409), then flash and redirect. Actions and progress are
in :mod:`.action_views`, involvement in :mod:`.involvement_views`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect

from app.edits import current_actor, form_errors, posted_version
from app.permissions import Permission, require
from app.plans import services as plan_services
from app.plans.blueprint import bp
from app.plans.chart import ChartRow, progress_chart
from app.plans.models import Goal, Plan, Theme
from app.plans.pages import plan_or_404
from app.plans.programme import services
from app.plans.programme.forms import GoalForm, ThemeForm
from app.plans.programme.pages import (
    PROGRAMME_TAB,
    conflict,
    goal_or_404,
    page,
    programme_url,
    theme_or_404,
)
from app.plans.programme.services import Programme, budget_of, mean_progress
from app.stakeholders import services as register
from app.terms import term
from app.translate import gettext as _


def _chart(programme: Programme) -> Any:
    rows = [ChartRow(block.theme.name, block.progress, block.budget, block.action_count)
            for block in programme.blocks]
    other = programme.other_actions
    if other:
        rows.append(ChartRow(_("Other actions"), mean_progress(other), budget_of(other),
                             len(other)))
    return progress_chart(rows, title=_("%(themes)s: progress and budget",
                                        themes=term("themes")))


@bp.route("/<int:plan_id>/programme")
@require(Permission.VIEW)
def programme(plan_id: int):
    plan = plan_or_404(plan_id)
    children = plan_services.children_of(plan)
    figures = services.rollups([plan.id, *[child.id for child in children]])
    loaded = services.load_programme(plan, children, figures)
    return page("plans/programme/index.html", plan, programme=loaded,
                rollup=figures[plan.id], children=children,
                chart=_chart(loaded), display_name=register.display_name)


def _saved(plan: Plan, form: ThemeForm | GoalForm, record: Theme | Goal, title: str,
           update: Callable[..., None]) -> bool:
    """Save the edit of a theme or a goal (``title`` names its title field; the other is its
    description) with the version its form showed; a stale save answers with the conflict
    page. True once saved."""
    version = posted_version()
    heading = form[title]
    with form_errors(form, conflict=lambda: conflict(
            plan, form, lambda: getattr(record, title), lambda: [
                (heading.label.text, getattr(record, title), heading.data),
                (form.description.label.text, record.description, form.description.data)],
            lambda: record.version)) as saved:
        update(record, heading.data, form.description.data, expected_version=version,
               actor=current_actor())
    return bool(saved)


# --- themes ---------------------------------------------------------------------------------

@bp.route("/<int:plan_id>/themes/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def add_theme(plan_id: int):
    plan = plan_or_404(plan_id, editing=True, tab=PROGRAMME_TAB)
    form = ThemeForm()
    if form.validate_on_submit():
        with form_errors(form) as saved:
            theme = services.add_theme(plan, form.name.data, form.description.data,
                                       actor=current_actor())
        if saved:
            flash(_("“%(name)s” has been added.", name=theme.name), "success")
            return redirect(programme_url(plan, f"theme-{theme.id}"))
    return page("plans/programme/theme_form.html", plan, form=form, theme=None)


@bp.route("/<int:plan_id>/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_theme(plan_id: int, theme_id: int):
    plan = plan_or_404(plan_id, editing=True, tab=PROGRAMME_TAB)
    theme = theme_or_404(plan, theme_id)
    form = ThemeForm(data={"name": theme.name, "description": theme.description or "",
                           "version": str(theme.version)})
    if form.validate_on_submit() and _saved(plan, form, theme, "name", services.update_theme):
        flash(_("The changes to “%(name)s” have been saved.", name=theme.name), "success")
        return redirect(programme_url(plan, f"theme-{theme.id}"))
    return page("plans/programme/theme_form.html", plan, form=form, theme=theme)


# --- goals ----------------------------------------------------------------------------------

@bp.route("/<int:plan_id>/themes/<int:theme_id>/goals/new", methods=["GET", "POST"])
@require(Permission.EDIT)
def add_goal(plan_id: int, theme_id: int):
    plan = plan_or_404(plan_id, editing=True, tab=PROGRAMME_TAB)
    theme = theme_or_404(plan, theme_id)
    form = GoalForm()
    if form.validate_on_submit():
        with form_errors(form) as saved:
            goal = services.add_goal(theme, form.title.data, form.description.data,
                                     actor=current_actor())
        if saved:
            flash(_("“%(name)s” has been added.", name=goal.title), "success")
            return redirect(programme_url(plan, f"theme-{theme.id}"))
    return page("plans/programme/goal_form.html", plan, form=form, theme=theme)


@bp.route("/<int:plan_id>/themes/<int:theme_id>/goals/<int:goal_id>/edit",
          methods=["GET", "POST"])
@require(Permission.EDIT)
def edit_goal(plan_id: int, theme_id: int, goal_id: int):
    plan = plan_or_404(plan_id, editing=True, tab=PROGRAMME_TAB)
    theme = theme_or_404(plan, theme_id)
    goal = goal_or_404(theme, goal_id)
    form = GoalForm(data={"title": goal.title, "description": goal.description or "",
                          "version": str(goal.version)})
    if form.validate_on_submit() and _saved(plan, form, goal, "title", services.update_goal):
        flash(_("The changes to “%(name)s” have been saved.", name=goal.title), "success")
        return redirect(programme_url(plan, f"theme-{theme.id}"))
    return page("plans/programme/goal_form.html", plan, form=form, theme=theme, goal=goal)
