"""The workflow engine on its own: definitions, their validation, and taking a transition."""

from __future__ import annotations

import dataclasses
import logging
from datetime import date, datetime

import pytest

from app.errors import DomainError
from app.workflow import (
    PHASES,
    EffectFailed,
    EngineMessages,
    Field,
    NamedCheck,
    NamedEffect,
    Phase,
    Refusal,
    State,
    Transition,
    TransitionRefused,
    UnknownState,
    UnknownTransition,
    Workflow,
    WorkflowDefinitionError,
    available_transitions,
    check_transition,
    perform_transition,
    validate_workflow,
)


class Lazy:
    """Stands in for a lazy translated string: text only through str()."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text


DECIDED_ON = Field("decided_on", "Decided on", "date")
REFERENCE = Field("reference", "Council decision", "text")
NOTE = Field("note", "Note", "textarea", required=False)
PUBLISHED_ON = Field("published_on", "Published on", "date", required=False)

STATES = (
    State("core.concept", Lazy("Concept"), Phase.CONCEPT),
    State("core.ontwerp", "Ontwerp", Phase.ONTWERP),
    State("core.ter_inzage", "Ter inzage", Phase.CONSULTATIE),
    State("core.vastgesteld", "Vastgesteld", Phase.VASTGESTELD),
    State("core.uitvoering", "In uitvoering", Phase.UITVOERING),
    State("core.afgesloten", "Afgesloten", Phase.AFGESLOTEN),
)
TRANSITIONS = (
    Transition("core.to_ontwerp", ("core.concept",), "core.ontwerp", "Make ontwerp",
               fields=(DECIDED_ON, NOTE)),
    Transition("core.lay_open", ("core.ontwerp",), "core.ter_inzage", "Lay open",
               fields=(PUBLISHED_ON,)),
    Transition("core.adopt", ("core.ontwerp", "core.ter_inzage"), "core.vastgesteld",
               Lazy("Adopt"), permission="adopt", fields=(DECIDED_ON, REFERENCE, NOTE)),
    Transition("core.back_to_concept", ("core.ontwerp",), "core.concept", "Back to concept"),
    Transition("core.start", ("core.vastgesteld",), "core.uitvoering", "Start"),
    Transition("core.close", ("core.vastgesteld", "core.uitvoering"), "core.afgesloten",
               "Close", permission="adopt"),
)
WORKFLOW = Workflow("core.default", "Default", STATES, TRANSITIONS, "core.concept")


def ok() -> None:
    return None


def names(transitions: list[Transition]) -> list[str]:
    return [t.name for t in transitions]


# Definitions


def test_a_valid_workflow_passes_validation():
    assert WORKFLOW.validate() is WORKFLOW
    validate_workflow(WORKFLOW)
    assert WORKFLOW.owner == "core"


def test_a_plugin_workflow_owns_its_prefix():
    workflow = Workflow("coevorden.inspraak", "Inspraak",
                        (State("coevorden.concept", "Concept", Phase.CONCEPT),
                         State("coevorden.ter_inzage", "Ter inzage", Phase.CONSULTATIE)),
                        (Transition("coevorden.lay_open", ("coevorden.concept",),
                                    "coevorden.ter_inzage", "Lay open"),),
                        "coevorden.concept")
    assert workflow.owner == "coevorden"
    workflow.validate()
    with pytest.raises(WorkflowDefinitionError) as caught:
        dataclasses.replace(WORKFLOW, name="coevorden").validate()
    assert "state 'core.concept' must be named 'coevorden.<state>'" in caught.value.problems


def with_state(state: State) -> Workflow:
    return dataclasses.replace(WORKFLOW, states=(*STATES, state))


def with_transition(transition: Transition) -> Workflow:
    return dataclasses.replace(WORKFLOW, transitions=(*TRANSITIONS, transition))


def with_fields(*fields: Field) -> Workflow:
    return with_transition(Transition("core.extra", ("core.concept",), "core.ontwerp", "Extra",
                                      fields=fields))


@pytest.mark.parametrize(("workflow", "problem"), [
    (with_state(State("core.concept", "Again", Phase.CONCEPT)),
     "state 'core.concept' is declared more than once"),
    (with_transition(Transition("core.start", ("core.concept",), "core.ontwerp", "Again")),
     "transition 'core.start' is declared more than once"),
    (with_state(State("concept2", "No prefix", Phase.CONCEPT)),
     "state 'concept2' must be named 'core.<state>'"),
    (with_state(State("coevorden.x", "Other owner", Phase.CONCEPT)),
     "state 'coevorden.x' must be named 'core.<state>'"),
    (with_state(State("core.", "Empty local part", Phase.CONCEPT)),
     "state 'core.' must be named 'core.<state>'"),
    (with_transition(Transition("publish", ("core.concept",), "core.ontwerp", "No prefix")),
     "transition 'publish' must be named 'core.<transition>'"),
    (with_transition(Transition("core.x", ("core.nowhere",), "core.ontwerp", "X")),
     "transition 'core.x' starts from unknown state 'core.nowhere'"),
    (with_transition(Transition("core.x", ("core.concept",), "core.nowhere", "X")),
     "transition 'core.x' leads to unknown state 'core.nowhere'"),
    (with_transition(Transition("core.x", (), "core.ontwerp", "X")),
     "transition 'core.x' has no source states"),
    (with_transition(Transition("core.x", ("core.concept",), "core.ontwerp", "X",
                                permission="")),
     "transition 'core.x' has no permission"),
    (dataclasses.replace(WORKFLOW, initial="core.start"),
     "initial state 'core.start' is not one of its states"),
    (with_state(State("core.orphan", "Orphan", Phase.AFGESLOTEN)),
     "state 'core.orphan' cannot be reached from 'core.concept'"),
    (dataclasses.replace(WORKFLOW, initial="core.vastgesteld"),
     "state 'core.concept' cannot be reached from 'core.vastgesteld'"),
    (with_state(State("core.phaseless", "No phase", None)),  # type: ignore[arg-type]
     "state 'core.phaseless' has no phase (got None); use one of concept, ontwerp, "
     "consultatie, vastgesteld, uitvoering, afgesloten"),
    (with_state(State("core.odd", "Odd phase", "besluit")),  # type: ignore[arg-type]
     "state 'core.odd' has no phase (got 'besluit'); use one of concept, ontwerp, "
     "consultatie, vastgesteld, uitvoering, afgesloten"),
    (with_fields(DECIDED_ON, NOTE, DECIDED_ON), "transition 'core.extra' repeats field "
     "'decided_on'"),
    (with_fields(Field("amount", "Amount", "number")),  # type: ignore[arg-type]
     "field 'amount' of transition 'core.extra' has kind 'number'; use one of date, text, "
     "textarea"),
    (with_fields(Field("decided on", "Decided on", "date")),
     "transition 'core.extra' has a field named 'decided on'; use a Python identifier"),
], ids=["duplicate state", "duplicate transition", "state without prefix",
        "state of another owner", "state with empty local part", "transition without prefix",
        "unknown source", "unknown target", "no source", "no permission", "initial unknown",
        "unreachable state", "initial state cut off", "state without phase",
        "state with unknown phase", "repeated field", "unknown field kind",
        "field name not an identifier"])
def test_each_definition_error_names_the_workflow_and_the_problem(workflow, problem):
    with pytest.raises(WorkflowDefinitionError) as caught:
        workflow.validate()
    assert isinstance(caught.value, ValueError)
    assert caught.value.workflow == "core.default"
    assert str(caught.value).startswith("workflow 'core.default' is invalid: ")
    assert problem in caught.value.problems
    assert problem in str(caught.value)


def test_every_problem_is_reported_at_once():
    workflow = dataclasses.replace(
        WORKFLOW, states=(*STATES, State("x", "X", None)),  # type: ignore[arg-type]
        transitions=(*TRANSITIONS, Transition("y", ("core.concept",), "core.gone", "Y")))
    with pytest.raises(WorkflowDefinitionError) as caught:
        validate_workflow(workflow)
    assert caught.value.problems == [
        "state 'x' must be named 'core.<state>'",
        "state 'x' has no phase (got None); use one of concept, ontwerp, consultatie, "
        "vastgesteld, uitvoering, afgesloten",
        "transition 'y' must be named 'core.<transition>'",
        "transition 'y' leads to unknown state 'core.gone'",
        "state 'x' cannot be reached from 'core.concept'",
    ]


def test_a_workflow_needs_a_name():
    with pytest.raises(WorkflowDefinitionError) as caught:
        dataclasses.replace(WORKFLOW, name="").validate()
    assert caught.value.problems == ["the name must be '<owner>' or '<owner>.<local>'"]


def test_declarations_forgive_a_plain_phase_value_and_a_lone_source():
    state = State("core.ontwerp", "Ontwerp", "ontwerp")  # type: ignore[arg-type]
    assert state.phase is Phase.ONTWERP
    transition = Transition("core.x", "core.concept", "core.ontwerp", "X",  # type: ignore[arg-type]
                            fields=[NOTE])  # type: ignore[arg-type]
    assert transition.source == ("core.concept",)
    assert transition.fields == (NOTE,)
    hash(transition)  # stays usable as a dict key


def test_phases_are_the_core_phases_in_order():
    assert PHASES == (Phase.CONCEPT, Phase.ONTWERP, Phase.CONSULTATIE, Phase.VASTGESTELD,
                      Phase.UITVOERING, Phase.AFGESLOTEN)
    assert [str(p) for p in PHASES] == ["concept", "ontwerp", "consultatie", "vastgesteld",
                                        "uitvoering", "afgesloten"]
    assert WORKFLOW.phase_of("core.ter_inzage") is Phase.CONSULTATIE
    assert [WORKFLOW.phase_of(s.code) for s in STATES] == list(PHASES)


def test_lookups():
    assert WORKFLOW.state("core.ontwerp").label == "Ontwerp"
    assert WORKFLOW.transition("core.adopt").target == "core.vastgesteld"
    assert names(WORKFLOW.transitions_from("core.ontwerp")) == [
        "core.lay_open", "core.adopt", "core.back_to_concept"]
    assert WORKFLOW.transitions_from("core.afgesloten") == []


def test_unknown_lookups_raise_key_errors_with_a_clear_message():
    with pytest.raises(UnknownState) as state:
        WORKFLOW.phase_of("coevorden.ter_inzage")
    assert isinstance(state.value, KeyError)
    assert str(state.value) == "workflow 'core.default' has no state 'coevorden.ter_inzage'"
    with pytest.raises(UnknownState):
        WORKFLOW.transitions_from("core.gone")
    with pytest.raises(UnknownTransition) as transition:
        WORKFLOW.transition("core.publish")
    assert isinstance(transition.value, KeyError)
    assert str(transition.value) == "workflow 'core.default' has no transition 'core.publish'"


# Available transitions


@pytest.mark.parametrize(("state", "permissions", "expected"), [
    ("core.concept", {"edit"}, ["core.to_ontwerp"]),
    ("core.ontwerp", {"edit"}, ["core.lay_open", "core.back_to_concept"]),
    ("core.ontwerp", {"edit", "adopt"}, ["core.lay_open", "core.adopt", "core.back_to_concept"]),
    ("core.ontwerp", {"adopt"}, ["core.adopt"]),
    ("core.ontwerp", set(), []),
    ("core.vastgesteld", {"edit"}, ["core.start"]),
    ("core.afgesloten", {"edit", "adopt"}, []),
])
def test_available_transitions_by_state_and_permission(state, permissions, expected):
    assert names(available_transitions(WORKFLOW, state, permissions)) == expected


def test_available_transitions_do_not_evaluate_guards_and_refuse_unknown_states():
    # There is no guard argument at all: offering a step never runs a plugin's check.
    assert names(available_transitions(WORKFLOW, "core.ter_inzage", ["adopt"])) == ["core.adopt"]
    with pytest.raises(UnknownState):
        available_transitions(WORKFLOW, "core.gone", {"edit"})


# Checking a transition

ADOPT_VALUES = {"decided_on": date(2025, 3, 13), "reference": "2025-017"}


def test_a_transition_that_meets_every_condition_is_not_refused():
    guards = [NamedCheck("core", ok), NamedCheck("coevorden", list)]
    assert check_transition(WORKFLOW, "core.ter_inzage", "core.adopt", permissions={"adopt"},
                            values=ADOPT_VALUES, guards=guards) == []


def test_a_refused_transition_lists_every_unmet_condition_at_once(caplog):
    called = []

    def fine():
        called.append("fine")

    def broken():
        raise RuntimeError("database gone")

    guards = [
        NamedCheck("core", lambda: ["The plan has no sections."]),
        NamedCheck("coevorden", lambda: iter(["No kennisgeving yet.", "No advice yet."])),
        NamedCheck("oldambt", broken),
        NamedCheck("hoogeveen", fine),
    ]
    refusals = check_transition(WORKFLOW, "core.concept", "core.adopt", permissions={"edit"},
                                values={"decided_on": "13-03-2025", "reference": "  "},
                                guards=guards)
    assert [(r.source, r.field) for r in refusals] == [
        ("core", None),            # wrong state
        ("core", None),            # missing permission
        ("core", "decided_on"),    # not a date
        ("core", "reference"),     # blank
        ("core", None),            # the core's guard
        ("coevorden", None),
        ("coevorden", None),
        ("oldambt", None),         # raised: refused in its name
    ]
    messages = [r.message for r in refusals]
    assert messages[0] == ("“Adopt” is not possible from “Concept”; it is possible from: "
                           "Ontwerp, Ter inzage.")
    assert messages[1] == "You lack the permission “adopt” for “Adopt”."
    assert messages[2] == "“Decided on” must be a date."
    assert messages[3] == "“Council decision” is required."
    assert messages[4:7] == ["The plan has no sections.", "No kennisgeving yet.",
                             "No advice yet."]
    assert "“oldambt”" in messages[7]
    assert called == ["fine"]  # guards after a failing one still run


def test_an_unknown_transition_is_the_only_refusal_and_runs_no_guard():
    called = []
    refusals = check_transition(WORKFLOW, "core.concept", "coevorden.lay_open",
                                permissions=set(), values={},
                                guards=[NamedCheck("core", lambda: called.append(1))])
    assert refusals == [Refusal("core", "The step “coevorden.lay_open” does not exist in "
                                        "“Default”.")]
    assert called == []


def test_a_state_the_workflow_does_not_know_is_refused_by_its_code():
    refusals = check_transition(WORKFLOW, "coevorden.ter_inzage", "core.start",
                                permissions={"edit"}, values={}, guards=[])
    assert refusals == [Refusal("core", "“Start” is not possible from “coevorden.ter_inzage”; "
                                        "it is possible from: Vastgesteld.")]


@pytest.mark.parametrize("values", [{}, {"decided_on": None}, {"decided_on": ""},
                                    {"decided_on": " \n"}],
                         ids=["absent", "None", "empty", "blank"])
def test_a_missing_required_field_is_refused_on_that_field(values):
    refusals = check_transition(WORKFLOW, "core.concept", "core.to_ontwerp",
                                permissions={"edit"}, values=values, guards=[])
    assert refusals == [Refusal("core", "“Decided on” is required.", "decided_on")]


@pytest.mark.parametrize(("value", "refused"), [
    (date(2025, 5, 31), False),
    (None, False),  # optional
    ("2025-05-31", True),
    (datetime(2025, 5, 31, 9, 0), True),  # a moment, not a date
    (20250531, True),
])
def test_a_date_field_must_hold_a_date(value, refused):
    refusals = check_transition(WORKFLOW, "core.ontwerp", "core.lay_open", permissions={"edit"},
                                values={"published_on": value}, guards=[])
    assert refusals == ([Refusal("core", "“Published on” must be a date.", "published_on")]
                        if refused else [])


def test_optional_fields_and_undeclared_values_are_not_refused():
    refusals = check_transition(WORKFLOW, "core.concept", "core.to_ontwerp",
                                permissions={"edit"},
                                values={"decided_on": date(2025, 1, 7), "extra": object()},
                                guards=[])
    assert refusals == []


def test_a_guard_returning_one_string_gives_one_refusal():
    refusals = check_transition(WORKFLOW, "core.vastgesteld", "core.start", permissions={"edit"},
                                values={}, guards=[NamedCheck("oldambt", lambda: "Not yet.")])
    assert refusals == [Refusal("oldambt", "Not yet.")]


def raises() -> list[str]:
    raise ValueError("boom")


def half_then_raises():
    yield "First problem."
    raise ValueError("boom")


@pytest.mark.parametrize("check", [raises, half_then_raises, lambda: True],
                         ids=["raises", "generator raises midway", "returns a non-iterable"])
def test_a_failing_guard_refuses_in_its_name_and_is_logged(check, caplog):
    caplog.set_level(logging.ERROR, logger="app.workflow.engine")
    refusals = check_transition(WORKFLOW, "core.vastgesteld", "core.start", permissions={"edit"},
                                values={}, guards=[NamedCheck("oldambt", check)])
    assert refusals == [Refusal("oldambt", "The check by “oldambt” failed, so “Start” cannot be "
                                           "taken now. The error has been logged.")]
    [record] = caplog.records
    assert record.levelno == logging.ERROR
    assert "oldambt" in record.getMessage() and "core.start" in record.getMessage()
    assert record.plugin == "oldambt"
    assert record.exc_info is not None


def test_custom_messages_are_used():
    dutch = EngineMessages(
        unknown_transition="Stap %(transition)s bestaat niet in %(workflow)s.",
        wrong_state="%(transition)s kan niet vanuit %(state)s (wel vanuit %(sources)s).",
        missing_permission="Recht %(permission)s ontbreekt voor %(transition)s.",
        missing_field="%(label)s is verplicht.",
        not_a_date="%(label)s moet een datum zijn (%(field)s).",
        guard_failed="Controle van %(source)s mislukt bij %(transition)s.",
    )
    refusals = check_transition(WORKFLOW, "core.concept", "core.adopt", permissions=set(),
                                values={"decided_on": "gisteren"},
                                guards=[NamedCheck("oldambt", raises)], messages=dutch)
    assert [r.message for r in refusals] == [
        "Adopt kan niet vanuit Concept (wel vanuit Ontwerp, Ter inzage).",
        "Recht adopt ontbreekt voor Adopt.",
        "Decided on moet een datum zijn (decided_on).",
        "Council decision is verplicht.",
        "Controle van oldambt mislukt bij Adopt.",
    ]
    [unknown] = check_transition(WORKFLOW, "core.concept", "core.x", permissions=set(),
                                 values={}, guards=[], messages=dutch)
    assert unknown.message == "Stap core.x bestaat niet in Default."


# Performing a transition


def test_perform_runs_every_effect_in_order_and_returns_the_transition():
    ran = []
    effects = [NamedEffect("core", lambda: ran.append("core")),
               NamedEffect("coevorden", lambda: ran.append("coevorden")),
               NamedEffect("oldambt", lambda: ran.append("oldambt"))]
    taken = perform_transition(WORKFLOW, "core.ontwerp", "core.adopt", permissions={"adopt"},
                               values=ADOPT_VALUES, guards=[NamedCheck("core", ok)],
                               effects=effects)
    assert taken is WORKFLOW.transition("core.adopt")
    assert taken.target == "core.vastgesteld"
    assert ran == ["core", "coevorden", "oldambt"]


def test_a_refused_transition_raises_with_every_refusal_and_runs_no_effect():
    ran = []
    with pytest.raises(TransitionRefused) as caught:
        perform_transition(WORKFLOW, "core.concept", "core.adopt", permissions={"edit"},
                           values=ADOPT_VALUES,
                           guards=[NamedCheck("coevorden", lambda: ["No advice yet."])],
                           effects=[NamedEffect("core", lambda: ran.append(1))])
    assert ran == []
    refused = caught.value
    assert isinstance(refused, DomainError)
    assert [(r.source, r.field) for r in refused.refusals] == [
        ("core", None), ("core", None), ("coevorden", None)]
    assert refused.message == " ".join(r.message for r in refused.refusals)
    assert str(refused) == refused.message
    assert refused.message.endswith("No advice yet.")


def test_a_failing_effect_names_its_source_and_stops_later_effects():
    ran = []
    error = OSError("disk full")

    def fail():
        raise error

    effects = [NamedEffect("core", lambda: ran.append("core")),
               NamedEffect("coevorden", fail),
               NamedEffect("oldambt", lambda: ran.append("oldambt"))]
    with pytest.raises(EffectFailed) as caught:
        perform_transition(WORKFLOW, "core.vastgesteld", "core.start", permissions={"edit"},
                           values={}, guards=[], effects=effects)
    assert caught.value.source == "coevorden"
    assert caught.value.original is error
    assert caught.value.__cause__ is error
    assert "coevorden" in str(caught.value)
    assert ran == ["core"]
