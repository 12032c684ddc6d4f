"""What every programme page needs: its records or a 404 (a theme, goal or action of another
plan is not found), the page in the plan's layout, and the conflict page of a stale save."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from flask import abort, current_app, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.database import db
from app.edits import PageResult, Row, conflict_page
from app.plans.models import Action, Goal, Plan, Theme
from app.plans.pages import page_context
from app.stakeholders.services import BARE

PROGRAMME_TAB = "plans.programme"
INVOLVEMENT_TAB = "plans.involvement"


def theme_or_404(plan: Plan, theme_id: int) -> Theme:
    theme = db.session.get(Theme, theme_id)
    if theme is None or theme.plan_id != plan.id:
        abort(404)
    return theme


def goal_or_404(theme: Theme, goal_id: int) -> Goal:
    goal = db.session.get(Goal, goal_id)
    if goal is None or goal.theme_id != theme.id:
        abort(404)
    return goal


def action_or_404(plan: Plan, action_id: int) -> Action:
    """The action with its trekker (for its page), or a 404."""
    action = db.session.scalar(select(Action).where(Action.id == action_id).options(
        joinedload(Action.trekker).options(*BARE)))
    if action is None or action.plan_id != plan.id:
        abort(404)
    return action


def page(template: str, plan: Plan, *, tab: str = PROGRAMME_TAB, **context: Any) -> PageResult:
    """A programme page in the plan's layout; a form that comes back after a POST comes back
    with 400 (it was refused)."""
    status = 400 if request.method == "POST" else 200
    return render_template(template, **page_context(plan, tab), **context), status


def conflict(plan: Plan, form: Any, name: Callable[[], Any],
             rows: Callable[[], Sequence[Row]], version: Callable[[], Any]) -> PageResult:
    """The programme's conflict page: the record as someone else left it beside what was
    submitted (text trimmed, as it is saved), and a form to save the submitted values over
    it knowingly. ``name`` names the record as it is now: read after the rollback."""
    db.session.rollback()

    def trimmed() -> list[Row]:
        return [(label, _trim(current), _trim(mine)) for label, current, mine in rows()]

    return conflict_page("plans/programme/conflict.html", trimmed, form=form, version=version,
                         name=name(), **page_context(plan, PROGRAMME_TAB))


def _trim(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def programme_url(plan: Plan, anchor: str | None = None) -> str:
    return url_for(PROGRAMME_TAB, plan_id=plan.id, _anchor=anchor)


def action_url(plan: Plan, action: Action) -> str:
    return url_for("plans.show_action", plan_id=plan.id, action_id=action.id)


def today() -> date:
    """Today in the municipality's time zone."""
    return current_app.config["KOERS_MUNICIPALITY"].today()
