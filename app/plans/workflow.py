"""The core's default plan workflow, following the Dutch lifecycle of a social-domain plan:
concept → ontwerp (the college adopts the draft) → ter inzage → vastgesteld (the council
adopts it, with its budget) → in uitvoering → afgesloten.

Guards and effects are named here and implemented in :mod:`app.plans.transitions`; the college's
and the council's decision dates are fields, so decisions taken earlier can be entered later.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.workflow import Field, Phase, State, Transition, Workflow

DEFAULT = "core.default"


def _decided_on(label: object) -> Field:
    return Field("decided_on", label, "date",
                 help=_l("The date of the decision itself; it may lie in the past."))


DEFAULT_WORKFLOW = Workflow(
    name=DEFAULT,
    label=_l("Dutch policy cycle"),
    initial="core.concept",
    states=(
        State("core.concept", _l("Concept"), Phase.CONCEPT),
        State("core.ontwerp", _l("Draft adopted by the college"), Phase.ONTWERP),
        State("core.ter_inzage", _l("Open for inspection"), Phase.CONSULTATIE),
        State("core.vastgesteld", _l("Adopted by the council"), Phase.VASTGESTELD),
        State("core.uitvoering", _l("In implementation"), Phase.UITVOERING),
        State("core.afgesloten", _l("Closed"), Phase.AFGESLOTEN),
    ),
    transitions=(
        Transition("core.adopt_draft", ("core.concept",), "core.ontwerp",
                   _l("The college adopts the draft"),
                   fields=(_decided_on(_l("Date of the college's decision")),),
                   guards=("core.has_text", "core.has_themes"),
                   effects=("core.revision_ontwerp",)),
        Transition("core.back_to_concept", ("core.ontwerp",), "core.concept",
                   _l("Back to concept"),
                   fields=(Field("note", _l("Why"), "textarea"),)),
        Transition("core.lay_open", ("core.ontwerp",), "core.ter_inzage",
                   _l("Lay open for inspection"),
                   fields=(_decided_on(_l("First day of the inspection period")),)),
        Transition("core.adopt", ("core.ontwerp", "core.ter_inzage"), "core.vastgesteld",
                   _l("The council adopts the plan"),
                   fields=(_decided_on(_l("Date of the council's decision")),),
                   guards=("core.has_text", "core.has_themes", "core.has_sponsor"),
                   effects=("core.revision_vastgesteld",)),
        Transition("core.start_implementation", ("core.vastgesteld",), "core.uitvoering",
                   _l("Start the implementation"),
                   guards=("core.has_actions",)),
        Transition("core.close", ("core.vastgesteld", "core.uitvoering"), "core.afgesloten",
                   _l("Close the plan"),
                   fields=(_decided_on(_l("Date of closing")),)),
    ),
).validate()
