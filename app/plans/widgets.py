"""The plans area's dashboard cards: my plans, plans awaiting a decision, overdue actions.
Each is one or two queries, whatever the number of plans."""

from __future__ import annotations

from datetime import date

from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from app.database import db
from app.plans.models import Action, ActionStatus, Plan
from app.plugins.ui import render_partial
from app.workflow import Phase

LIMIT = 8
AWAITING_DECISION = (Phase.ONTWERP.value, Phase.CONSULTATIE.value, Phase.CONCEPT.value)


def my_plans_widget() -> str:
    plans = db.session.scalars(
        select(Plan).where(Plan.owner_id == current_user.id, Plan.archived.is_(False))
        .order_by(Plan.updated_at.desc()).limit(LIMIT)).all()
    return render_partial("plans/widgets/my_plans.html", plans=plans)


def decisions_widget() -> str:
    """Plans on their way to the college or the council: the decisions coming up."""
    plans = db.session.scalars(
        select(Plan).where(Plan.archived.is_(False), Plan.phase.in_(AWAITING_DECISION))
        .order_by(Plan.phase.desc(), Plan.updated_at.desc()).limit(LIMIT)).all()
    return render_partial("plans/widgets/decisions.html", plans=plans)


def overdue_actions_widget() -> str:
    actions = db.session.scalars(
        select(Action).join(Plan, Plan.id == Action.plan_id)
        .where(Plan.archived.is_(False), Action.end_date < date.today(),
               Action.status.in_([ActionStatus.PLANNED.value, ActionStatus.RUNNING.value]))
        .options(contains_eager(Action.plan))
        .order_by(Action.end_date, Action.id).limit(LIMIT)).all()
    return render_partial("plans/widgets/overdue_actions.html", actions=actions)
