"""The workflow "Samen Krachtig", Coevorden's formal procedure for a beleidsplan:

concept → ontwerp adopted by the college → ter inzage (six weeks, the core's comment period,
with inspraakbijeenkomsten) → reactions answered → adopted by the council.

Laying the ontwerp open opens the comment period from the step's date — its last day is
computed by the core (Awb, Algemene termijnenwet) and its kennisgeving generated. The period
cannot be left before its last day has passed, nor while a reaction is unanswered.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select

from app.plugin_api import (
    Consultation,
    ConsultationData,
    Field,
    Phase,
    State,
    Transition,
    Workflow,
    consultations_of,
    create_consultation,
    db,
    input_kinds,
    open_inputs,
    plugin_settings,
)

from .translations import _, _l, ngettext

NAME = "coevorden.samen_krachtig"
OPEN_PERIOD = "coevorden.open_period"
PERIOD_OVER = "coevorden.period_over"
ALL_ANSWERED = "coevorden.all_answered"
TER_INZAGE = "ter_inzage"


def _decided_on(label: Any) -> Field:
    return Field("decided_on", label, "date",
                 help=_l("The date of the decision itself; it may lie in the past."))


SAMEN_KRACHTIG = Workflow(
    name=NAME,
    label=_l("Samen Krachtig (Coevorden)"),
    initial="coevorden.concept",
    states=(
        State("coevorden.concept", _l("Concept"), Phase.CONCEPT),
        State("coevorden.ontwerp", _l("Ontwerp adopted by the college"), Phase.ONTWERP),
        State("coevorden.ter_inzage", _l("Open for inspection"), Phase.CONSULTATIE),
        State("coevorden.beantwoord", _l("Reactions answered"), Phase.CONSULTATIE),
        State("coevorden.vastgesteld", _l("Adopted by the council"), Phase.VASTGESTELD),
    ),
    transitions=(
        Transition("coevorden.adopt_draft", ("coevorden.concept",), "coevorden.ontwerp",
                   _l("The college adopts the ontwerp"),
                   fields=(_decided_on(_l("Date of the college's decision")),),
                   guards=("core.has_text", "core.has_themes"),
                   effects=("core.revision_ontwerp",)),
        Transition("coevorden.back_to_concept", ("coevorden.ontwerp",), "coevorden.concept",
                   _l("Back to concept"), fields=(Field("note", _l("Why"), "textarea"),)),
        Transition("coevorden.lay_open", ("coevorden.ontwerp",), "coevorden.ter_inzage",
                   _l("Lay the ontwerp open for inspection"),
                   fields=(_decided_on(_l("First day of the inspection period")),),
                   effects=(OPEN_PERIOD,)),
        Transition("coevorden.answer_reactions", ("coevorden.ter_inzage",),
                   "coevorden.beantwoord", _l("The reactions have been answered"),
                   fields=(_decided_on(_l("Date of the nota van beantwoording")),),
                   guards=(PERIOD_OVER, ALL_ANSWERED)),
        Transition("coevorden.adopt", ("coevorden.beantwoord",), "coevorden.vastgesteld",
                   _l("The council adopts the beleidsplan"),
                   fields=(_decided_on(_l("Date of the council's decision")),),
                   guards=("core.has_text", "core.has_themes", ALL_ANSWERED),
                   effects=("core.revision_vastgesteld",)),
    ),
).validate()


def comment_period(plan: Any) -> Consultation | None:
    """The plan's latest ter-inzage period."""
    return db.session.scalar(select(Consultation).where(
        Consultation.plan_id == plan.id, Consultation.format == TER_INZAGE)
        .order_by(Consultation.id.desc()))


def open_period(plan: Any, values: Mapping[str, Any], user: Any) -> Consultation:
    first_day = values.get("decided_on")
    if not isinstance(first_day, date):
        first_day = date.today()
    return create_consultation(plan, ConsultationData(
        title=_("Ontwerp %(title)s ter inzage", title=plan.title), format=TER_INZAGE,
        published_on=first_day, channels=["website", "gemeentepagina"],
        legal_basis=plugin_settings("coevorden")["legal_basis"]), actor=user)


def unanswered_reactions(plan: Any) -> int:
    """Reactions (input that needs an answer) without one, over the plan's consultations."""
    needing = {code for code, kind in input_kinds().items() if kind.needs_answer}
    consultations = consultations_of(plan, include_archived=True)
    return sum(1 for consultation in consultations for item in open_inputs(consultation)
               if item.kind in needing)


def guard_messages(plan: Any, transition: Transition,
                   values: Mapping[str, Any]) -> list[str] | None:
    if PERIOD_OVER not in transition.guards and ALL_ANSWERED not in transition.guards:
        return None
    messages = []
    if PERIOD_OVER in transition.guards:
        period = comment_period(plan)
        when = values.get("decided_on")
        day = when if isinstance(when, date) else date.today()
        if period is not None and period.last_day is not None and day <= period.last_day:
            messages.append(_("The inspection period runs until %(last_day)s: it cannot be "
                              "left before that day has passed.",
                              last_day=period.last_day.strftime("%d-%m-%Y")))
    if ALL_ANSWERED in transition.guards:
        open_count = unanswered_reactions(plan)
        if open_count:
            messages.append(ngettext(
                "%(num)d reaction is still without an answer: every reaction gets one.",
                "%(num)d reactions are still without an answer: every reaction gets one.",
                open_count))
    return messages
