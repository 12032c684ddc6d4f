"""The edit kit: the glue between a form, a service and the database, written once.

A view that saves a form reads::

    with form_errors(form, conflict=lambda: conflict_page(...)) as saved:
        services.update_plan(plan, form.to_data(), expected_version=..., actor=current_actor())
    if saved:
        flash(...)
        return redirect(...)

On success the block's work is committed. A :class:`~app.errors.DomainError` is rolled back
and shown beside its field; a conflict (the version check, or the flush's) is rolled back and
answered with the page ``conflict`` builds; anything else propagates untouched.

Forms that change one record carry its version in a hidden ``version`` field; forms that
change several at once carry them all in one hidden ``versions`` field, written by
:func:`versions_value` and read by :func:`posted_versions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from flask import abort, make_response, render_template, request
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from app.database import db
from app.errors import DomainError, EditConflict
from app.i18n import short_date

#: What a save raises when someone else saved first: the services' version check, or the
#: flush's when the other save landed between the check and the write.
CONFLICTS: tuple[type[Exception], ...] = (EditConflict, StaleDataError)

#: (label, value as it is now, value as submitted)
Row = tuple[Any, Any, Any]
PageResult = tuple[str, int]


def current_actor() -> Any:
    """The signed-in account as a plain object, for ``actor=`` in service and audit calls.
    Services never guess the actor: every view passes this explicitly."""
    if not current_user or not current_user.is_authenticated:
        return None
    return current_user._get_current_object()  # type: ignore[attr-defined]


def answer_with(result: Any) -> None:
    """Stop the view here and answer with ``result`` (a page, a ``(page, status)`` pair or a
    response): how loaders and the kit refuse without a preamble in every view."""
    abort(make_response(result))


class Saved:
    """True once the ``form_errors`` block has been committed."""

    def __init__(self) -> None:
        self.ok = False

    def __bool__(self) -> bool:
        return self.ok


@contextmanager
def form_errors(form: Any, conflict: Callable[[], Any] | None = None) -> Iterator[Saved]:
    """Commit the block's work, or roll it back and say why: a refusal beside its field, a
    conflict through ``conflict()`` (a page, answered at once). Without ``conflict`` a
    conflict is shown as a form error like any other refusal."""
    saved = Saved()
    try:
        yield saved
        db.session.commit()
    except CONFLICTS as error:
        db.session.rollback()
        if conflict is None:
            form.add_error(error if isinstance(error, DomainError) else EditConflict())
            return
        answer_with(conflict())
    except DomainError as error:
        db.session.rollback()
        form.add_error(error)
        return
    saved.ok = True


def shown(value: Any) -> str:
    """A value as the conflict page shows it: dates in Dutch, lists joined, nothing as ''."""
    if value is None:
        return ""
    if hasattr(value, "year"):
        return short_date(value)
    if isinstance(value, list | tuple | set):
        return ", ".join(str(item) for item in value)
    return str(value)


def conflict_rows(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """Rows of a conflict page: label, current value, submitted value, whether they differ."""
    return [{"label": label, "current": shown(current), "submitted": shown(mine),
             "differs": shown(current) != shown(mine)} for label, current, mine in rows]


def conflict_page(template: str, rows: Callable[[], Sequence[Row]], *, form: Any = None,
                  version: Callable[[], Any] | None = None, action: str | None = None,
                  **context: Any) -> PageResult:
    """The conflict page: the records as someone else left them beside what this editor
    submitted, status 409, nothing saved.

    Rolls back first, so ``rows()`` and ``version()`` read what the other person saved
    (nothing of a failed session may be read before the rollback). With ``form`` and
    ``version`` the page re-posts the submitted values with the current version to
    ``action`` (by default the route itself), so overwriting is a deliberate second step."""
    db.session.rollback()
    if form is not None and version is not None:
        form.version.data = str(version())
    return render_template(template, rows=conflict_rows(rows()), form=form,
                           action=action or request.path, **context), 409


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


def posted_version() -> int:
    """The submitted ``version`` of a single-record form; a form without one is refused."""
    value = request.form.get("version", "")
    if not value.isdigit():
        abort(400)
    return int(value)


def posted_ids(name: str) -> set[int]:
    """The ids a form posted under ``name`` (checkboxes, a picker), non-numbers ignored."""
    return {int(value) for value in request.form.getlist(name) if value.isdigit()}
