"""A test plugin written against plugin API 1.2, as an outside developer would write it from
docs/plugins.md: its own workflow, a guard that keeps every plan — of any workflow — out of
phase vastgesteld, and a page built from the read helpers and the edit kit."""

from __future__ import annotations

from app.plugin_api import (
    DEFAULT_WORKFLOW,
    DefaultStep,
    Phase,
    PlanKind,
    State,
    Transition,
    Workflow,
    hookimpl,
    register_label,
    workflow_of,
)

from .views import blueprint

koers_api = ">=1.2,<2"

#: The refusal of the guard below.
REFUSAL = "Nothing enters phase vastgesteld while the phase guard is on."

FLOW = Workflow(
    name="phaseguard.flow",
    label="Phased plan",
    initial="phaseguard.draft",
    states=(State("phaseguard.draft", "Draft", Phase.CONCEPT),
            State("phaseguard.review", "In review", Phase.CONSULTATIE),
            State("phaseguard.adopted", "Adopted", Phase.VASTGESTELD)),
    transitions=(Transition("phaseguard.review", ("phaseguard.draft",), "phaseguard.review",
                            "Send for review"),
                 Transition("phaseguard.adopt", ("phaseguard.review",), "phaseguard.adopted",
                            "Adopt")),
)

register_label("action", "phaseguard.hearing", "opened a hearing")

#: What after_transition saw, for the tests: (plan id, step name, phase before, phase after).
SEEN: list[tuple[int, str, tuple[str, ...], str]] = []


@hookimpl
def workflows():
    return [FLOW]


@hookimpl
def plan_types():
    return [PlanKind("gefaseerd", "Phased plan", workflow=FLOW.name)]


@hookimpl
def register_blueprints():
    return [blueprint]


@hookimpl
def transition_guards(plan, transition):
    """Refuse every step into phase vastgesteld, whichever workflow the plan follows."""
    workflow = workflow_of(plan)
    if workflow is not None and workflow.target_phase(transition) == Phase.VASTGESTELD:
        return [REFUSAL]
    return None


@hookimpl
def after_transition(plan, transition, record):
    workflow = workflow_of(plan) or DEFAULT_WORKFLOW
    SEEN.append((plan.id, transition.name, tuple(map(str, workflow.source_phases(transition))),
                 str(workflow.target_phase(transition))))
    if transition.name == DefaultStep.ADOPT:  # never reached while the guard is on
        raise AssertionError("a plan entered phase vastgesteld")
