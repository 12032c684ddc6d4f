"""A second test plugin, to check load order and override precedence."""

from app.plugin_api import NavItem, hookimpl

koers_api = ">=1.0,<2"


@hookimpl
def dashboard_title(user):
    return "Other plugin's dashboard"


@hookimpl
def navigation_items(user):
    return [NavItem("Other plugin", "main.dashboard", None, priority=50)]
