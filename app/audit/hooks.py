"""The audit trail's menu item, registered through the hooks plugins use."""

from __future__ import annotations

from typing import Any

from app.plugins.hookspecs import hookimpl
from app.plugins.types import NavItem
from app.translate import lazy_gettext as _l


@hookimpl
def navigation_items(user: Any) -> list[NavItem]:
    return [NavItem(_l("Audit trail"), "audit.index", "view_audit", priority=910,
                    active_prefix="audit.")]
