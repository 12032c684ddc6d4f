"""The dashboard's own menu item and cards, registered through the hooks plugins use."""

from __future__ import annotations

from typing import Any

from app.main.widgets import jobs_widget, recent_changes_widget, terminology_widget
from app.plugins.hookspecs import hookimpl
from app.plugins.types import NavItem, Widget
from app.plugins.ui import render_partial
from app.translate import lazy_gettext as _l


@hookimpl
def navigation_items(user: Any) -> list[NavItem]:
    return [NavItem(_l("Dashboard"), "main.dashboard", "view", priority=0)]


@hookimpl
def dashboard_widgets(user: Any) -> list[Widget]:
    return [
        Widget(_l("Your account"), lambda: render_partial("main/widgets/account.html"),
               priority=10),
        Widget(_l("Background jobs"), jobs_widget, priority=800, permission="manage_instance"),
        Widget(_l("Terminology"), terminology_widget, priority=810,
               permission="manage_instance"),
        Widget(_l("Recent changes"), recent_changes_widget, priority=900,
               permission="view_audit"),
    ]
