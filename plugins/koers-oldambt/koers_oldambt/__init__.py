"""Oldambt: the municipality plugin for the koers sociaal domein.

- the **regenboogmodel**: configurable layers around the household and the catalogue of
  provisions (voorzieningen) with the choice the koers makes for each ("kiezen voor de meest
  kwetsbaren"), drawn as an accessible rainbow on its own page and on the plan page;
- the workflow **koers** with the rule "geen plan zonder inwoners en geen plan zonder
  partners";
- **werkconferentie** support: kernadviezen per table and a feitenblad.

Koers finds this module through the entry point "oldambt" (pyproject.toml) and calls the
functions marked with @hookimpl. It imports only app.plugin_api.
"""

from __future__ import annotations

from app.plugin_api import (
    ConsultationFormat,
    InputKind,
    NavItem,
    PlanKind,
    SlotContent,
    hookimpl,
)

from . import conference, conference_views, workflow
from .translations import _l
from .views import blueprint, render_plan_panel

#: The versions of the Koers plugin API this plugin works with.
koers_api = ">=1.3,<2"


@hookimpl
def register_blueprints():
    return [blueprint]


@hookimpl
def navigation_items(user):
    return [NavItem(_l("Regenboogmodel"), "oldambt.index", "view", priority=40,
                    active_prefix="oldambt.")]


@hookimpl
def template_slot(slot, context):
    if slot == "plan.overview":
        plan = context["plan"]
        return SlotContent(lambda: render_plan_panel(plan), priority=20)
    if slot == "consultation.overview" and conference.is_conference(context["consultation"]):
        consultation, user = context["consultation"], context["user"]
        return SlotContent(lambda: conference_views.render_conference_panel(consultation, user))
    return None


@hookimpl
def workflows():
    return [workflow.KOERS]


@hookimpl
def transition_guards(plan, transition, user):
    return workflow.guard_messages(plan, transition)


@hookimpl
def demo_data(municipality):
    from .demo import load_demo

    load_demo(municipality)


@hookimpl
def plan_types():
    # Oldambt's koersdocument follows its own workflow; the core's kind of that code yields.
    return [PlanKind("koersdocument", _l("Koers (koersdocument)"), workflow=workflow.NAME)]


@hookimpl
def consultation_formats():
    return [ConsultationFormat("oldambt.vervolgbijeenkomst",
                               _l("Follow-up meeting (yearly)"))]


@hookimpl
def input_kinds():
    # What a werkconferentie table yields besides concrete advice (the core's "advies").
    return [InputKind("oldambt.inzicht", _l("Insight")),
            InputKind("oldambt.verbinding", _l("Connection"))]
