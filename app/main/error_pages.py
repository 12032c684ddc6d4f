"""Friendly error pages in the user's language; never a stack trace."""

from __future__ import annotations

import sqlite3

import psycopg
from flask import Flask, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from werkzeug.exceptions import HTTPException

from app.database import db
from app.extensions import login_manager
from app.i18n import current_language
from app.translate import gettext as _

#: Seconds a client (or a proxy) is asked to wait before trying again during an outage.
RETRY_AFTER_SECONDS = 30

# SQLite's primary result codes for a database file that cannot be used right now, as opposed
# to a wrong statement ("no such table" is an OperationalError too): BUSY, LOCKED, READONLY,
# IOERR, FULL, CANTOPEN, PROTOCOL.
_SQLITE_UNAVAILABLE = {5, 6, 8, 10, 13, 14, 15}


def is_outage(error: BaseException | None) -> bool:
    """Whether ``error`` means that a service Koers depends on (the database, Redis) cannot be
    reached, so trying again later helps; anything else is a bug and stays a 500."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, DisconnectionError | RedisConnectionError | RedisTimeoutError):
            return True
        if isinstance(error, DBAPIError):
            if error.connection_invalidated:
                return True
            if isinstance(error, OperationalError | InterfaceError):
                return not isinstance(error.orig, sqlite3.Error) or is_outage(error.orig)
            return False
        if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
            return True
        if isinstance(error, sqlite3.OperationalError):
            code = getattr(error, "sqlite_errorcode", None)
            if code is not None:
                return code & 0xFF in _SQLITE_UNAVAILABLE
            return "unable to open database" in str(error)
        error = error.__cause__  # only an explicit ``raise … from``, never a side issue
    return False


def _wants_json() -> bool:
    return (request.path.endswith(".json") or request.endpoint == "main.healthz"
            or request.accept_mimetypes.best == "application/json")


ErrorResponse = tuple[dict[str, object] | str, int, dict[str, str]]


def _page(status: int, title: str, explanation: str,
          headers: dict[str, str] | None = None) -> ErrorResponse:
    if _wants_json():
        return {"status": status, "error": title}, status, headers or {}
    try:
        body = render_template("errors/error.html", status=status, title=title,
                               explanation=explanation)
    except Exception:  # the full layout failed too (e.g. a plugin's footer needs the database)
        body = (f'<!doctype html><html lang="{current_language()}"><title>{escape(title)}'
                f"</title><h1>{escape(title)}</h1><p>{escape(explanation)}</p></html>")
    return body, status, headers or {}


def _unavailable() -> ErrorResponse:
    return _page(503, _("Temporarily unavailable"), _(
        "Koers cannot reach a service it needs at the moment, for example its database. Your "
        "last change may not have been saved. Try again in a minute; if it lasts longer, tell "
        "your administrator."), {"Retry-After": str(RETRY_AFTER_SECONDS)})


def _forget_user_if_unloadable() -> None:
    """When the error came from loading the user (e.g. the database is down), render the
    error page as for an anonymous visitor instead of failing again."""
    try:
        _ = current_user.is_authenticated
    except Exception:  # any failure here must not hide the error page
        g._login_user = login_manager.anonymous_user()


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return _page(400, _("The form has expired"), _(
            "The page was open too long or was sent from elsewhere, so it was not saved. "
            "Go back, reload the page and send it again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code >= 500:
            return server_error(error)
        messages = {
            400: (_("Bad request"), _("The request could not be understood. Check your "
                                      "input and try again.")),
            403: (_("No access"), _("Your role does not give access to this page. Ask an "
                                    "administrator if you need it.")),
            404: (_("Page not found"), _("This page does not exist (any more). Check the "
                                         "address or start again from the dashboard.")),
            405: (_("Not allowed"), _("This page cannot be used this way.")),
            413: (_("File too large"), _("The upload is larger than this instance accepts.")),
            429: (_("Too many requests"), _("Wait a moment and try again.")),
        }
        title, explanation = messages.get(error.code, (_("Something is not right"),
                                                       _("The request could not be handled.")))
        return _page(error.code, title, explanation)

    @app.errorhandler(SQLAlchemyError)
    @app.errorhandler(psycopg.OperationalError)
    @app.errorhandler(RedisConnectionError)
    @app.errorhandler(RedisTimeoutError)
    @app.errorhandler(500)
    def server_error(error: Exception):
        original = getattr(error, "original_exception", None) or error
        outage = is_outage(original)
        if outage:
            # Expected while the database or Redis is down: one line, no traceback per request.
            app.logger.warning("service unavailable on %s %s: %s", request.method,
                               request.path, str(original).partition("\n")[0])
        elif not isinstance(original, HTTPException):
            app.logger.error("unhandled error on %s %s", request.method, request.path,
                             exc_info=original)
        try:
            db.session.rollback()
        except SQLAlchemyError:  # pragma: no cover - the database may be gone entirely
            app.logger.warning("rollback after error failed")
        _forget_user_if_unloadable()
        if outage or (isinstance(error, HTTPException) and error.code == 503):
            return _unavailable()
        status = 500
        if isinstance(error, HTTPException) and error.code and error.code > 500:
            status = error.code
        return _page(status, _("Something went wrong"), _(
            "An unexpected error occurred and has been logged. Your last change may not have "
            "been saved. Try again in a moment; if it keeps happening, tell your "
            "administrator the time it happened."))
