"""The core registers its own menu and dashboard through the same hooks plugins use."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.plugins.hookspecs import hookimpl
from app.plugins.ui import NavItem, SlotContent, Widget, render_partial
from app.terms import TERMS


@hookimpl
def navigation_items(user: Any) -> list[NavItem]:
    return [
        NavItem(_l("Dashboard"), "main.dashboard", "view", priority=0),
        NavItem(TERMS["plans"], "plans.index", "view", priority=20, active_prefix="plans."),
        NavItem(_l("Stakeholders"), "stakeholders.index", "view", priority=30,
                active_prefix="stakeholders."),
        NavItem(_l("Staff accounts"), "accounts.index", "manage_users", priority=900,
                active_prefix="accounts."),
        NavItem(_l("Audit trail"), "audit.index", "view_audit", priority=910,
                active_prefix="audit."),
    ]


@hookimpl
def stakeholder_categories() -> list[Any]:
    from app.stakeholders.services import Category

    return [
        Category("inwoner", _l("Resident"), "inwoner"),
        Category("maatschappelijke_partner", _l("Community partner"), "partner"),
        Category("zorgaanbieder", _l("Care provider"), "partner"),
        Category("adviesraad", _l("Advisory council"), "adviesraad"),
        Category("raadslid", _l("Council member"), "bestuur"),
        Category("wethouder", _l("Alderman (wethouder)"), "bestuur"),
        Category("medewerker", _l("Municipal staff"), "medewerker"),
        Category("vrijwilliger", _l("Volunteer"), "inwoner"),
        Category("mantelzorger", _l("Informal carer"), "inwoner"),
        Category("vereniging", _l("Association"), "partner"),
    ]


@hookimpl
def dashboard_widgets(user: Any) -> list[Widget]:
    from app.main.widgets import jobs_widget, recent_changes_widget, terminology_widget
    from app.plans.widgets import decisions_widget, my_plans_widget, overdue_actions_widget

    return [
        Widget(_l("My plans"), my_plans_widget, priority=20),
        Widget(_l("Decisions coming up"), decisions_widget, priority=30),
        Widget(_l("Overdue actions"), overdue_actions_widget, priority=40),
        Widget(_l("Your account"), lambda: render_partial("main/widgets/account.html"),
               priority=10),
        Widget(_l("Background jobs"), jobs_widget, priority=800, permission="manage_instance"),
        Widget(_l("Terminology"), terminology_widget, priority=810,
               permission="manage_instance"),
        Widget(_l("Recent changes"), recent_changes_widget, priority=900,
               permission="view_audit"),
    ]


@hookimpl
def plan_types() -> list[Any]:
    from app.plans.services import CORE_KINDS

    return list(CORE_KINDS)


@hookimpl
def workflows() -> list[Any]:
    from app.plans.workflow import DEFAULT_WORKFLOW

    return [DEFAULT_WORKFLOW]


@hookimpl
def transition_guards(plan: Any, transition: Any) -> list[str]:
    from app.plans.transitions import core_guards

    return core_guards(plan, transition)


@hookimpl
def transition_effects(plan: Any, transition: Any, user: Any) -> None:
    from app.plans.transitions import core_effects

    core_effects(plan, transition, user)


@hookimpl
def consultation_formats() -> list[Any]:
    from app.consultations.services import CORE_FORMATS

    return list(CORE_FORMATS)


@hookimpl
def input_kinds() -> list[Any]:
    from app.consultations.services import CORE_KINDS

    return list(CORE_KINDS)


@hookimpl
def template_slot(slot: str, context: dict[str, Any]) -> Any:
    if slot == "profile.after":
        from app.consultations.feeds import feed_of

        user = context["user"]
        return SlotContent(lambda: render_partial("consultations/calendar_feed_panel.html",
                                                  feed=feed_of(user)), priority=10)
    return None
