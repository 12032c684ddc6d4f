"""Domain errors: raised by services, carrying a message fit to show the user."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the request; ``message`` is translated and user-facing."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(DomainError):
    pass
