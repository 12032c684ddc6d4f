"""Rules every consultation service shares: whether the consultation's plan may change now,
the codes plugins add, how free texts and titles are cleaned, and how the versions of a
multi-record form are checked.

They sit below the services of consultations, input, feedback and the nota, so each applies
them the same way and none imports another for them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.consultations.models import Consultation
from app.database import db
from app.errors import DomainError, EditConflict
from app.plans.models import Plan
from app.plans.rules import refuse_read_only
from app.translate import lazy_gettext as _l


def refuse_read_only_plan(consultation: Consultation | None = None, *,
                          consultation_id: int | None = None) -> None:
    """Raise :class:`~app.errors.ReadOnly` when the consultation's plan may not change (an
    archived plan): every service that changes a consultation or what came out of it starts
    here, so pages, jobs, the demo story and plugins obey the same rule."""
    if consultation is None and consultation_id is not None:
        consultation = db.session.get(Consultation, consultation_id)
    if consultation is not None:
        refuse_read_only(db.session.get(Plan, consultation.plan_id))


def collected(hook: str) -> dict[str, Any]:
    """Codes a hook gathers from the core and the enabled plugins (consultation formats,
    input kinds), by code; the earlier (first plugin) wins."""
    found: dict[str, Any] = {}
    for _plugin, result in reversed(current_app.extensions["koers_plugins"].call_each(hook)):
        for item in result or []:
            found[item.code] = item
    return found


def clean_text(value: str | None, limit: int) -> str | None:
    """Free text, trimmed and cut at ``limit``; None when empty."""
    value = (value or "").strip()
    return value[:limit] or None


def required(value: str | None, field_name: str, limit: int) -> str:
    """A title or topic on one line with single spaces; refused when empty."""
    text = " ".join((value or "").split())
    if not text:
        raise DomainError(_l("Enter a title."), field=field_name)
    return text[:limit]


def check_versions(records: Iterable[Any], expected: Mapping[int, int]) -> None:
    """Refuse records of a multi-record form (attendance, answering) whose version is not the
    one the form showed; a record the form did not show has no expected version."""
    for record in records:
        if expected.get(record.id) != record.version:
            raise EditConflict(record)


@contextmanager
def conflict_on_race(record: Any) -> Iterator[None]:
    """A concurrent save found at flush — a version that moved (StaleDataError) or a row that
    now exists (IntegrityError) — is the same conflict as a stale form."""
    try:
        yield
    except (IntegrityError, StaleDataError) as error:
        raise EditConflict(record) from error
