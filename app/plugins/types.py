"""What hooks return to the core: menu items, dashboard widgets, slot contents and failures.

A leaf module (Flask only): the runtime, the areas' own hook modules and ``app.plugin_api``
import these without importing one another.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import url_for


@dataclass(frozen=True)
class NavItem:
    """A main-menu entry. ``permission`` is a Permission value, or None for every user."""

    label: Any
    endpoint: str
    permission: str | None = "view"
    priority: int = 100
    values: dict[str, Any] = field(default_factory=dict)
    active_prefix: str | None = None  # endpoints starting with this mark the item current

    @property
    def url(self) -> str:
        return url_for(self.endpoint, **self.values)


@dataclass(frozen=True)
class Widget:
    """A dashboard card: a title and a callable that returns its HTML (use ``render``)."""

    title: Any
    render: Callable[[], str]
    priority: int = 100
    permission: str | None = "view"
    plugin: str = ""  # filled in by the core


@dataclass(frozen=True)
class SlotContent:
    """Something to show in a slot: a callable that returns HTML."""

    render: Callable[[], str]
    priority: int = 100
    plugin: str = ""  # filled in by the core


@dataclass(frozen=True)
class ThemeStylesheet:
    """A design-tokens stylesheet in the plugin's ``static/`` folder (API 1.3).

    It is loaded after the municipality's theme; ``theme_class`` is the class its tokens are
    declared under (a brand token package's own, such as ``denhaag-theme``), added to the
    page root so they apply."""

    filename: str
    theme_class: str | None = None


class PluginFailure:
    """What a hook call isolated from a failing plugin returns in place of a result."""

    def __init__(self, plugin: str, error: BaseException) -> None:
        self.plugin, self.error = plugin, error
