"""The core's default plan workflow, following the Dutch lifecycle of a social-domain plan:
concept → ontwerp (the college adopts the draft) → ter inzage → vastgesteld (the council
adopts it, with its budget) → in uitvoering → afgesloten.

Guards and effects are named here and implemented in :mod:`app.plans.transitions`; the college's
and the council's decision dates are fields, so decisions taken earlier can be entered later.
"""

from __future__ import annotations

from typing import Final

from app.translate import lazy_gettext as _l
from app.workflow import Field, Phase, State, Transition, Workflow

DEFAULT = "core.default"


class DefaultState:
    """The state codes of the default workflow (plain strings), published so code and
    plugins never spell them by hand: ``plan.state == DefaultState.VASTGESTELD``."""

    CONCEPT: Final = "core.concept"
    ONTWERP: Final = "core.ontwerp"
    TER_INZAGE: Final = "core.ter_inzage"
    VASTGESTELD: Final = "core.vastgesteld"
    UITVOERING: Final = "core.uitvoering"
    AFGESLOTEN: Final = "core.afgesloten"


class DefaultStep:
    """The step (transition) names of the default workflow, plain strings:
    ``transition.name == DefaultStep.ADOPT``."""

    ADOPT_DRAFT: Final = "core.adopt_draft"
    BACK_TO_CONCEPT: Final = "core.back_to_concept"
    LAY_OPEN: Final = "core.lay_open"
    ADOPT: Final = "core.adopt"
    START_IMPLEMENTATION: Final = "core.start_implementation"
    CLOSE: Final = "core.close"


def _decided_on(label: object) -> Field:
    return Field("decided_on", label, "date",
                 help=_l("The date of the decision itself; it may lie in the past."))


DEFAULT_WORKFLOW = Workflow(
    name=DEFAULT,
    label=_l("Dutch policy cycle"),
    initial=DefaultState.CONCEPT,
    states=(
        State(DefaultState.CONCEPT, _l("Concept"), Phase.CONCEPT),
        State(DefaultState.ONTWERP, _l("Draft adopted by the college"), Phase.ONTWERP),
        State(DefaultState.TER_INZAGE, _l("Open for inspection"), Phase.CONSULTATIE),
        State(DefaultState.VASTGESTELD, _l("Adopted by the council"), Phase.VASTGESTELD),
        State(DefaultState.UITVOERING, _l("In implementation"), Phase.UITVOERING),
        State(DefaultState.AFGESLOTEN, _l("Closed"), Phase.AFGESLOTEN),
    ),
    transitions=(
        Transition(DefaultStep.ADOPT_DRAFT, (DefaultState.CONCEPT,), DefaultState.ONTWERP,
                   _l("The college adopts the draft"),
                   fields=(_decided_on(_l("Date of the college's decision")),),
                   guards=("core.has_text", "core.has_themes"),
                   effects=("core.revision_ontwerp",)),
        Transition(DefaultStep.BACK_TO_CONCEPT, (DefaultState.ONTWERP,), DefaultState.CONCEPT,
                   _l("Back to concept"),
                   fields=(Field("note", _l("Why"), "textarea"),)),
        Transition(DefaultStep.LAY_OPEN, (DefaultState.ONTWERP,), DefaultState.TER_INZAGE,
                   _l("Lay open for inspection"),
                   fields=(_decided_on(_l("First day of the inspection period")),)),
        Transition(DefaultStep.ADOPT, (DefaultState.ONTWERP, DefaultState.TER_INZAGE),
                   DefaultState.VASTGESTELD,
                   _l("The council adopts the plan"),
                   fields=(_decided_on(_l("Date of the council's decision")),),
                   guards=("core.has_text", "core.has_themes", "core.has_sponsor"),
                   effects=("core.revision_vastgesteld",)),
        Transition(DefaultStep.START_IMPLEMENTATION, (DefaultState.VASTGESTELD,),
                   DefaultState.UITVOERING,
                   _l("Start the implementation"),
                   guards=("core.has_actions",)),
        Transition(DefaultStep.CLOSE, (DefaultState.VASTGESTELD, DefaultState.UITVOERING),
                   DefaultState.AFGESLOTEN,
                   _l("Close the plan"),
                   fields=(_decided_on(_l("Date of closing")),)),
    ),
).validate()
