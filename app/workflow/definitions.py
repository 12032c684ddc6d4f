"""Workflow definitions: the states a plan passes through and the transitions between them.

A workflow is plain data, declared by the core or by a plugin (the ``workflows()`` hook), so it
can be checked once at start-up and shown, tested and documented without a database. Every
state maps to one of the core :class:`Phase` values: lists, reports and core rules speak in
phases, so a plugin may add its own states (``coevorden.ter_inzage``) without the core knowing
them. Labels are whatever the caller passes (usually lazy translated strings); nothing here
translates.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Any, Literal

FieldKind = Literal["date", "text", "textarea"]
FIELD_KINDS: frozenset[str] = frozenset({"date", "text", "textarea"})


class Phase(StrEnum):
    """The core phases every state maps to; the order is the order of a plan's life."""

    CONCEPT = "concept"
    ONTWERP = "ontwerp"
    CONSULTATIE = "consultatie"
    VASTGESTELD = "vastgesteld"
    UITVOERING = "uitvoering"
    AFGESLOTEN = "afgesloten"


PHASES: tuple[Phase, ...] = tuple(Phase)


class WorkflowDefinitionError(ValueError):
    """A workflow is declared wrongly; names the workflow and every problem found in it."""

    def __init__(self, workflow: str, problems: Iterable[str]) -> None:
        self.workflow = workflow
        self.problems = list(problems)
        super().__init__(f"workflow {workflow!r} is invalid: " + "; ".join(self.problems))


class _LookupError(KeyError):
    # KeyError's str() shows the repr of its argument; these carry a sentence instead.
    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class UnknownState(_LookupError):
    """A state code that the workflow does not define (e.g. a plan left over from a plugin
    that changed its workflow)."""

    def __init__(self, workflow: str, code: str) -> None:
        super().__init__(f"workflow {workflow!r} has no state {code!r}")
        self.workflow = workflow
        self.code = code


class UnknownTransition(_LookupError):
    """A transition name that the workflow does not define."""

    def __init__(self, workflow: str, name: str) -> None:
        super().__init__(f"workflow {workflow!r} has no transition {name!r}")
        self.workflow = workflow
        self.name = name


def _as_tuple(value: Any) -> Any:
    # A lone string where a tuple is meant would be iterated letter by letter; lists would make
    # the frozen dataclasses unhashable. Anything else is left for validate() to report.
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(value)
    return value


@dataclass(frozen=True)
class Field:
    """A value the user declares when taking a transition (e.g. the date the college decided).

    The form layer renders and parses it; the engine only checks presence and, for dates, type.
    """

    name: str
    label: Any
    kind: FieldKind
    required: bool = True
    help: Any = ""


@dataclass(frozen=True)
class State:
    """One state of a workflow, named ``<owner>.<local>`` and mapped to a core phase."""

    code: str
    label: Any
    phase: Phase

    def __post_init__(self) -> None:
        # Accept the phase's plain value ("ontwerp") so declarations stay readable.
        if isinstance(self.phase, str) and not isinstance(self.phase, Phase) \
                and self.phase in Phase._value2member_map_:
            object.__setattr__(self, "phase", Phase(self.phase))


@dataclass(frozen=True)
class Transition:
    """A step from any of ``source`` to ``target``.

    ``permission`` is the permission string the user needs. ``guards`` and ``effects`` name the
    core's checks and effects the caller resolves for this step; plugins add theirs through
    hooks. The engine does not interpret these names.
    """

    name: str
    source: tuple[str, ...]
    target: str
    label: Any
    permission: str = "edit"
    fields: tuple[Field, ...] = ()
    guards: tuple[str, ...] = ()
    effects: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("source", "fields", "guards", "effects"):
            object.__setattr__(self, name, _as_tuple(getattr(self, name)))


@dataclass(frozen=True)
class Workflow:
    """A named set of states and transitions; ``name`` is ``<owner>`` or ``<owner>.<local>``.

    The owner (``core`` or a plugin's name) prefixes every state code and transition name, so
    two plugins never claim the same state. Call :meth:`validate` once when the workflow is
    registered; the lookups below assume a valid workflow.
    """

    name: str
    label: Any
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    initial: str

    def __post_init__(self) -> None:
        for name in ("states", "transitions"):
            object.__setattr__(self, name, _as_tuple(getattr(self, name)))

    @property
    def owner(self) -> str:
        """The part of the name before the first '.': ``core`` or a plugin's name."""
        return self.name.split(".", 1)[0]

    @cached_property
    def _states(self) -> dict[str, State]:
        found: dict[str, State] = {}
        for state in self.states:
            found.setdefault(state.code, state)
        return found

    @cached_property
    def _transitions(self) -> dict[str, Transition]:
        found: dict[str, Transition] = {}
        for transition in self.transitions:
            found.setdefault(transition.name, transition)
        return found

    def state(self, code: str) -> State:
        try:
            return self._states[code]
        except KeyError:
            raise UnknownState(self.name, code) from None

    def has_state(self, code: str) -> bool:
        return code in self._states

    def transition(self, name: str) -> Transition:
        try:
            return self._transitions[name]
        except KeyError:
            raise UnknownTransition(self.name, name) from None

    def has_transition(self, name: str) -> bool:
        return name in self._transitions

    def transitions_from(self, code: str) -> list[Transition]:
        """The transitions whose source includes ``code``, in declared order."""
        self.state(code)  # an unknown state is a data problem, not "no way out"
        return [t for t in self.transitions if code in t.source]

    def phase_of(self, code: str) -> Phase:
        return self.state(code).phase

    def _step(self, step: Transition | str) -> Transition:
        return self.transition(step) if isinstance(step, str) else step

    def target_phase(self, step: Transition | str) -> Phase:
        """The phase a step (a transition or its name) leads into: a guard asking "does this
        enter phase vastgesteld?" works the same for every workflow."""
        return self.phase_of(self._step(step).target)

    def source_phases(self, step: Transition | str) -> tuple[Phase, ...]:
        """The phases of a step's source states, in declared order, without repeats."""
        return tuple(dict.fromkeys(self.phase_of(code) for code in self._step(step).source))

    def enters_phase(self, step: Transition | str, phase: Phase | str) -> bool:
        """Whether the step leads into ``phase`` from a state outside it."""
        transition = self._step(step)
        return self.target_phase(transition) == phase and \
            any(self.phase_of(code) != phase for code in transition.source)

    def validate(self) -> Workflow:
        """Raise :class:`WorkflowDefinitionError` listing every problem; return self if none."""
        validate_workflow(self)
        return self


