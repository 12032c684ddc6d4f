"""Declared plugin settings, validated from ``[plugins.<name>]`` in ``municipality.toml``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.errors import ConfigError

_TYPE_NAMES = {str: "text", int: "whole number", bool: "true or false", float: "number",
               list: "list"}


@dataclass(frozen=True)
class Setting:
    """One setting of a plugin. Secrets never come from the file: set ``env`` and they are
    read from that environment variable only."""

    key: str
    default: Any
    description: str
    type: type = str
    env: str | None = None  # for secrets: the environment variable that holds the value

    @property
    def secret(self) -> bool:
        return self.env is not None


def validate(plugin: str, declared: list[Setting], values: Mapping[str, Any], source: str,
             environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The plugin's settings: declared defaults, overridden by the file and the environment."""
    environ = os.environ if environ is None else environ
    by_key = {setting.key: setting for setting in declared}
    for key, value in values.items():
        setting = by_key.get(key)
        where = f"plugins.{plugin}.{key}"
        if setting is None:
            known = ", ".join(sorted(by_key)) or "none"
            raise ConfigError(source, where, "is not a setting of this plugin",
                              f"remove it; the plugin {plugin!r} knows: {known}")
        if setting.secret:
            raise ConfigError(source, where, "is a secret and may not be in this file",
                              f"remove it and set the environment variable {setting.env}")
        if not isinstance(value, setting.type) or (setting.type is int
                                                    and isinstance(value, bool)):
            raise ConfigError(source, where, f"has the wrong type ({value!r})",
                              f"set it to a {_TYPE_NAMES.get(setting.type, setting.type)}: "
                              f"{setting.description}")
    result = {setting.key: values.get(setting.key, setting.default) for setting in declared}
    for setting in declared:
        if setting.env and setting.env in environ:
            result[setting.key] = environ[setting.env]
    return result
