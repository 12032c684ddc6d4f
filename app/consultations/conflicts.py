"""The conflict page of the consultation pages, built in one place: what someone else saved
beside what this editor submitted, status 409, nothing saved.

Single-record forms carry the record's version in a hidden ``version`` field; forms that
change several records at once (attendance, answering) carry them all in one hidden
``versions`` field, written by :func:`versions_value` and read by :func:`posted_versions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import abort, render_template, request
from sqlalchemy.orm.exc import StaleDataError

from app.database import db
from app.i18n import short_date
from app.plans.models import Plan
from app.plans.pages import page_context
from app.plans.services import EditConflict

#: What a save raises when someone else saved first (the version check, or the flush's).
CONFLICTS = (EditConflict, StaleDataError)

Rows = list[tuple[str, Any, Any]]


def versions_value(records: Iterable[Any]) -> str:
    """The versions a form shows, as one hidden value: ``"id:version id:version"``."""
    return " ".join(f"{record.id}:{record.version}" for record in records)


def posted_versions() -> dict[int, int]:
    """The submitted ``versions`` as {id: version}; a form without them is refused (400)."""
    value = request.form.get("versions")
    if value is None:
        abort(400)
    pairs: dict[int, int] = {}
    for part in value.split():
        record_id, _sep, version = part.partition(":")
        if not (record_id.isdigit() and version.isdigit()):
            abort(400)
        pairs[int(record_id)] = int(version)
    return pairs


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "year"):
        return short_date(value)
    if isinstance(value, list | tuple | set):
        return ", ".join(str(item) for item in value)
    return str(value)


def conflict_page(plan: Plan, rows: Callable[[], Rows], *, tab: str, action: str | None = None,
                  form: Any = None, record: Any = None) -> tuple[str, int]:
    """Roll back, then show the records as they are now (``rows`` is called after the
    rollback, so "current" is what the other person saved) beside the submitted values.

    With ``form`` and ``record`` the page re-posts the submitted values with the current
    version to ``action`` (by default the route itself), for whoever decides to overwrite
    knowingly; without, it links to ``action``. Nothing of the failed session is read before
    the rollback: after a failed flush it could not be."""
    db.session.rollback()
    action = action or request.path
    if form is not None and record is not None:
        form.version.data = str(record.version)
    shown = [{"label": name, "current": _shown(current), "submitted": _shown(mine),
              "differs": _shown(current) != _shown(mine)} for name, current, mine in rows()]
    return render_template("plans/conflict.html", rows=shown, form=form,
                           action=action, **page_context(plan, tab)), 409
