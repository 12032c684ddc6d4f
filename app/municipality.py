"""One municipality: what ``<municipalities_dir>/<slug>/municipality.toml`` says about it.

The file is checked against a table of known sections and keys (:data:`SCHEMA`); every mistake
is a :class:`~app.errors.ConfigError` naming the file, the key and the fix. ``[plugins.<name>]``
sections belong to the plugins, which validate them when they load.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from app.errors import ConfigError

SUPPORTED_LOCALES = ("nl", "en")
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


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
    # An NL Design System tokens stylesheet of the municipality's own brand and the class on
    # the page root that selects it (docs/design.md); both optional.
    tokens_css: Path | None = None
    theme_class: str | None = None
    # What the toegankelijkheidsverklaring says: the [accessibility] table, as written.
    accessibility: Mapping[str, Any] = field(default_factory=dict)
    inspection_weeks: int = 6
    apply_termijnenwet: bool = True
    # Days a royal decree made equal to a holiday (Atw art. 3(2)) beyond the core's list.
    atw_equal_days: tuple[date, ...] = ()
    plugin_settings: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def translations_dir(self) -> Path:
        return self.folder / "translations"

    def today(self) -> date:
        """Today in the municipality's time zone (a deadline is a day there, not in UTC)."""
        return datetime.now(ZoneInfo(self.timezone)).date()


#: The status of the Dutch model statement (Besluit digitale toegankelijkheid overheid):
#: A fully compliant, B partly compliant, C first measures taken, D not compliant,
#: E no statement yet; the letters are the model's own.
ACCESSIBILITY_STATUSES = ("A", "B", "C", "D", "E")
CSS_CLASS = re.compile(r"^-?[A-Za-z_][A-Za-z0-9_-]*$")

#: key -> (type, description of a valid value) per table of municipality.toml
SCHEMA: dict[str, dict[str, tuple[type | tuple[type, ...], str]]] = {
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
        "tokens_css": (str, "a CSS file of design tokens inside the municipality folder, "
                            "e.g. \"tokens/theme.css\""),
        "theme_class": (str, "the class its tokens are declared under, e.g. \"denhaag-theme\""),
    },
    "accessibility": {
        "status": (str, "one of " + ", ".join(ACCESSIBILITY_STATUSES)),
        "statement_date": (date, "the date the statement was drawn up, e.g. 2026-12-01"),
        "evaluation": (str, "the evaluation done, e.g. \"WCAG-EM audit of the core pages\""),
        "evaluated_on": (date, "the date of the evaluation, e.g. 2026-11-20"),
        "evaluated_by": (str, "who evaluated it, e.g. \"Stichting Accessibility\""),
        "report_url": (str, "the web address of the evaluation report"),
        "limitations": (list, "a list of known limitations, each a sentence"),
        "measures": (list, "a list of measures being taken, each a sentence"),
        "contact_email": (str, "an e-mail address for accessibility questions"),
        "contact_phone": (str, "a telephone number for accessibility questions"),
    },
    "procedure": {
        "inspection_weeks": (int, "a whole number of weeks between 1 and 26"),
        "apply_termijnenwet": (bool, "true or false"),
        "atw_equal_days": (list, "a list of dates the Staatscourant made equal to a holiday, "
                                 "e.g. [2029-05-11]"),
    },
}


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's content; a syntax error is a :class:`ConfigError` naming the file."""
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
    source = str(path)
    values, plugin_settings = _typed_values(source, read_toml(path))
    _check_values(source, values)
    logo = _file_in_folder(source, folder, values, "branding.logo", "the logo file")
    return Municipality(
        slug=folder.name,
        name=values["municipality.name"].strip(),
        folder=folder,
        locale=values.get("municipality.locale", "nl"),
        timezone=values.get("municipality.timezone", "Europe/Amsterdam"),
        plugins=tuple(values.get("plugins.enabled", [])),
        primary_colour=values.get("branding.primary_colour", "#154273"),
        accent_colour=values.get("branding.accent_colour", "#ffb612"),
        logo=logo,
        tokens_css=_file_in_folder(source, folder, values, "branding.tokens_css",
                                   "the design tokens file"),
        theme_class=values.get("branding.theme_class"),
        accessibility={key.split(".", 1)[1]: value for key, value in values.items()
                       if key.startswith("accessibility.")},
        inspection_weeks=values.get("procedure.inspection_weeks", 6),
        apply_termijnenwet=values.get("procedure.apply_termijnenwet", True),
        atw_equal_days=tuple(sorted(set(values.get("procedure.atw_equal_days", [])))),
        plugin_settings=plugin_settings,
    )


