"""The shared vocabulary of refusals: raised by services, understood by every area and by
plugins (through ``app.plugin_api``). Each carries a message fit to show the user."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A rule of the domain refused the request. ``message`` is user-facing; a lazy string is
    accepted and translated when the error is raised. ``field`` names the form field the
    refusal belongs beside, if any."""

    def __init__(self, message: Any, field: str | None = None) -> None:
        text = str(message)
        super().__init__(text)
        self.message = text
        self.field = field


class NotFound(DomainError):
    """The record asked for does not exist (or is not this caller's to see)."""


class ReadOnly(DomainError):
    """The record may not change now: an archived plan, or a plan whose workflow is gone."""


class EditConflict(DomainError):
    """Someone else saved the record after this edit began; nothing was overwritten.
    ``record`` is the record as the other person left it."""

    def __init__(self, record: Any = None, message: Any = None) -> None:
        super().__init__(message or _l("Someone else changed this while you were editing it. "
                                       "Nothing has been overwritten."))
        self.record = record


def check_version(record: Any, expected_version: int | None) -> None:
    """Refuse a save made from a form that showed another version of ``record``. ``None``
    means the caller has no version to compare (a job, the demo story) and is not checked."""
    if expected_version is not None and expected_version != record.version:
        raise EditConflict(record)


class ConfigError(Exception):
    """Invalid configuration (the instance file, the environment, a municipality folder),
    explained for the administrator who has to fix it: the source, the key and the fix."""

    def __init__(self, source: str, key: str, problem: str, fix: str) -> None:
        self.source, self.key, self.problem, self.fix = source, key, problem, fix
        super().__init__(f"{source}: '{key}' {problem}. Fix: {fix}")
