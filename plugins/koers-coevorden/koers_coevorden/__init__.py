"""Coevorden: the municipality plugin for the beleidsplan sociaal domein "Samen Krachtig".

- **pillars** (pijlers): the plan's themes under Coevorden's word for them (its terminology
  catalogue), with what the core lacks — the main pillar (Meedoen & meetellen in the demo), a
  budget at pillar level and indicators — on an overview page and a plan panel;
- the workflow **Samen Krachtig**, Coevorden's formal procedure: the ontwerp lies open for
  six weeks (the core's comment period, opened by the step itself, with its kennisgeving),
  then every reaction is answered before the council adopts the plan.

Koers finds this module through the entry point "coevorden" and calls the functions marked
with @hookimpl. It imports only app.plugin_api.
"""

from __future__ import annotations

from app.plugin_api import NavItem, PlanKind, Setting, SlotContent, hookimpl

from . import workflow
from .translations import _l
from .views import blueprint, render_plan_panel

#: The versions of the Koers plugin API this plugin works with (1.1: a step's values).
koers_api = ">=1.3,<2"


@hookimpl
def declare_settings():
    return [Setting("legal_basis", "Inspraakverordening gemeente Coevorden",
                    "the legal basis a comment period names")]


@hookimpl
def register_blueprints():
    return [blueprint]


@hookimpl
def navigation_items(user):
    return [NavItem(_l("Pillars"), "coevorden.index", "view", priority=40,
                    active_prefix="coevorden.")]


@hookimpl
def template_slot(slot, context):
    if slot == "plan.overview":
        plan = context["plan"]
        return SlotContent(lambda: render_plan_panel(plan), priority=20)
    return None


@hookimpl
def plan_types():
    # Coevorden's beleidsplan follows its formal procedure.
    return [PlanKind("beleidsplan", _l("Beleidsplan (Samen Krachtig procedure)"),
                     workflow=workflow.NAME)]


@hookimpl
def workflows():
    return [workflow.SAMEN_KRACHTIG]


@hookimpl
def transition_guards(plan, transition, user, values):
    return workflow.guard_messages(plan, transition, values)


@hookimpl
def transition_effects(plan, transition, user, values):
    if workflow.OPEN_PERIOD in transition.effects:
        workflow.open_period(plan, values, user)


@hookimpl
def demo_data(municipality):
    from .demo import load_demo

    load_demo(municipality)
