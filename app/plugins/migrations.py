"""Plugin migrations: one Alembic environment, a branch per plugin.

Every *enabled* plugin's ``migrations/versions`` folder is a version location, and so is a
disabled plugin's while its tables are in the database (so the history still resolves);
``koers db upgrade`` upgrades the core and every *enabled* plugin's branch, ``koers db upgrade
NAME@head`` one plugin's branch alone (with the core revisions it depends on). A plugin's first
revision carries the plugin's name as branch label and ``depends_on`` the core revision that
creates the tables it references (:func:`revision_creating`).
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import current_app

#: The core's migration environment (``versions/`` holds the core's branch).
CORE_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


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


def table_owners() -> dict[str, str]:
    """table name -> the module that defines its model."""
    from app.database import db

    return {mapper.local_table.name: mapper.class_.__module__
            for mapper in db.Model.registry.mappers if mapper.local_table is not None}


def schema_tables() -> set[str]:
    """The tables this app's schema should have: the core's and its enabled plugins'.

    Models of other plugins may be imported in the same process (tests, tools); their tables
    are not this app's business, so comparisons and autogenerate leave them out.
    """
    manager = current_app.extensions["koers_plugins"]
    packages = ["app", *(plugin.module.__name__ for plugin in manager.plugins.values())]
    return {table for table, module in table_owners().items()
            if any(module == package or module.startswith(package + ".") for package in packages)}


def unmodelled_objects() -> set[str]:
    """Tables and indexes that models' tables declare as theirs but not modelled."""
    from app.database import db

    return {name for mapper in db.Model.registry.mappers if mapper.local_table is not None
            for name in mapper.local_table.info.get("unmodelled", ())}


def include_object(only_plugin: str | None = None) -> Callable[..., bool]:
    """An Alembic ``include_object`` filter for autogenerate and schema comparisons: this
    app's tables (or one plugin's only, with ``only_plugin``). Tables of plugins that are
    installed but not enabled here are left alone — disabling a plugin keeps its data."""
    manager = current_app.extensions["koers_plugins"]
    wanted = schema_tables()
    foreign = set(table_owners()) - wanted
    plugin_prefixes = tuple(f"{name}_" for name in manager.installed)
    # Objects a model's table declares it has on one database only (search's FTS5 table and
    # GIN index): ``info={"unmodelled": (names…)}``.
    unmodelled = unmodelled_objects()

    def include(obj: Any, name: str | None, type_: str, reflected: bool,
                compare_to: Any) -> bool:
        if reflected and name in unmodelled:
            return False
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
        table = table or ""
        if only_plugin is not None:
            return table.startswith(f"{only_plugin}_")
        if table in wanted:
            return True
        if table in foreign or table.startswith(plugin_prefixes):
            return False
        return reflected  # a core table whose model is gone: autogenerate should see it

    return include


def core_revisions() -> list[tuple[str, list[str]]]:
    """The core's revisions, oldest first, each with the tables it creates — read from the
    migration files, without an app or a database."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(CORE_MIGRATIONS),
                             version_locations=[str(CORE_MIGRATIONS / "versions")])
    revisions = []
    for revision in reversed(list(script.walk_revisions())):
        tree = ast.parse(Path(revision.path).read_text(encoding="utf-8"))
        tables = [node.args[0].value for node in ast.walk(tree)
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr == "create_table" and node.args
                  and isinstance(node.args[0], ast.Constant)]
        revisions.append((revision.revision, tables))
    return revisions


class UnknownTable(ValueError):
    """A table the core's migrations do not create."""


def revision_creating(tables: Iterable[str]) -> str:
    """The core revision a plugin's first migration must depend on to reference ``tables``:
    the latest of those that create them (the core's first revision for none)."""
    revisions = core_revisions()
    created = {table: number for number, (_revision, names) in enumerate(revisions)
               for table in names}
    wanted = list(tables)
    unknown = [table for table in wanted if table not in created]
    if unknown:
        raise UnknownTable(f"{', '.join(unknown)}: not a core table (core tables: "
                           f"{', '.join(sorted(created))})")
    return revisions[max((created[table] for table in wanted), default=0)][0]
