"""What plugins put on core pages: menu items, dashboard widgets and named template slots.

Every slot a core template offers is listed in :data:`SLOTS` with the context it passes; a
template renders one with ``{{ slot("name", key=value) }}``. Contents and widgets are sorted by
``priority`` (lower first; default 100). A plugin's failure while rendering is logged and shown
as an error box naming the plugin, and the rest of the page still works.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template
from markupsafe import Markup

from app.permissions import Permission, has_permission
from app.plugins.names import CORE
from app.plugins.translations import plugin_domain
from app.plugins.types import NavItem, PluginFailure
from app.theming.components import ui
from app.translate import gettext as _

log = logging.getLogger(__name__)

#: slot name -> (where it is, the context keys it passes)
SLOTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "dashboard.top": ("above the dashboard's cards", ("user",)),
    "dashboard.bottom": ("below the dashboard's cards", ("user",)),
    "profile.after": ("below the profile page's sections", ("user",)),
    "plan.overview": ("panels on a plan's overview tab", ("plan", "user")),
    "plan.programme": ("below a plan's implementation programme", ("plan", "user")),
    "consultation.overview": ("panels at the end of a consultation's page",
                              ("consultation", "plan", "user")),
    "footer": ("in the footer of every page", ()),
}


def error_box(plugin: str, where: str) -> Markup:
    message = _("The plugin “%(plugin)s” could not show its part of this page (%(where)s). "
                "The error has been logged; the rest of the page works.",
                plugin=plugin, where=where)
    return Markup('<div class="{} plugin-error" role="alert">{}</div>').format(
        ui("alert", "error"), message)


def safe_render(plugin: str, where: str, render: Callable[[], str]) -> Markup:
    """Call ``render``; on an exception log it and return an error box naming the plugin."""
    try:
        # A plugin's render function returns HTML it rendered from its own templates.
        return Markup(render())  # noqa: S704
    except Exception:
        log.exception("plugin %s failed to render %s", plugin, where,
                      extra={"plugin": plugin})
        return error_box(plugin, where)


def render_slot(name: str, **context: Any) -> Markup:
    """Render every plugin's content for slot ``name`` (a Jinja global: ``slot``)."""
    if name not in SLOTS:
        raise KeyError(f"unknown template slot {name!r}; add it to SLOTS in app/plugins/ui.py")
    manager = current_app.extensions["koers_plugins"]
    parts: list[tuple[int, Markup]] = []
    for plugin, item in _flatten(manager.call_each("template_slot", isolate=True, slot=name,
                                                   context=context)):
        if isinstance(item, PluginFailure):
            parts.append((100, error_box(plugin, _("slot %(name)s", name=name))))
            continue
        with plugin_domain(plugin):
            parts.append((item.priority, safe_render(plugin, _("slot %(name)s", name=name),
                                                     item.render)))
    parts.sort(key=lambda part: part[0])
    return Markup("").join(html for _priority, html in parts)


def render_partial(template: str, **context: Any) -> str:
    """Render a (plugin) template fragment, for widgets and slot contents."""
    return render_template(template, **context)


@dataclass(frozen=True)
class RenderedWidget:
    title: str
    html: Markup
    plugin: str


def _allowed(user: Any, permission: str | None) -> bool:
    return permission is None or has_permission(user, Permission(permission))


def _flatten(results: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    flat = []
    for plugin, result in results:
        if result is None:
            continue
        if isinstance(result, PluginFailure):
            flat.append((plugin, result))
            continue
        flat.extend((plugin, item) for item in
                    (result if isinstance(result, list | tuple) else [result]))
    return flat


def dashboard_widgets(user: Any) -> list[RenderedWidget]:
    """Every widget the user may see, rendered; a failing plugin yields an error box."""
    manager = current_app.extensions["koers_plugins"]
    rendered: list[tuple[int, RenderedWidget]] = []
    for plugin, widget in _flatten(manager.call_each("dashboard_widgets", isolate=True,
                                                     user=user)):
        if isinstance(widget, PluginFailure):
            rendered.append((100, RenderedWidget(plugin, error_box(plugin, _("dashboard")),
                                                 plugin)))
            continue
        if not _allowed(user, widget.permission):
            continue
        with plugin_domain(plugin) if plugin != CORE else nullcontext():
            html = safe_render(plugin, _("dashboard"), widget.render)
            title = str(widget.title)
        rendered.append((widget.priority, RenderedWidget(title, html, plugin)))
    rendered.sort(key=lambda pair: pair[0])
    return [widget for _priority, widget in rendered]


def navigation(user: Any) -> list[NavItem]:
    """The main menu for ``user``: core and plugin items the user may use, by priority."""
    manager = current_app.extensions["koers_plugins"]
    items = [item for _plugin, item in _flatten(manager.call_each(
                 "navigation_items", isolate=True, user=user))
             if not isinstance(item, PluginFailure) and _allowed(user, item.permission)]
    return sorted(items, key=lambda item: item.priority)
