"""Translated names of the plans area's stored codes, and the helpers plan templates use."""

from __future__ import annotations

from typing import Any

from flask import g

from app.labels import register
from app.plans import services, transitions
from app.plans.models import ActionStatus, InvolvementRole, Plan
from app.stakeholders.services import display_name
from app.translate import lazy_gettext as _l
from app.workflow import Phase

PHASES = {
    Phase.CONCEPT: _l("Concept"), Phase.ONTWERP: _l("Draft (ontwerp)"),
    Phase.CONSULTATIE: _l("Consultation"), Phase.VASTGESTELD: _l("Adopted"),
    Phase.UITVOERING: _l("In implementation"), Phase.AFGESLOTEN: _l("Closed"),
}
STATUSES = {
    ActionStatus.PLANNED: _l("Planned"), ActionStatus.RUNNING: _l("Running"),
    ActionStatus.DONE: _l("Done"), ActionStatus.STOPPED: _l("Stopped"),
}
ROLES = {
    InvolvementRole.OPDRACHTGEVER: _l("Sponsor (opdrachtgever)"),
    InvolvementRole.TREKKER: _l("Topic owner (trekker)"),
    InvolvementRole.DEELNEMER: _l("Participant"),
    InvolvementRole.ADVIESRAAD: _l("Advisory council"),
    InvolvementRole.KLANKBORD: _l("Sounding board (klankbord)"),
}

for _code, _label in {
    "add_section": _l("added a section"), "update_section": _l("changed a section"),
    "move_section": _l("moved a section"), "delete_section": _l("removed a section"),
    "add_theme": _l("added a theme"),
    "update_theme": _l("changed a theme"), "add_goal": _l("added a goal"),
    "update_goal": _l("changed a goal"),
    "add_action": _l("added an action"), "update_action": _l("changed an action"),
    "report_progress": _l("reported progress"), "involve": _l("involved a stakeholder"),
    "transition": _l("took a step in the workflow"), "take_revision": _l("took a revision"),
    "delete": _l("deleted"),
}.items():
    register("action", _code, _label)
register("entity", "plans", _l("Plan"))
for _code, _label in {
    "title": _l("Title"), "summary": _l("Summary"), "laws": _l("Laws"),
    "period_start": _l("Start of the period"), "period_end": _l("End of the period"),
    "owner_id": _l("Owner"), "sponsor_id": _l("Opdrachtgever"),
    "parent_id": _l("Parent plan"), "parent_theme_id": _l("Theme of the parent plan"),
    "state": _l("State"), "decided_on": _l("Decided on"), "section": _l("Section"),
    "body": _l("Text"), "theme": _l("Theme"), "goal": _l("Goal"), "action": _l("Action"),
    "budget": _l("Budget"), "progress": _l("Progress"), "status": _l("Status"),
    "trekker_id": _l("Trekker"), "partners": _l("Partners"), "start_date": _l("Start"),
    "end_date": _l("End"), "reported_on": _l("Reported on"), "revision": _l("Revision"),
    "stakeholder": _l("Stakeholder"), "role": _l("Role"), "description": _l("Description"),
    "theme_id": _l("Theme"), "goal_id": _l("Goal"),
}.items():
    register("field", _code, _label)


def _translated(labels: dict[Any, Any]) -> dict[str, str]:
    """``labels`` translated once per request: list pages show them on every row."""
    cache = g.setdefault("koers_plan_labels", {})
    key = id(labels)
    if key not in cache:
        cache[key] = {str(code): str(label) for code, label in labels.items()}
    return cache[key]


def kind_label(code: str) -> str:
    kind = services.kinds().get(code)
    return str(kind.label) if kind else code


def law_label(code: str) -> str:
    return str(services.LAW_LABELS.get(code, code))


def phase_label(code: str) -> str:
    return _translated(PHASES).get(code, code)


def state_label(plan: Plan) -> str:
    """The state's own label in its workflow, or the stored code when the workflow is gone."""
    workflow = transitions.workflow_of(plan)
    if workflow is not None and workflow.has_state(plan.state):
        return str(workflow.state(plan.state).label)
    return plan.state


def state_code_label(plan: Plan, code: str) -> str:
    workflow = transitions.workflow_of(plan)
    if workflow is not None and workflow.has_state(code):
        return str(workflow.state(code).label)
    return code


def step_label(plan: Plan, record: Any) -> str:
    """A recorded step's label in the plan's workflow, or its stored name."""
    workflow = transitions.workflow_of(plan)
    if workflow is not None and workflow.has_transition(record.name):
        return str(workflow.transition(record.name).label)
    return str(record.name)


def status_label(code: str) -> str:
    return _translated(STATUSES).get(code, code)


def role_label(code: str) -> str:
    return _translated(ROLES).get(code, code)


TEMPLATE_HELPERS: dict[str, Any] = {
    "plan_kind_label": kind_label, "law_label": law_label, "phase_label": phase_label,
    "plan_state_label": state_label, "action_status_label": status_label,
    "involvement_role_label": role_label, "state_code_label": state_code_label,
    "step_label": step_label, "display_stakeholder": display_name,
}