def _file_in_folder(source: str, folder: Path, values: Mapping[str, Any], key: str,
                    what: str) -> Path | None:
    """The file a setting names, which must lie inside the municipality folder."""
    if key not in values:
        return None
    path = (folder / values[key]).resolve()
    if not path.is_file() or folder.resolve() not in path.parents:
        raise ConfigError(source, key, f"points to {values[key]!r}, which is not a file in the "
                          "municipality folder", f"put {what} next to municipality.toml or "
                          "remove the key")
    return path


def _typed_values(source: str, data: Mapping[str, Any],
                  ) -> tuple[dict[str, Any], dict[str, Mapping[str, Any]]]:
    """``{"table.key": value}`` for the known keys, each of the right type, and the plugins'
    own sections; an unknown section or key is refused."""
    values: dict[str, Any] = {}
    plugin_settings: dict[str, Mapping[str, Any]] = {}
    for table, content in data.items():
        if table == "plugins" and isinstance(content, dict):
            # [plugins.<name>] sections belong to the plugins; they validate them on load.
            plugin_settings = {k: v for k, v in content.items() if isinstance(v, dict)}
            content = {k: v for k, v in content.items() if not isinstance(v, dict)}
        schema = SCHEMA.get(table)
        if schema is None or not isinstance(content, dict):
            raise ConfigError(source, table, "is not a known section",
                              "use only " + ", ".join(f"[{t}]" for t in SCHEMA))
        for key, value in content.items():
            if key not in schema:
                raise ConfigError(source, f"{table}.{key}", "is not a known setting",
                                  f"remove it; [{table}] knows " + ", ".join(schema))
            expected, description = schema[key]
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise ConfigError(source, f"{table}.{key}", f"has the wrong type ({value!r})",
                                  f"set it to {description}")
            values[f"{table}.{key}"] = value
    return values, plugin_settings


def _check_values(source: str, values: Mapping[str, Any]) -> None:
    """The rules beyond the type of each value."""
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
        ZoneInfo(timezone)
    except (KeyError, ValueError) as error:
        raise ConfigError(source, "municipality.timezone", f"is {timezone!r}, an unknown time "
                          "zone", 'use a name such as "Europe/Amsterdam"') from error
    for key in ("primary_colour", "accent_colour"):
        colour = values.get(f"branding.{key}")
        if colour is not None and not HEX_COLOUR.match(colour):
            raise ConfigError(source, f"branding.{key}", f"is {colour!r}",
                              "write the colour as #rrggbb, e.g. #154273")
    theme_class = values.get("branding.theme_class")
    if theme_class is not None and not CSS_CLASS.match(theme_class):
        raise ConfigError(source, "branding.theme_class", f"is {theme_class!r}",
                          "write one CSS class name, e.g. \"denhaag-theme\"")
    if ("branding.theme_class" in values) != ("branding.tokens_css" in values):
        raise ConfigError(source, "branding.tokens_css", "and branding.theme_class go together",
                          "set both: the file and the class its tokens are declared under")
    status = values.get("accessibility.status")
    if status is not None and status not in ACCESSIBILITY_STATUSES:
        raise ConfigError(source, "accessibility.status", f"is {status!r}",
                          "use one of " + ", ".join(ACCESSIBILITY_STATUSES))
    for key in ("accessibility.limitations", "accessibility.measures"):
        items = values.get(key, [])
        if not all(isinstance(item, str) and item.strip() for item in items):
            raise ConfigError(source, key, f"is {items!r}", "list sentences, e.g. [\"…\"]")
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
