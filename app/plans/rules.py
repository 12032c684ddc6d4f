"""Rules every service of a plan shares: whether the plan may change now, and how a title, a
free text, a pair of dates and a chosen stakeholder are checked.

They sit below the plan's services and the programme's (:mod:`app.plans.programme.services`),
so both apply them the same way and neither imports the other.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from app.errors import DomainError, ReadOnly
from app.plans import transitions
from app.plans.models import Plan
from app.stakeholders.models import Stakeholder
from app.translate import lazy_gettext as _l

MAX_TITLE = 200


def read_only_reason(plan: Plan) -> Any:
    """Why the plan cannot be changed now, or None. The programme stays editable after
    adoption (a living document); an archived plan, or one whose workflow's plugin is
    disabled, is read-only."""
    if plan.archived:
        return _l("This plan is archived: restore it to change it.")
    if transitions.workflow_of(plan) is None:
        return _l("The workflow of this plan (%(name)s) is not available, so the plan is "
                  "read-only. It shows its stored state.", name=plan.workflow)
    return None


def refuse_read_only(plan: Plan | None) -> None:
    """Raise :class:`~app.errors.ReadOnly` when ``plan`` may not change: every service that
    changes a plan or its structure starts here, so pages, jobs, the demo story and plugins
    all obey the same rule."""
    if plan is not None and (reason := read_only_reason(plan)) is not None:
        raise ReadOnly(reason)


def clean_text(value: str | None, limit: int) -> str | None:
    """Free text, trimmed and cut at ``limit``; None when empty."""
    value = (value or "").strip()
    return value[:limit] or None


def clean_title(value: str | None, field_name: str = "title", limit: int = MAX_TITLE) -> str:
    """A title on one line with single spaces; refused when empty or too long."""
    title = " ".join((value or "").split())
    if not title:
        raise DomainError(_l("Enter a title."), field=field_name)
    if len(title) > limit:
        raise DomainError(_l("Use at most %(count)d characters.", count=limit),
                          field=field_name)
    return title


def check_order(start: date | None, end: date | None, field_name: str) -> None:
    """Refuse an end date before its start date."""
    if start and end and end < start:
        raise DomainError(_l("The end date lies before the start date."), field=field_name)


def usable(stakeholder: Stakeholder | None) -> bool:
    """Whether a stakeholder may be chosen for something new: in the register, not erased,
    not archived."""
    return stakeholder is not None and not stakeholder.is_erased and not stakeholder.archived
