"""Settings: defaults < instance config file < environment, plus the municipality's own file.

Every problem is reported as a :class:`ConfigError` that names the file, the key and the fix,
so an administrator can repair a broken instance without reading code.
"""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

#: The folder that holds ``municipalities/``, ``translations/`` and ``instance/`` in a checkout.
PROJECT_HOME = Path(__file__).resolve().parent.parent
SUPPORTED_LOCALES = ("nl", "en")
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class ConfigError(Exception):
    """Invalid configuration, explained for the person who has to fix it."""

    def __init__(self, source: str, key: str, problem: str, fix: str) -> None:
        self.source, self.key, self.problem, self.fix = source, key, problem, fix
        super().__init__(f"{source}: '{key}' {problem}. Fix: {fix}")


@dataclass(frozen=True)
class Municipality:
    """What ``municipalities/<slug>/municipality.toml`` says about one municipality."""

    slug: str
    name: str
    folder: Path
    locale: str = "nl"
    timezone: str = "Europe/Amsterdam"
    plugins: tuple[str, ...] = ()
    primary_colour: str = "#154273"
    accent_colour: str = "#ffb612"
    logo: Path | None = None
    inspection_weeks: int = 6
    apply_termijnenwet: bool = True
    # Days a royal decree made equal to a holiday (Atw art. 3(2)) beyond the core's list.
    atw_equal_days: tuple[date, ...] = ()
    plugin_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def translations_dir(self) -> Path:
        return self.folder / "translations"


# key -> (type, description of a valid value) per table of municipality.toml
_MUNICIPALITY_SCHEMA: dict[str, dict[str, tuple[type | tuple[type, ...], str]]] = {
    "municipality": {
        "name": (str, "a text such as \"Gemeente Oldambt\""),
        "locale": (str, "one of " + ", ".join(SUPPORTED_LOCALES)),
        "timezone": (str, "a time zone name such as \"Europe/Amsterdam\""),
    },
    "plugins": {"enabled": (list, "a list of plugin names, e.g. [\"oldambt\"]")},
    "branding": {
        "primary_colour": (str, "a colour as #rrggbb"),
        "accent_colour": (str, "a colour as #rrggbb"),
        "logo": (str, "a file name inside the municipality folder, e.g. \"logo.svg\""),
    },
    "procedure": {
        "inspection_weeks": (int, "a whole number of weeks between 1 and 26"),
        "apply_termijnenwet": (bool, "true or false"),
        "atw_equal_days": (list, "a list of dates the Staatscourant made equal to a holiday, "
                                 "e.g. [2029-05-11]"),
    },
}


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(str(path), "(file)", f"is not valid TOML ({error})",
                          "correct the syntax on the line named") from error


def load_municipality(folder: Path) -> Municipality:
    """Read and validate one municipality folder."""
    path = folder / "municipality.toml"
    if not path.is_file():
        raise ConfigError(str(path), "(file)", "does not exist",
                          "create it, or set KOERS_MUNICIPALITY to an existing folder in "
                          f"{folder.parent}")
    data = _read_toml(path)
    source = str(path)
    values: dict[str, Any] = {}
    plugin_settings: dict[str, Mapping[str, Any]] = {}
    for table, content in data.items():
        if table == "plugins" and isinstance(content, dict):
            # [plugins.<name>] sections belong to the plugins; they validate them on load.
            plugin_settings = {k: v for k, v in content.items() if isinstance(v, dict)}
            content = {k: v for k, v in content.items() if not isinstance(v, dict)}
        schema = _MUNICIPALITY_SCHEMA.get(table)
        if schema is None or not isinstance(content, dict):
            raise ConfigError(source, table, "is not a known section",
                              "use only " + ", ".join(f"[{t}]" for t in _MUNICIPALITY_SCHEMA))
        for key, value in content.items():
            if key not in schema:
                raise ConfigError(source, f"{table}.{key}", "is not a known setting",
                                  f"remove it; [{table}] knows " + ", ".join(schema))
            expected, description = schema[key]
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise ConfigError(source, f"{table}.{key}", f"has the wrong type ({value!r})",
                                  f"set it to {description}")
            values[f"{table}.{key}"] = value

    name = values.get("municipality.name")
    if not name or not name.strip():
        raise ConfigError(source, "municipality.name", "is missing",
                          'add name = "Gemeente …" under [municipality]')
    locale = values.get("municipality.locale", "nl")
    if locale not in SUPPORTED_LOCALES:
        raise ConfigError(source, "municipality.locale", f"is {locale!r}, which Koers does not "
                          "speak", "set it to one of " + ", ".join(SUPPORTED_LOCALES))
    timezone = values.get("municipality.timezone", "Europe/Amsterdam")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(timezone)
    except (KeyError, ValueError) as error:
        raise ConfigError(source, "municipality.timezone", f"is {timezone!r}, an unknown time "
                          "zone", 'use a name such as "Europe/Amsterdam"') from error
    for key in ("primary_colour", "accent_colour"):
        colour = values.get(f"branding.{key}")
        if colour is not None and not HEX_COLOUR.match(colour):
            raise ConfigError(source, f"branding.{key}", f"is {colour!r}",
                              "write the colour as #rrggbb, e.g. #154273")
    plugins = values.get("plugins.enabled", [])
    if not all(isinstance(p, str) and p for p in plugins) or len(set(plugins)) != len(plugins):
        raise ConfigError(source, "plugins.enabled", "must list each plugin name once",
                          'write it as enabled = ["name", …] without repeats')
    weeks = values.get("procedure.inspection_weeks", 6)
    if not 1 <= weeks <= 26:
        raise ConfigError(source, "procedure.inspection_weeks", f"is {weeks}",
                          "use a whole number of weeks between 1 and 26 (the law's default is 6)")
    equal_days = values.get("procedure.atw_equal_days", [])
    if not all(isinstance(day, date) and not isinstance(day, datetime) for day in equal_days):
        raise ConfigError(source, "procedure.atw_equal_days", f"is {equal_days!r}",
                          "list plain TOML dates, e.g. atw_equal_days = [2029-05-11]")
    logo = None
    if "branding.logo" in values:
        logo = (folder / values["branding.logo"]).resolve()
        if not logo.is_file() or folder.resolve() not in logo.parents:
            raise ConfigError(source, "branding.logo", f"points to {values['branding.logo']!r}, "
                              "which is not a file in the municipality folder",
                              "put the logo file next to municipality.toml or remove the key")

    return Municipality(
        slug=folder.name,
        name=name.strip(),
        folder=folder,
        locale=locale,
        timezone=timezone,
        plugins=tuple(plugins),
        primary_colour=values.get("branding.primary_colour", "#154273"),
        accent_colour=values.get("branding.accent_colour", "#ffb612"),
        logo=logo,
        inspection_weeks=weeks,
        apply_termijnenwet=values.get("procedure.apply_termijnenwet", True),
        atw_equal_days=tuple(sorted(set(equal_days))),
        plugin_settings=plugin_settings,
    )


