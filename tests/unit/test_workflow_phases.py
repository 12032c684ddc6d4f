"""Workflow introspection: the phase a step leads into and the phases it leaves, so a rule
such as "nothing enters phase vastgesteld" reads the same for every workflow."""

from __future__ import annotations

import pytest

from app.workflow import Phase, State, Transition, UnknownTransition, Workflow

FLOW = Workflow(
    name="wijk.flow", label="Flow", initial="wijk.draft",
    states=(State("wijk.draft", "Draft", Phase.CONCEPT),
            State("wijk.review", "Review", Phase.CONSULTATIE),
            State("wijk.adopted", "Adopted", Phase.VASTGESTELD),
            State("wijk.amended", "Amended", Phase.VASTGESTELD)),
    transitions=(Transition("wijk.review", ("wijk.draft",), "wijk.review", "Review"),
                 Transition("wijk.adopt", ("wijk.draft", "wijk.review"), "wijk.adopted",
                            "Adopt"),
                 Transition("wijk.amend", ("wijk.adopted",), "wijk.amended", "Amend")),
).validate()


def test_the_target_phase_of_a_step_by_name_or_transition():
    assert FLOW.target_phase("wijk.adopt") == Phase.VASTGESTELD
    assert FLOW.target_phase(FLOW.transition("wijk.review")) == Phase.CONSULTATIE


def test_the_source_phases_of_a_step_in_declared_order():
    assert FLOW.source_phases("wijk.adopt") == (Phase.CONCEPT, Phase.CONSULTATIE)
    assert FLOW.source_phases("wijk.amend") == (Phase.VASTGESTELD,)


def test_entering_a_phase_means_coming_from_outside_it():
    assert FLOW.enters_phase("wijk.adopt", Phase.VASTGESTELD)
    assert FLOW.enters_phase("wijk.adopt", "vastgesteld")
    assert not FLOW.enters_phase("wijk.amend", Phase.VASTGESTELD)  # already in it
    assert not FLOW.enters_phase("wijk.review", Phase.VASTGESTELD)


def test_an_unknown_step_is_named():
    with pytest.raises(UnknownTransition, match=r"wijk\.nope"):
        FLOW.target_phase("wijk.nope")
