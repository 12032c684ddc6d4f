"""Flask extensions, created once and bound to an app in :func:`app.create_app`.

Babel is deliberately not here: Flask-Babel caches catalogues on its instance, and each app
(municipality) layers its own terminology, so every app gets its own Babel instance.
"""

import os

from alembic.config import Config
from flask import current_app
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from app.database import db

migrate = Migrate()


@migrate.configure
def _version_locations(config: Config) -> Config:
    """The core's versions plus the branches of the enabled plugins and of disabled plugins
    whose tables are in the database (so its history still resolves), and extra locations.

    A plugin that is merely installed stays out: its unapplied branch would make every
    database look out of date to ``koers db migrate``."""
    from app.plugins.migrations import plugin_version_folders

    extra = [str(path) for path in current_app.config.get("KOERS_MIGRATION_LOCATIONS") or []]
    manager = current_app.extensions.get("koers_plugins")
    if manager is not None:
        folders = plugin_version_folders(manager.installed)
        present = _table_names() if set(folders) - set(manager.enabled) else set()
        extra += [str(path) for name, path in folders.items()
                  if name in manager.enabled
                  or any(table.startswith(f"{name}_") for table in present)]
    if extra:
        core = os.path.join(config.get_main_option("script_location"), "versions")
        config.set_main_option("version_locations", os.pathsep.join([core, *extra]))
    return config
def _table_names() -> set[str]:
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    try:
        return set(inspect(db.engine).get_table_names())
    except SQLAlchemyError:  # no database yet: nothing of a disabled plugin to resolve
        return set()


login_manager = LoginManager()
csrf = CSRFProtect()

__all__ = ["csrf", "db", "login_manager", "migrate"]
