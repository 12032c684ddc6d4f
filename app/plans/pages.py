"""What every plan page needs: the plan or a 404, the tabs, and whether it may change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, render_template
from flask_babel import lazy_gettext as _l

from app.plans import services, transitions
from app.plans.models import Plan


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


def plan_or_404(plan_id: int) -> Plan:
    plan = services.get_plan(plan_id)
    if plan is None:
        abort(404)
    return plan


def read_only_reason(plan: Plan) -> Any:
    """Why the plan's structure cannot be edited now, or None. The programme stays editable
    after adoption (a living document); an archived plan, or one whose workflow's plugin is
    disabled, is read-only."""
    if plan.archived:
        return _l("This plan is archived: restore it to change it.")
    if transitions.workflow_of(plan) is None:
        return _l("The workflow of this plan (%(name)s) is not available, so the plan is "
                  "read-only. It shows its stored state.", name=plan.workflow)
    return None


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
