"""The workflow "koers": concept → werkconferentie → adopted by the college → translated into
the policy areas → in implementation, with a follow-up meeting every year.

Adoption follows Oldambt's rule "geen plan zonder inwoners en geen plan zonder partners": it
is refused until the plan's consultations hold input from at least one resident and from at
least one partner organisation, and the refusal says which is missing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.plugin_api import Consultation, Field, Input, Phase, State, Transition, Workflow, db

from .translations import _, _l

NAME = "oldambt.koers"
#: Once adopted, the koers is discussed again with residents and partners every year.
FOLLOW_UP_STATES = ("oldambt.vertaald", "oldambt.uitvoering")
RESIDENTS_AND_PARTNERS = "oldambt.residents_and_partners"


def _decided_on(label: Any) -> Field:
    return Field("decided_on", label, "date",
                 help=_l("The date of the decision or meeting itself; it may lie in the past."))


KOERS = Workflow(
    name=NAME,
    label=_l("Koers (Oldambt)"),
    initial="oldambt.concept",
    states=(
        State("oldambt.concept", _l("Concept"), Phase.CONCEPT),
        State("oldambt.werkconferentie", _l("Werkconferentie held"), Phase.CONSULTATIE),
        State("oldambt.vastgesteld", _l("Adopted by the college"), Phase.VASTGESTELD),
        State("oldambt.vertaald", _l("Translated into the policy areas"), Phase.VASTGESTELD),
        State("oldambt.uitvoering", _l("In implementation"), Phase.UITVOERING),
    ),
    transitions=(
        Transition("oldambt.hold_conference", ("oldambt.concept",), "oldambt.werkconferentie",
                   _l("The werkconferentie has been held"),
                   fields=(_decided_on(_l("Date of the werkconferentie")),),
                   guards=("core.has_themes",)),
        Transition("oldambt.back_to_concept", ("oldambt.werkconferentie",), "oldambt.concept",
                   _l("Back to concept"), fields=(Field("note", _l("Why"), "textarea"),)),
        Transition("oldambt.adopt", ("oldambt.werkconferentie",), "oldambt.vastgesteld",
                   _l("The college adopts the koers"),
                   fields=(_decided_on(_l("Date of the college's decision")),),
                   guards=("core.has_text", "core.has_themes", RESIDENTS_AND_PARTNERS),
                   effects=("core.revision_vastgesteld",)),
        Transition("oldambt.translate", ("oldambt.vastgesteld",), "oldambt.vertaald",
                   _l("Translated into the policy areas"),
                   fields=(_decided_on(_l("Date the policy areas took it over")),)),
        Transition("oldambt.start_implementation", ("oldambt.vertaald",), "oldambt.uitvoering",
                   _l("Start the implementation"), guards=("core.has_actions",)),
    ),
).validate()


def groups_heard(plan_id: int) -> set[str]:
    """The participant groups with input in any consultation of the plan: one query."""
    return set(db.session.scalars(
        select(Input.participant_group).join(Consultation,
                                             Consultation.id == Input.consultation_id)
        .where(Consultation.plan_id == plan_id).distinct()))


def guard_messages(plan: Any, transition: Transition) -> list[str] | None:
    if RESIDENTS_AND_PARTNERS not in transition.guards:
        return None
    heard = groups_heard(plan.id)
    messages = []
    if "inwoner" not in heard:
        messages.append(_("Geen plan zonder inwoners: no resident has given input on this "
                          "plan yet."))
    if "partner" not in heard:
        messages.append(_("Geen plan zonder partners: no partner organisation has given "
                          "input on this plan yet."))
    return messages
