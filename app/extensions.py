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
    """The core's versions plus every installed plugin's branch and any extra locations."""
    from app.plugins.migrations import plugin_version_folders

    extra = [str(path) for path in current_app.config.get("KOERS_MIGRATION_LOCATIONS") or []]
    manager = current_app.extensions.get("koers_plugins")
    if manager is not None:
        extra += [str(path) for path in plugin_version_folders(manager.installed).values()]
    if extra:
        core = os.path.join(config.get_main_option("script_location"), "versions")
        config.set_main_option("version_locations", os.pathsep.join([core, *extra]))
    return config
login_manager = LoginManager()
csrf = CSRFProtect()

__all__ = ["csrf", "db", "login_manager", "migrate"]
