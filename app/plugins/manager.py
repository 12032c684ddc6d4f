"""Finding the plugins a municipality enables.

Plugins are distributions that declare an entry point in the ``koers.plugins`` group; the
municipality enables them by name, in order, in ``municipality.toml``.
"""

from __future__ import annotations

from importlib.metadata import EntryPoint, entry_points

from app.config import ConfigError, Municipality

ENTRY_POINT_GROUP = "koers.plugins"


def installed_plugins() -> dict[str, EntryPoint]:
    return {entry.name: entry for entry in entry_points(group=ENTRY_POINT_GROUP)}


def check_enabled(municipality: Municipality) -> list[str]:
    """The enabled plugin names, in order; an unknown name stops start-up."""
    installed = installed_plugins()
    for name in municipality.plugins:
        if name not in installed:
            known = ", ".join(sorted(installed)) or "none"
            raise ConfigError(str(municipality.folder / "municipality.toml"), "plugins.enabled",
                              f"names the plugin {name!r}, which is not installed "
                              f"(installed: {known})",
                              f"install it with pip (e.g. pip install -e plugins/koers-{name}) "
                              "or remove it from the list")
    return list(municipality.plugins)
