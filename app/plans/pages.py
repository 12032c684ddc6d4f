"""What every plan page needs: the plan or a 404, the tabs, and whether it may change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, render_template

from app.edits import answer_with
from app.plans import services
from app.plans.models import Plan
from app.plans.rules import read_only_reason
from app.translate import lazy_gettext as _l


@dataclass(frozen=True)
class Tab:
    endpoint: str
    label: Any


TABS = (
    Tab("plans.show", _l("Overview")),
    Tab("plans.text", _l("Text")),
    Tab("plans.programme", _l("Themes and programme")),
    Tab("plans.involvement", _l("Involvement")),
    Tab("consultations.for_plan", _l("Consultations")),
    Tab("plans.history", _l("History")),
)


def plan_or_404(plan_id: int, *, editing: bool = False, tab: str = "plans.show") -> Plan:
    """The plan, or a 404. With ``editing`` a read-only plan is refused at once with its
    reason (409, the page of ``tab``): every editing route loads its plan this way, and the
    services refuse the change as well, for callers that are not pages."""
    plan = services.get_plan(plan_id)
    if plan is None:
        abort(404)
    if editing and (refused := read_only_page(plan, tab)) is not None:
        answer_with(refused)
    return plan


def read_only_page(plan: Plan, tab: str) -> tuple[str, int] | None:
    """The answer to an editing route on a read-only plan: 409 and the reason (shown by the
    layout); None when the plan may change."""
    if read_only_reason(plan) is None:
        return None
    return render_template("plans/read_only.html", **page_context(plan, tab)), 409


def page_context(plan: Plan, active_tab: str) -> dict[str, Any]:
    """What ``plans/_layout.html`` needs: pass as ``render_template(..., **page_context(…))``."""
    return {"plan": plan, "plan_tabs": TABS, "active_tab": active_tab,
            "read_only": read_only_reason(plan)}
