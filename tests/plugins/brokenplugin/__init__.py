"""A test plugin whose UI contributions fail, to check failure isolation."""

from app.plugin_api import SlotContent, Widget, hookimpl

koers_api = ">=1.0,<2"


def explode():
    raise RuntimeError("widget exploded")


@hookimpl
def dashboard_widgets(user):
    return [Widget("Broken widget", explode)]


@hookimpl
def template_slot(slot, context):
    if slot == "dashboard.top":
        return SlotContent(explode)
    if slot == "dashboard.bottom":
        raise RuntimeError("hook exploded")
    return None


@hookimpl
def navigation_items(user):
    raise RuntimeError("navigation exploded")
