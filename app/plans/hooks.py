"""What the plans area contributes through the hooks plugins use: its menu item and dashboard
cards, the core's plan kinds, the default workflow and that workflow's guards and effects."""

from __future__ import annotations

from typing import Any

from app.plans.services import CORE_KINDS
from app.plans.transitions import core_effects, core_guards
from app.plans.widgets import decisions_widget, my_plans_widget, overdue_actions_widget
from app.plans.workflow import DEFAULT_WORKFLOW
from app.plugins.hookspecs import hookimpl
from app.plugins.types import NavItem, Widget
from app.terms import TERMS
from app.translate import lazy_gettext as _l


@hookimpl
def navigation_items(user: Any) -> list[NavItem]:
    return [NavItem(TERMS["plans"], "plans.index", "view", priority=20, active_prefix="plans.")]


@hookimpl
def dashboard_widgets(user: Any) -> list[Widget]:
    return [
        Widget(_l("My plans"), my_plans_widget, priority=20),
        Widget(_l("Decisions coming up"), decisions_widget, priority=30),
        Widget(_l("Overdue actions"), overdue_actions_widget, priority=40),
    ]


@hookimpl
def plan_types() -> list[Any]:
    return list(CORE_KINDS)


@hookimpl
def workflows() -> list[Any]:
    return [DEFAULT_WORKFLOW]


@hookimpl
def transition_guards(plan: Any, transition: Any) -> list[str]:
    return core_guards(plan, transition)


@hookimpl
def transition_effects(plan: Any, transition: Any, user: Any) -> None:
    core_effects(plan, transition, user)
