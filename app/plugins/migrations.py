"""Plugin migrations: one Alembic environment, a branch per plugin.

Every *installed* plugin's ``migrations/versions`` folder is a version location (so the history
always resolves, even for a disabled plugin whose tables are still there); ``koers db upgrade``
upgrades the core and every *enabled* plugin's branch. A plugin's first revision carries the
plugin's name as branch label and ``depends_on`` a core revision.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from flask import current_app


def package_folders(installed: dict[str, tuple[str, str | None, str]]) -> dict[str, Path]:
    """name -> the plugin's package folder, found without importing (running) the plugin."""
    folders: dict[str, Path] = {}
    for name, (module_path, _distribution, _version) in installed.items():
        try:
            spec = importlib.util.find_spec(module_path.split(":")[0])
        except (ImportError, ValueError):
            continue
        if spec is not None and spec.submodule_search_locations:
            folders[name] = Path(next(iter(spec.submodule_search_locations)))
    return folders


def plugin_version_folders(installed: dict[str, tuple[str, str | None, str]]) -> dict[str, Path]:
    """name -> its migrations/versions folder."""
    return {name: folder / "migrations" / "versions"
            for name, folder in package_folders(installed).items()
            if (folder / "migrations" / "versions").is_dir()}


def upgrade_enabled(sql: bool = False) -> list[str]:
    """Upgrade the core and each enabled plugin that has migrations; returns the targets."""
    from flask_migrate import upgrade

    manager = current_app.extensions["koers_plugins"]
    folders = plugin_version_folders(manager.installed)
    targets = ["core@head"] + [f"{name}@head" for name in manager.enabled if name in folders]
    for target in targets:
        upgrade(revision=target, sql=sql)
    return targets
