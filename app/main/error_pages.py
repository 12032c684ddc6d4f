"""Friendly error pages in the user's language; never a stack trace."""

from __future__ import annotations

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from app.database import db
from app.extensions import login_manager


def _page(status: int, title: str, explanation: str):
    if request.path.endswith(".json") or request.accept_mimetypes.best == "application/json":
        return {"status": status, "error": title}, status
    return render_template("errors/error.html", status=status, title=title,
                           explanation=explanation), status


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
    @app.errorhandler(500)
    def server_error(error: Exception):
        original = getattr(error, "original_exception", None) or error
        if not isinstance(original, HTTPException):
            app.logger.error("unhandled error on %s %s", request.method, request.path,
                             exc_info=original)
        try:
            db.session.rollback()
        except SQLAlchemyError:  # pragma: no cover - the database may be gone entirely
            app.logger.warning("rollback after error failed")
        _forget_user_if_unloadable()
        status = 500
        if isinstance(error, HTTPException) and error.code and error.code > 500:
            status = error.code
        return _page(status, _("Something went wrong"), _(
            "An unexpected error occurred and has been logged. Your last change may not have "
            "been saved. Try again in a moment; if it keeps happening, tell your "
            "administrator the time it happened."))
