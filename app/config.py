"""Settings: defaults < instance config file < environment, plus the municipality's own file.

Every problem is reported as a :class:`~app.errors.ConfigError` that names the file, the key
and the fix, so an administrator can repair a broken instance without reading code. The
municipality's file is read by :mod:`app.municipality`, the mail settings by :mod:`app.mail`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from app.errors import ConfigError
from app.mail import MAIL_KEYS, PASSWORD_VARIABLE, read_mail_settings
from app.municipality import Municipality, load_municipality, read_toml

#: The folder that holds ``municipalities/``, ``translations/`` and ``instance/`` in a checkout.
PROJECT_HOME = Path(__file__).resolve().parent.parent

#: The settings the instance file accepts (lower case), each with its environment variable
#: (upper case) and type: exactly these, and README's settings table lists every one (a test
#: compares them). Whole numbers must be 1 or more unless listed in ``_MAY_BE_ZERO``.
INSTANCE_KEYS: dict[str, tuple[str, type]] = {
    "secret_key": ("SECRET_KEY", str),
    "database_url": ("DATABASE_URL", str),
    "redis_url": ("REDIS_URL", str),
    # DATABASE_URL goes through a pooler in transaction mode (PgBouncer pool_mode = transaction):
    # no server-side prepared statements, which would outlive the transaction's server.
    "database_transaction_pooling": ("KOERS_DATABASE_TRANSACTION_POOLING", bool),
    # How many web containers (machines) serve the instance; more than one needs Redis and
    # PostgreSQL (see check_web_containers).
    "web_containers": ("KOERS_WEB_CONTAINERS", int),
    "storage_dir": ("KOERS_STORAGE_DIR", str),
    # s3://bucket/prefix: files in S3-compatible object storage instead of the folder above
    "storage_url": ("KOERS_STORAGE_URL", str),
    "municipality": ("KOERS_MUNICIPALITY", str),
    "municipalities_dir": ("KOERS_MUNICIPALITIES_DIR", str),
    "demo": ("KOERS_DEMO", bool),
    "debug": ("KOERS_DEBUG", bool),
    "secure_cookies": ("KOERS_SECURE_COOKIES", bool),
    "login_max_failures": ("KOERS_LOGIN_MAX_FAILURES", int),
    "login_window_minutes": ("KOERS_LOGIN_WINDOW_MINUTES", int),
    "log_level": ("KOERS_LOG_LEVEL", str),
    "proxy_count": ("KOERS_PROXY_COUNT", int),
    "extra_plugins": ("KOERS_EXTRA_PLUGINS", str),
    "trace_hooks": ("KOERS_TRACE_HOOKS", bool),
    "max_import_mb": ("KOERS_MAX_IMPORT_MB", int),
    "max_attachment_mb": ("KOERS_MAX_ATTACHMENT_MB", int),
    # Bounds on what an uploaded spreadsheet may unfold into (a zip bomb is small on disk),
    # and the rows an import writes per short transaction.
    "import_max_rows": ("KOERS_IMPORT_MAX_ROWS", int),
    "import_max_cells": ("KOERS_IMPORT_MAX_CELLS", int),
    "import_max_row_cells": ("KOERS_IMPORT_MAX_ROW_CELLS", int),
    "import_max_unpacked_mb": ("KOERS_IMPORT_MAX_UNPACKED_MB", int),
    "import_step_rows": ("KOERS_IMPORT_STEP_ROWS", int),
    # Limits of one background job: it is stopped and marked failed beyond them.
    "job_memory_mb": ("KOERS_JOB_MEMORY_MB", int),
    "job_time_limit_minutes": ("KOERS_JOB_TIME_LIMIT_MINUTES", int),
    # A running job writes a heartbeat this often; one silent for the second is interrupted.
    "job_heartbeat_seconds": ("KOERS_JOB_HEARTBEAT_SECONDS", int),
    "job_interrupted_after_seconds": ("KOERS_JOB_INTERRUPTED_AFTER_SECONDS", int),
    # Outgoing mail (feedback letters), see app.mail.
    **MAIL_KEYS,
}
#: Variables read only from the environment, never from the instance file.
ENVIRONMENT_ONLY = ("KOERS_INSTANCE_DIR", "KOERS_CONFIG", PASSWORD_VARIABLE)
_MAY_BE_ZERO = {"proxy_count"}
DEFAULTS: dict[str, Any] = {
    "municipality": "demo",
    "municipalities_dir": str(PROJECT_HOME / "municipalities"),
    "demo": False,
    "debug": False,
    "database_transaction_pooling": False,
    "web_containers": 1,
    "secure_cookies": False,
    "login_max_failures": 5,
    "login_window_minutes": 15,
    "log_level": "INFO",
    "max_import_mb": 20,
    "max_attachment_mb": 10,
    "import_max_rows": 250_000,
    "import_max_cells": 5_000_000,
    "import_max_row_cells": 200,
    "import_max_unpacked_mb": 300,
    "import_step_rows": 250,
    "job_memory_mb": 1024,
    "job_time_limit_minutes": 60,
    "job_heartbeat_seconds": 10,
    "job_interrupted_after_seconds": 120,
}
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _coerce(source: str, key: str, raw: Any, kind: type, minimum: int = 1) -> Any:
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in _TRUE | _FALSE:
            return text in _TRUE
        raise ConfigError(source, key, f"is {raw!r}", "set it to 1/0, true/false or yes/no")
    if kind is int:
        try:
            number = int(raw)
        except (TypeError, ValueError) as error:
            raise ConfigError(source, key, f"is {raw!r}", "set it to a whole number") from error
        if number < minimum:
            raise ConfigError(source, key, f"is {number}",
                              f"set it to a whole number of {minimum} or more")
        return number
    if not isinstance(raw, str):
        raise ConfigError(source, key, f"has the wrong type ({raw!r})", "write it as text")
    return raw


@dataclass(frozen=True)
class InstanceSettings:
    """The instance's settings as read (defaults < instance file < environment), each of its
    type, before the municipality and the secret key are checked."""

    values: dict[str, Any]
    instance_dir: Path
    config_file: Path

    @property
    def municipalities_dir(self) -> Path:
        return Path(self.values["municipalities_dir"])

    @property
    def municipality_folder(self) -> Path:
        return self.municipalities_dir / self.values["municipality"]


def read_settings(environ: Mapping[str, str] | None = None) -> InstanceSettings:
    """Read the instance file and the environment; raises :class:`ConfigError`. Commands that
    need no app (compiling catalogues, listing terms) use this without a ``SECRET_KEY``."""
    environ = os.environ if environ is None else environ
    instance_dir = Path(environ.get("KOERS_INSTANCE_DIR", PROJECT_HOME / "instance")).resolve()
    settings = dict(DEFAULTS)
    config_file = Path(environ.get("KOERS_CONFIG", instance_dir / "koers.toml"))
    if "KOERS_CONFIG" in environ and not config_file.is_file():
        raise ConfigError("KOERS_CONFIG", "KOERS_CONFIG", f"points to {config_file}, which "
                          "does not exist", "create the file or unset the variable")
    if config_file.is_file():
        for key, raw in read_toml(config_file).items():
            if key == "smtp_password":
                raise ConfigError(str(config_file), key, "may not be kept in the file",
                                  "remove it and set the environment variable "
                                  f"{PASSWORD_VARIABLE} instead")
            if key not in INSTANCE_KEYS:
                raise ConfigError(str(config_file), key, "is not a known setting",
                                  "remove it; known settings are " + ", ".join(INSTANCE_KEYS))
            settings[key] = _coerce(str(config_file), key, raw, INSTANCE_KEYS[key][1],
                                    0 if key in _MAY_BE_ZERO else 1)
    for key, (variable, kind) in INSTANCE_KEYS.items():
        if variable in environ:
            settings[key] = _coerce("environment", variable, environ[variable], kind,
                                    0 if key in _MAY_BE_ZERO else 1)
    return InstanceSettings(settings, instance_dir, config_file)


def instance_municipality(instance: InstanceSettings) -> Municipality:
    """The municipality the settings name, read and checked."""
    folder = instance.municipality_folder
    if not folder.is_dir():
        name, directory = instance.values["municipality"], instance.municipalities_dir
        raise ConfigError("KOERS_MUNICIPALITY", "KOERS_MUNICIPALITY",
                          f"names {name!r}, but {folder} does not exist",
                          f"set KOERS_MUNICIPALITY to one of the folders in {directory}")
    return load_municipality(folder)


def build_settings(environ: Mapping[str, str] | None = None,
                   overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Collect the Flask config for one instance; raises :class:`ConfigError`."""
    environ = os.environ if environ is None else environ
    instance = read_settings(environ)
    settings, instance_dir = instance.values, instance.instance_dir
    municipality = instance_municipality(instance)

    secret_key = settings.get("secret_key")
    if not secret_key:
        if not (settings["demo"] or settings["debug"]):
            raise ConfigError("environment", "SECRET_KEY", "is not set",
                              "set SECRET_KEY to a long random value, e.g. the output of "
                              "python -c 'import secrets; print(secrets.token_hex(32))'")
        secret_key = _demo_secret(instance_dir)

    database_url = settings.get("database_url") or (
        f"sqlite:///{instance_dir / (municipality.slug + '.sqlite')}")
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    engine_options: dict[str, Any] = {"pool_pre_ping": True, "hide_parameters": True}
    if settings["database_transaction_pooling"]:
        if not database_url.startswith("postgresql"):
            raise ConfigError("settings", "KOERS_DATABASE_TRANSACTION_POOLING",
                              "is set, but the database is not PostgreSQL",
                              "unset it, or point DATABASE_URL at PgBouncer")
        # psycopg prepares a statement on the server after its fifth use; behind a pooler in
        # transaction mode the next transaction may run on another server connection, which
        # does not know it ("prepared statement "_pg3_0" does not exist").
        engine_options["connect_args"] = {"prepare_threshold": None}
    translation_dirs = [str(PROJECT_HOME / "translations")]
    if municipality.translations_dir.is_dir():
        # Later directories win when merged: the municipality's terminology overrides the core.
        translation_dirs.append(str(municipality.translations_dir))
    try:
        Locale.parse(municipality.locale)
    except UnknownLocaleError as error:  # pragma: no cover - guarded by SUPPORTED_LOCALES
        raise ConfigError(str(municipality.folder), "municipality.locale", "is unknown",
                          "use nl") from error

    config = _flask_config(settings, municipality)
    config.update({
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters: an error message (a failed job's record, a log line) never quotes
        # the values of a query, which may hold personal data.
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "KOERS_INSTANCE_DIR": instance_dir,
        "KOERS_STORAGE_DIR": Path(settings.get("storage_dir") or instance_dir / "storage"),
        "KOERS_STORAGE_URL": settings.get("storage_url") or None,
        "KOERS_MAIL": read_mail_settings(settings, environ, instance_dir, instance.config_file),
        "BABEL_TRANSLATION_DIRECTORIES": ";".join(translation_dirs),
    })
    config.update(overrides or {})
    return config


def _flask_config(settings: Mapping[str, Any], municipality: Municipality) -> dict[str, Any]:
    """The Flask config keys that follow directly from the settings."""
    return {
        "REDIS_URL": settings.get("redis_url") or None,
        "KOERS_WEB_CONTAINERS": settings["web_containers"],
        "KOERS_MUNICIPALITY": municipality,
        "KOERS_DEMO": settings["demo"],
        "DEBUG": settings["debug"],
        "KOERS_LOGIN_MAX_FAILURES": settings["login_max_failures"],
        "KOERS_LOGIN_WINDOW_MINUTES": settings["login_window_minutes"],
        "KOERS_LOG_LEVEL": settings["log_level"].upper(),
        "KOERS_PROXY_COUNT": settings.get("proxy_count", 0),
        "KOERS_EXTRA_PLUGINS": _extra_plugins(settings.get("extra_plugins", "")),
        "KOERS_TRACE_HOOKS": settings.get("trace_hooks", False),
        "KOERS_MAX_IMPORT_MB": settings["max_import_mb"],
        "KOERS_MAX_ATTACHMENT_MB": settings["max_attachment_mb"],
        "KOERS_IMPORT_MAX_ROWS": settings["import_max_rows"],
        "KOERS_IMPORT_MAX_CELLS": settings["import_max_cells"],
        "KOERS_IMPORT_MAX_ROW_CELLS": settings["import_max_row_cells"],
        "KOERS_IMPORT_MAX_UNPACKED_MB": settings["import_max_unpacked_mb"],
        "KOERS_IMPORT_STEP_ROWS": settings["import_step_rows"],
        "KOERS_JOBS_INLINE": False,
        "KOERS_JOB_MEMORY_MB": settings["job_memory_mb"],
        "KOERS_JOB_TIME_LIMIT_MINUTES": settings["job_time_limit_minutes"],
        "KOERS_JOB_HEARTBEAT_SECONDS": settings["job_heartbeat_seconds"],
        "KOERS_JOB_INTERRUPTED_AFTER_SECONDS": settings["job_interrupted_after_seconds"],
        "KOERS_MIGRATION_LOCATIONS": [],
        "BABEL_DEFAULT_LOCALE": municipality.locale,
        "BABEL_DEFAULT_TIMEZONE": municipality.timezone,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": settings["secure_cookies"],
        "SESSION_COOKIE_NAME": f"koers_{municipality.slug}",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SECURE": settings["secure_cookies"],
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        # Room for the largest import file or attachment plus the rest of the form, so an
        # attachment over its own limit gets a field error instead of a bare 413.
        "MAX_CONTENT_LENGTH": max(64, settings["max_import_mb"] + 1,
                                  settings["max_attachment_mb"] + 1) * 1024 * 1024,
    }


def check_web_containers(config: Mapping[str, Any]) -> None:
    """Refuse a set-up that spreads one instance over several web containers without what
    they must share; raises :class:`ConfigError`.

    Several gunicorn workers in *one* container are fine without Redis: a job's state,
    heartbeat and checkpoint are in the database, which every worker reads, and its files
    are in the storage folder they share. Several containers are not: without Redis each one
    runs jobs in job processes of its own and loses those still waiting in its memory
    whenever it is replaced (every rolling update), and a SQLite file lives on one machine's
    disk. A container cannot count the others, so the administrator says how many there are
    (``KOERS_WEB_CONTAINERS``)."""
    containers = config.get("KOERS_WEB_CONTAINERS", 1)
    if containers <= 1:
        return
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        raise ConfigError("settings", "KOERS_WEB_CONTAINERS",
                          f"is {containers}, but the database is SQLite, a file on one "
                          "machine's disk",
                          "set DATABASE_URL to the instance's PostgreSQL database, or set "
                          "KOERS_WEB_CONTAINERS=1 when one container serves the instance")
    if not config.get("REDIS_URL"):
        raise ConfigError("settings", "KOERS_WEB_CONTAINERS",
                          f"is {containers}, but REDIS_URL is not set, so each container "
                          "would run background jobs itself and lose those still waiting "
                          "when it is replaced",
                          "set REDIS_URL to the instance's Redis database and run `koers "
                          "worker` containers, or set KOERS_WEB_CONTAINERS=1 when one "
                          "container serves the instance")


def _extra_plugins(text: str) -> dict[str, str]:
    """``name=module.path,other=pkg`` -> {name: module path}: plugins loaded without being
    installed, for plugin development."""
    plugins: dict[str, str] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, module = part.partition("=")
        if not sep or not name.strip() or not module.strip():
            raise ConfigError("environment", "KOERS_EXTRA_PLUGINS", f"has {part!r}",
                              "write it as name=module.path, separated by commas")
        plugins[name.strip()] = module.strip()
    return plugins


def _demo_secret(instance_dir: Path) -> str:
    """A per-instance key kept in the instance folder, so demo sessions survive a restart."""
    instance_dir.mkdir(parents=True, exist_ok=True)
    path = instance_dir / "demo-secret-key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()
