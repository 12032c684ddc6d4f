"""Finding, checking and loading the plugins a municipality enables.

Plugins are distributions that declare an entry point in the ``koers.plugins`` group; the
municipality enables them by name, in order, in ``municipality.toml``. For development and
tests, ``KOERS_EXTRA_PLUGINS`` maps more names to module paths without installing anything.

One name everywhere: a plugin called ``oldambt`` has the entry point ``oldambt``, the blueprint
``oldambt`` under ``/p/oldambt/``, templates in ``templates/oldambt/``, the translation domain
``oldambt``, the Alembic branch ``oldambt``, tables named ``oldambt_…`` and the settings section
``[plugins.oldambt]``. The loader checks all of it and stops start-up on the first mismatch,
naming the plugin and the fix.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from app.errors import ConfigError
from app.municipality import Municipality
from app.plugins import hookspecs
from app.plugins.names import CORE, RESERVED, is_valid_name
from app.plugins.settings import Setting, validate
from app.plugins.types import PluginFailure

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "koers.plugins"
#: The version of ``app.plugin_api``; plugins declare the range they work with (``koers_api``).
API_VERSION = "1.3"


@dataclass
class LoadedPlugin:
    name: str
    module: ModuleType
    version: str
    distribution: str | None
    settings: dict[str, Any] = field(default_factory=dict)

    @property
    def package_dir(self) -> Path:
        return Path(self.module.__file__ or "").resolve().parent

    def folder(self, name: str) -> Path | None:
        path = self.package_dir / name
        return path if path.is_dir() else None


def _entry_point_version(entry: EntryPoint) -> tuple[str | None, str]:
    dist = entry.dist
    return (dist.name, dist.version) if dist is not None else (None, "?")


def discover(extra: Mapping[str, str] | None = None) -> dict[str, tuple[str, str | None, str]]:
    """Installed plugins: name -> (module path, distribution, version)."""
    found: dict[str, tuple[str, str | None, str]] = {}
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        distribution, version = _entry_point_version(entry)
        found[entry.name] = (entry.value, distribution, version)
    for name, module_path in (extra or {}).items():
        found[name] = (module_path, None, "development")
    return found


def _source(municipality: Municipality) -> str:
    return str(municipality.folder / "municipality.toml")


class PluginManager:
    """The loaded plugins of one app, in enabled order, and the pluggy manager that calls them."""

    def __init__(self, municipality: Municipality, extra: Mapping[str, str] | None = None,
                 environ: Mapping[str, str] | None = None, trace: bool = False) -> None:
        self.municipality = municipality
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.installed = discover(extra)
        self.plugins: dict[str, LoadedPlugin] = {}
        self.internal: set[str] = set()  # the pluggy names of the core's own hook modules
        self._environ = environ
        self._trace = trace
        if trace:
            self.pm.trace.root.setwriter(lambda message: log.debug("hook: %s", message.rstrip()))
            self.pm.enable_tracing()

    # --- loading ----------------------------------------------------------------------------

    def load(self, internal: Sequence[ModuleType]) -> None:
        """Register the core's own hook modules (``internal``: one per area, in calling
        order) and the enabled plugins, checking every plugin."""
        source = _source(self.municipality)
        unknown_sections = set(self.municipality.plugin_settings) - set(self.installed)
        if unknown_sections:
            name = sorted(unknown_sections)[0]
            raise ConfigError(source, f"plugins.{name}", "configures a plugin that is not "
                              "installed", "install the plugin or remove the section")
        # pluggy calls the last registered implementation first: register the core first and
        # the plugins in reverse, so the earliest enabled plugin runs first and the core last.
        # The core's modules all answer as "core" (see owner): a plugin overrides them alike.
        for module in reversed(internal):
            name = f"{CORE}:{module.__name__}"
            self.pm.register(module, name=name)
            self.internal.add(name)
        modules = [(name, self._import(name)) for name in self.municipality.plugins]
        for name, module in reversed(modules):
            self.pm.register(module, name=name)
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as error:
            plugin = getattr(error, "plugin_name", None) or "?"
            raise ConfigError(source, f"plugins.enabled ({plugin})",
                              f"has a hook implementation that matches no hook: {error}",
                              "fix the function's name (see docs/plugins.md for every hook) "
                              "or upgrade Koers") from error
        for name, module in modules:
            _, distribution, version = self.installed[name]
            plugin = LoadedPlugin(name, module, version, distribution)
            plugin.settings = self._settings(plugin)
            self.plugins[name] = plugin
            self._check_folders(plugin)

    def _import(self, name: str) -> ModuleType:
        source = _source(self.municipality)
        if name not in self.installed:
            known = ", ".join(sorted(self.installed)) or "none"
            raise ConfigError(source, "plugins.enabled",
                              f"names the plugin {name!r}, which is not installed "
                              f"(installed: {known})",
                              f"install it with pip (e.g. pip install koers-{name}) "
                              "or remove it from the list")
        if not is_valid_name(name):
            raise ConfigError(source, "plugins.enabled", f"names the plugin {name!r}, which is "
                              "not a valid plugin name", "plugin names are lower case letters, "
                              "digits and underscores, starting with a letter, and not one of "
                              "the core's own names (" + ", ".join(sorted(RESERVED)) + ")")
        module_path = self.installed[name][0]
        try:
            module = importlib.import_module(module_path.split(":")[0])
        except Exception as error:
            raise ConfigError(source, "plugins.enabled", f"names the plugin {name!r}, which "
                              f"fails to import ({error.__class__.__name__}: {error})",
                              "reinstall the plugin or a version that fits this Koers") from error
        required = getattr(module, "koers_api", None)
        try:
            compatible = required is not None and Version(API_VERSION) in SpecifierSet(required)
        except InvalidSpecifier:
            compatible = False
        if not compatible:
            raise ConfigError(source, "plugins.enabled",
                              f"names the plugin {name!r}, which needs plugin API "
                              f"{required or '(undeclared)'} while this Koers offers "
                              f"{API_VERSION}",
                              "install a version of the plugin made for this Koers, or "
                              "disable it; plugins declare koers_api = \">=1.0,<2\"")
        return module

    def _settings(self, plugin: LoadedPlugin) -> dict[str, Any]:
        declared: list[Setting] = []
        for result in self.call_plugin(plugin.name, "declare_settings"):
            declared.extend(result or [])
        return validate(plugin.name, declared,
                        self.municipality.plugin_settings.get(plugin.name, {}),
                        _source(self.municipality), self._environ)

    def _check_folders(self, plugin: LoadedPlugin) -> None:
        name = plugin.name
        templates = plugin.folder("templates")
        if templates is not None:
            strays = sorted(p.name for p in templates.iterdir() if p.name != name)
            if strays:
                self._refuse(plugin, "keeps templates outside templates/" + name,
                             f"move {', '.join(strays)} into templates/{name}/ so they cannot "
                             "collide with another plugin's")
        versions = plugin.package_dir / "migrations" / "versions"
        if versions.is_dir():
            for root in _root_revisions(versions):
                if name not in root[1]:
                    self._refuse(plugin, f"starts its migrations with {root[0]} without the "
                                 f"branch label {name!r}",
                                 f"set branch_labels = ({name!r},) in {root[0]}")
        translations = plugin.folder("translations")
        if translations is not None:
            for catalogue in translations.glob("*/LC_MESSAGES/*.po"):
                if catalogue.stem != name:
                    self._refuse(plugin, f"has a catalogue named {catalogue.name}",
                                 f"name it {name}.po: the translation domain is the plugin name")

    def _refuse(self, plugin: LoadedPlugin, problem: str, fix: str) -> None:
        raise ConfigError(f"plugin {plugin.name} ({plugin.package_dir})", plugin.name,
                          problem, fix)

    def check_tables(self, metadata_tables: Mapping[str, Any], owners: Mapping[str, str]) -> None:
        """Every table a plugin's models define starts with ``<name>_``."""
        for table, module_name in owners.items():
            for plugin in self.plugins.values():
                package = plugin.module.__name__
                if (module_name == package or module_name.startswith(package + ".")) \
                        and not table.startswith(plugin.name + "_"):
                    self._refuse(plugin, f"defines the table {table!r}",
                                 f"name it {plugin.name}_… (__tablename__)")

    def check_blueprint(self, plugin: str, blueprint: Any) -> None:
        loaded = self.plugins[plugin]
        if blueprint.name != plugin:
            self._refuse(loaded, f"registers the blueprint {blueprint.name!r}",
                         f"name it {plugin!r}: use PluginBlueprint({plugin!r}, __name__)")
        if blueprint.url_prefix != f"/p/{plugin}":
            self._refuse(loaded, f"mounts its pages at {blueprint.url_prefix!r}",
                         f"use the prefix /p/{plugin} (PluginBlueprint does)")

    # --- calling ----------------------------------------------------------------------------

    @property
    def enabled(self) -> list[str]:
        return list(self.plugins)

    @property
    def hook(self) -> Any:
        return self.pm.hook

    def owner(self, registered_name: str) -> str:
        """Who answers for an implementation: the plugin's name, or "core" for the core's."""
        return CORE if registered_name in self.internal else registered_name

    def call_plugin(self, plugin: str, hook_name: str, **kwargs: Any) -> list[Any]:
        """Call one plugin's implementation(s) of a hook."""
        results = []
        for impl in getattr(self.pm.hook, hook_name).get_hookimpls():
            if self.owner(impl.plugin_name) == plugin:
                if self._trace:
                    log.debug("hook: %s(%s) -> %s", hook_name, ", ".join(kwargs), plugin)
                results.append(impl.function(*[kwargs[arg] for arg in impl.argnames]))
        return results

    def call_each(self, hook_name: str, *, isolate: bool = False,
                  **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a hook's implementations in order (plugins in enabled order, then the core),
        returning (plugin name, result) pairs. With ``isolate`` a failing implementation is
        logged and yields a :class:`PluginFailure` instead of stopping the others."""
        results: list[tuple[str, Any]] = []
        for impl in reversed(getattr(self.pm.hook, hook_name).get_hookimpls()):
            plugin = self.owner(impl.plugin_name)
            if self._trace:
                log.debug("hook: %s(%s) -> %s", hook_name, ", ".join(kwargs), plugin)
            try:
                result = impl.function(*[kwargs[arg] for arg in impl.argnames])
            except Exception as error:
                if not isolate:
                    raise
                log.exception("plugin %s failed in hook %s", plugin, hook_name,
                              extra={"plugin": plugin})
                result = PluginFailure(plugin, error)
            results.append((plugin, result))
        return results

    def implementations(self, hook_name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """(plugin name, zero-argument callable) for each implementation of a hook, in calling
        order, for callers that run and judge each one separately (workflow guards)."""
        found = []
        for impl in reversed(getattr(self.pm.hook, hook_name).get_hookimpls()):
            arguments = [kwargs[arg] for arg in impl.argnames]
            found.append((self.owner(impl.plugin_name),
                          lambda impl=impl, arguments=arguments: impl.function(*arguments)))
        return found

    def implemented_hooks(self, plugin: str) -> list[str]:
        module = self.pm.get_plugin(plugin)
        return sorted(hook.name for hook in self.pm.get_hookcallers(module) or [])


def _root_revisions(versions: Path) -> list[tuple[str, tuple[str, ...]]]:
    """(file name, branch labels) of each revision file without a down_revision."""
    import ast

    roots = []
    for path in sorted(versions.glob("*.py")):
        values: dict[str, Any] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                try:
                    values[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
        if "revision" in values and values.get("down_revision") is None:
            labels = values.get("branch_labels") or ()
            roots.append((path.name, (labels,) if isinstance(labels, str) else tuple(labels)))
    return roots


def hook_names() -> list[str]:
    """Every hook of the contract, as declared in ``hookspecs.py``."""
    return sorted(name for name, value in inspect.getmembers(hookspecs, inspect.isfunction)
                  if hasattr(value, f"{hookspecs.PROJECT}_spec"))
