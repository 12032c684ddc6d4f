"""Wiring the loaded plugins into an app: blueprints, templates, translations, CLI, checks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import ModuleType

from flask import Flask
from flask.cli import AppGroup
from jinja2 import ChoiceLoader, FileSystemLoader

from app.plugins.manager import PluginManager
from app.plugins.translations import make_domain


def load_plugins(app: Flask, environ: Mapping[str, str] | None,
                 internal: Sequence[ModuleType]) -> PluginManager:
    """Import, check and register the enabled plugins (before the extensions start), after
    the core's own hook modules (``internal``), which therefore run last."""
    manager = PluginManager(app.config["KOERS_MUNICIPALITY"],
                            extra=app.config.get("KOERS_EXTRA_PLUGINS"),
                            environ=environ,
                            trace=app.config.get("KOERS_TRACE_HOOKS", False))
    manager.load(internal)
    app.extensions["koers_plugins"] = manager
    app.config["KOERS_ENABLED_PLUGINS"] = manager.enabled
    return manager


def attach_plugins(app: Flask, manager: PluginManager) -> None:
    """Blueprints, template folders, translation domains and CLI groups of every plugin."""
    from app.database import db

    municipality = app.config["KOERS_MUNICIPALITY"]
    core_dirs = app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")
    template_loaders = []
    domains = {}
    for name, plugin in manager.plugins.items():
        for blueprints in manager.call_plugin(name, "register_blueprints"):
            for blueprint in blueprints or []:
                manager.check_blueprint(name, blueprint)
                app.register_blueprint(blueprint)
        templates = plugin.folder("templates")
        if templates is not None:
            template_loaders.append(FileSystemLoader(str(templates)))
        domains[name] = make_domain(name, plugin.folder("translations"), core_dirs,
                                    municipality.translations_dir)
        group = AppGroup(name, help=f"Commands of the plugin {name}.")
        manager.call_plugin(name, "register_cli", group=group)
        if group.commands:
            app.cli.add_command(group)
    app.extensions["koers_plugin_domains"] = domains
    if template_loaders:
        # After the app's own and the blueprints' templates; plugin templates are namespaced
        # (templates/<name>/…), so they can neither collide nor override the core's.
        app.jinja_env.loader = ChoiceLoader([app.jinja_env.loader, *template_loaders])
    owners = {mapper.local_table.name: mapper.class_.__module__
              for mapper in db.Model.registry.mappers if mapper.local_table is not None}
    manager.check_tables(db.metadata.tables, owners)
