"""The staff accounts' menu item, registered through the hooks plugins use."""

from __future__ import annotations

from typing import Any

from app.plugins.hookspecs import hookimpl
from app.plugins.types import NavItem
from app.translate import lazy_gettext as _l


@hookimpl
def navigation_items(user: Any) -> list[NavItem]:
    return [NavItem(_l("Staff accounts"), "accounts.index", "manage_users", priority=900,
                    active_prefix="accounts.")]