def _prefixed(value: Any, owner: str) -> bool:
    return isinstance(value, str) and value.startswith(f"{owner}.") \
        and len(value) > len(owner) + 1


def _duplicates(values: Iterable[Any]) -> list[Any]:
    seen: set[Any] = set()
    repeated: list[Any] = []
    for value in values:
        if value in seen and value not in repeated:
            repeated.append(value)
        seen.add(value)
    return repeated


def _field_problems(transition: Transition) -> list[str]:
    problems: list[str] = []
    fields = transition.fields if isinstance(transition.fields, tuple) else ()
    for field in fields:
        if not isinstance(field, Field):
            problems.append(f"transition {transition.name!r} has a field that is not a Field: "
                            f"{field!r}")
            continue
        if not (isinstance(field.name, str) and field.name.isidentifier()):
            problems.append(f"transition {transition.name!r} has a field named {field.name!r}; "
                            "use a Python identifier")
        if field.kind not in FIELD_KINDS:
            problems.append(f"field {field.name!r} of transition {transition.name!r} has kind "
                            f"{field.kind!r}; use one of {', '.join(sorted(FIELD_KINDS))}")
    names = [f.name for f in fields if isinstance(f, Field)]
    problems += [f"transition {transition.name!r} repeats field {name!r}"
                 for name in _duplicates(names)]
    return problems


def _reachable(workflow: Workflow) -> set[str]:
    reached = {workflow.initial}
    queue = deque([workflow.initial])
    while queue:
        code = queue.popleft()
        for transition in workflow.transitions:
            if isinstance(transition.source, tuple) and code in transition.source \
                    and transition.target not in reached:
                reached.add(transition.target)
                queue.append(transition.target)
    return reached


def validate_workflow(workflow: Workflow) -> None:
    """Check a workflow's declaration; raise one error naming the workflow and every problem.

    Runs at start-up for each registered workflow, so a plugin's mistake stops the app with a
    message the plugin's author can act on instead of surfacing on some plan page later.
    """
    name = workflow.name
    if not isinstance(name, str) or not name or name.startswith("."):
        raise WorkflowDefinitionError(str(name), ["the name must be '<owner>' or "
                                                  "'<owner>.<local>'"])
    owner = workflow.owner
    problems: list[str] = []

    codes = [s.code for s in workflow.states]
    problems += [f"state {code!r} is declared more than once" for code in _duplicates(codes)]
    for state in workflow.states:
        if not _prefixed(state.code, owner):
            problems.append(f"state {state.code!r} must be named '{owner}.<state>'")
        if not isinstance(state.phase, Phase):
            problems.append(f"state {state.code!r} has no phase (got {state.phase!r}); use one of "
                            f"{', '.join(PHASES)}")
    known = set(codes)
    if workflow.initial not in known:
        problems.append(f"initial state {workflow.initial!r} is not one of its states")

    names = [t.name for t in workflow.transitions]
    problems += [f"transition {n!r} is declared more than once" for n in _duplicates(names)]
    for transition in workflow.transitions:
        if not _prefixed(transition.name, owner):
            problems.append(f"transition {transition.name!r} must be named "
                            f"'{owner}.<transition>'")
        if not isinstance(transition.source, tuple) or not transition.source:
            problems.append(f"transition {transition.name!r} has no source states")
        else:
            problems += [f"transition {transition.name!r} starts from unknown state {code!r}"
                         for code in transition.source if code not in known]
        if transition.target not in known:
            problems.append(f"transition {transition.name!r} leads to unknown state "
                            f"{transition.target!r}")
        if not isinstance(transition.permission, str) or not transition.permission:
            problems.append(f"transition {transition.name!r} has no permission")
        problems += _field_problems(transition)

    if workflow.initial in known:
        reached = _reachable(workflow)
        problems += [f"state {code!r} cannot be reached from {workflow.initial!r}"
                     for code in dict.fromkeys(codes) if code not in reached]
    if problems:
        raise WorkflowDefinitionError(name, problems)