# Settings that may come from the instance file (lower case) or the environment (upper case).
# (variable, type); whole numbers must be 1 or more unless listed in _MAY_BE_ZERO.
_INSTANCE_KEYS: dict[str, tuple[str, type]] = {
    "secret_key": ("SECRET_KEY", str),
    "database_url": ("DATABASE_URL", str),
    "redis_url": ("REDIS_URL", str),
    "storage_dir": ("KOERS_STORAGE_DIR", str),
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
    # Outgoing mail (feedback letters), see MailSettings; the SMTP password comes only from
    # the environment (KOERS_SMTP_PASSWORD), never from the file.
    "mail_transport": ("KOERS_MAIL_TRANSPORT", str),
    "mail_from": ("KOERS_MAIL_FROM", str),
    "mail_outbox_dir": ("KOERS_MAIL_OUTBOX_DIR", str),
    "smtp_host": ("KOERS_SMTP_HOST", str),
    "smtp_port": ("KOERS_SMTP_PORT", int),
    "smtp_security": ("KOERS_SMTP_SECURITY", str),
    "smtp_username": ("KOERS_SMTP_USERNAME", str),
    "smtp_timeout": ("KOERS_SMTP_TIMEOUT", int),
}
_MAY_BE_ZERO = {"proxy_count"}
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


