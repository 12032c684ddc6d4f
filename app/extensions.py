"""Flask extensions, created once and bound to an app in :func:`app.create_app`.

Babel is deliberately not here: Flask-Babel caches catalogues on its instance, and each app
(municipality) layers its own terminology, so every app gets its own Babel instance.
"""

from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

from app.database import db

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()

__all__ = ["csrf", "db", "login_manager", "migrate"]