def build_settings(environ: Mapping[str, str] | None = None,
                   overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Collect the Flask config for one instance; raises :class:`ConfigError`."""
    environ = os.environ if environ is None else environ
    instance_dir = Path(environ.get("KOERS_INSTANCE_DIR", PROJECT_HOME / "instance")).resolve()
    settings: dict[str, Any] = {
        "municipality": "demo",
        "municipalities_dir": str(PROJECT_HOME / "municipalities"),
        "demo": False,
        "debug": False,
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

    config_file = Path(environ.get("KOERS_CONFIG", instance_dir / "koers.toml"))
    if "KOERS_CONFIG" in environ and not config_file.is_file():
        raise ConfigError("KOERS_CONFIG", "KOERS_CONFIG", f"points to {config_file}, which "
                          "does not exist", "create the file or unset the variable")
    if config_file.is_file():
        for key, raw in _read_toml(config_file).items():
            if key == "smtp_password":
                raise ConfigError(str(config_file), key, "may not be kept in the file",
                                  "remove it and set the environment variable "
                                  "KOERS_SMTP_PASSWORD instead")
            if key not in _INSTANCE_KEYS:
                raise ConfigError(str(config_file), key, "is not a known setting",
                                  "remove it; known settings are " + ", ".join(_INSTANCE_KEYS))
            settings[key] = _coerce(str(config_file), key, raw, _INSTANCE_KEYS[key][1],
                                    0 if key in _MAY_BE_ZERO else 1)
    for key, (variable, kind) in _INSTANCE_KEYS.items():
        if variable in environ:
            settings[key] = _coerce("environment", variable, environ[variable], kind,
                                    0 if key in _MAY_BE_ZERO else 1)

    folder = Path(settings["municipalities_dir"]) / settings["municipality"]
    if not folder.is_dir():
        raise ConfigError("KOERS_MUNICIPALITY", "KOERS_MUNICIPALITY",
                          f"names {settings['municipality']!r}, but {folder} does not exist",
                          "set KOERS_MUNICIPALITY to one of the folders in "
                          f"{settings['municipalities_dir']}")
    municipality = load_municipality(folder)

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
    storage_dir = Path(settings.get("storage_dir") or instance_dir / "storage")
    mail = _mail_settings(settings, environ, instance_dir, config_file)

    translation_dirs = [str(PROJECT_HOME / "translations")]
    if municipality.translations_dir.is_dir():
        # Later directories win when merged: the municipality's terminology overrides the core.
        translation_dirs.append(str(municipality.translations_dir))

    config: dict[str, Any] = {
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # hide_parameters: an error message (a failed job's record, a log line) never quotes
        # the values of a query, which may hold personal data.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "REDIS_URL": settings.get("redis_url") or None,
        "KOERS_INSTANCE_DIR": instance_dir,
        "KOERS_STORAGE_DIR": storage_dir,
        "KOERS_MAIL": mail,
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
        "BABEL_TRANSLATION_DIRECTORIES": ";".join(translation_dirs),
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
    try:
        Locale.parse(municipality.locale)
    except UnknownLocaleError as error:  # pragma: no cover - guarded by SUPPORTED_LOCALES
        raise ConfigError(str(folder), "municipality.locale", "is unknown", "use nl") from error
    config.update(overrides or {})
    return config


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


@dataclass(frozen=True)
class MailSettings:
    """How the instance sends mail: by SMTP, or into a folder of .eml files (the file outbox,
    for development, demonstrations and tests)."""

    transport: str  # "smtp" or "file"
    from_address: str
    outbox_dir: Path
    host: str | None = None
    port: int = 587
    security: str = "starttls"  # "none", "starttls" or "ssl"
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: int = 60


MAIL_TRANSPORTS = ("smtp", "file")
SMTP_SECURITY = {"none": 25, "starttls": 587, "ssl": 465}  # -> the usual port
_ADDRESS = re.compile(r"^[^@\s<>,]+@[^@\s<>,]+$")


def _mail_settings(settings: Mapping[str, Any], environ: Mapping[str, str],
                   instance_dir: Path, config_file: Path) -> MailSettings:
    """Outgoing mail: SMTP when a host is set (or the transport says so), otherwise the file
    outbox; the password only from the environment."""

    def source(key: str) -> str:
        return "environment" if _INSTANCE_KEYS[key][0] in environ else str(config_file)

    host = (settings.get("smtp_host") or "").strip() or None
    transport = (settings.get("mail_transport") or ("smtp" if host else "file")).strip().lower()
    if transport not in MAIL_TRANSPORTS:
        raise ConfigError(source("mail_transport"), "mail_transport", f"is {transport!r}",
                          "set it to smtp (a mail server) or file (the outbox folder)")
    security = (settings.get("smtp_security") or "starttls").strip().lower()
    if security not in SMTP_SECURITY:
        raise ConfigError(source("smtp_security"), "smtp_security", f"is {security!r}",
                          "set it to none, starttls or ssl")
    port = settings.get("smtp_port") or SMTP_SECURITY[security]
    if not 1 <= port <= 65535:
        raise ConfigError(source("smtp_port"), "smtp_port", f"is {port}",
                          "use a port number between 1 and 65535, e.g. 587")
    from_address = (settings.get("mail_from") or "").strip()
    username = (settings.get("smtp_username") or "").strip() or None
    password = environ.get("KOERS_SMTP_PASSWORD") or None
    if transport == "smtp":
        if host is None:
            raise ConfigError(source("mail_transport"), "smtp_host", "is not set",
                              "set KOERS_SMTP_HOST (smtp_host) to the mail server's name")
        if not from_address:
            raise ConfigError(str(config_file), "mail_from", "is not set",
                              "set KOERS_MAIL_FROM (mail_from) to the address letters come "
                              "from, e.g. terugkoppeling@gemeente.nl")
        if username and not password:
            raise ConfigError("environment", "KOERS_SMTP_PASSWORD", "is not set although "
                              "smtp_username is", "set KOERS_SMTP_PASSWORD in the environment")
    from_address = from_address or "koers@localhost"
    if not _ADDRESS.match(from_address):
        raise ConfigError(source("mail_from"), "mail_from", f"is {from_address!r}",
                          "write one e-mail address, e.g. terugkoppeling@gemeente.nl")
    outbox = Path(settings.get("mail_outbox_dir") or instance_dir / "outbox")
    return MailSettings(transport=transport, from_address=from_address, outbox_dir=outbox,
                        host=host, port=port, security=security, username=username,
                        password=password, timeout=settings.get("smtp_timeout") or 60)
