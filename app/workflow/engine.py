"""The workflow engine: may this transition be taken now, and take it.

The engine knows nothing of plans, users, HTTP or the database. The caller (the plans service)
hands it what it needs as plain values — the user's permission strings, the declared field
values (already parsed by the form) and the guards and effects gathered from the core and the
plugins, each named by its source — so the rules can be tested without an app and a plugin can
never skip them. It reports *every* unmet condition at once, so the user can fix them in one go,
and fails closed: a guard that raises refuses the transition and names its source.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.errors import DomainError
from app.workflow.definitions import Field, Transition, Workflow

log = logging.getLogger(__name__)

CORE = "core"
"""The source of the engine's own refusals."""

GuardCheck = Callable[[], Iterable[str] | str | None]
"""A guard: returns the unmet conditions as messages, or ``None``/nothing when all is well."""
EffectRun = Callable[[], None]


@dataclass(frozen=True)
class NamedCheck:
    """A guard and who supplied it (``"core"`` or a plugin's name), so a refusal names it."""

    source: str
    check: GuardCheck


@dataclass(frozen=True)
class NamedEffect:
    """An effect of a transition and who supplied it; runs inside the caller's transaction."""

    source: str
    run: EffectRun


@dataclass(frozen=True)
class Refusal:
    """One unmet condition: who said no, the user-facing message, and the field it concerns."""

    source: str
    message: str
    field: str | None = None


@dataclass(frozen=True)
class EngineMessages:
    """The engine's own messages as %-format strings; pass translated ones to localise them.

    Keys available: ``unknown_transition``: transition (name), workflow (label);
    ``wrong_state``: transition, state, sources (labels; sources joined by ", ");
    ``missing_permission``: transition (label), permission; ``missing_field`` and
    ``not_a_date``: label (the field's), field (its name), transition (label);
    ``guard_failed``: source, transition (label). Unused keys are fine.
    """

    unknown_transition: str = "The step “%(transition)s” does not exist in “%(workflow)s”."
    wrong_state: str = ("“%(transition)s” is not possible from “%(state)s”; "
                        "it is possible from: %(sources)s.")
    missing_permission: str = "You lack the permission “%(permission)s” for “%(transition)s”."
    missing_field: str = "“%(label)s” is required."
    not_a_date: str = "“%(label)s” must be a date."
    guard_failed: str = ("The check by “%(source)s” failed, so “%(transition)s” cannot be taken "
                         "now. The error has been logged.")


DEFAULT_MESSAGES = EngineMessages()


class TransitionRefused(DomainError):
    """The transition may not be taken; ``refusals`` lists every reason."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        self.refusals = list(refusals)
        super().__init__(" ".join(r.message for r in self.refusals))


class EffectFailed(Exception):
    """An effect raised; the caller must roll back the transition's transaction."""

    def __init__(self, source: str, original: BaseException) -> None:
        super().__init__(f"effect of {source!r} failed: {original!r}")
        self.source = source
        self.original = original


def _state_label(workflow: Workflow, code: str) -> str:
    return str(workflow.state(code).label) if workflow.has_state(code) else code


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_date(value: Any) -> bool:
    # datetime is a subclass of date, but a moment is not a decision date: comparing the two
    # raises later, far from the mistake.
    return isinstance(value, date) and not isinstance(value, datetime)


def _field_params(field: Field, transition: Transition) -> dict[str, Any]:
    return {"label": str(field.label), "field": field.name, "transition": str(transition.label)}


def _field_refusals(transition: Transition, values: Mapping[str, Any],
                    messages: EngineMessages) -> list[Refusal]:
    refusals = []
    for field in transition.fields:
        value = values.get(field.name)
        params = _field_params(field, transition)
        if _is_empty(value):
            if field.required:
                refusals.append(Refusal(CORE, messages.missing_field % params, field.name))
        elif field.kind == "date" and not _is_date(value):
            refusals.append(Refusal(CORE, messages.not_a_date % params, field.name))
    return refusals


def _guard_refusals(transition: Transition, guards: Sequence[NamedCheck],
                    messages: EngineMessages) -> list[Refusal]:
    refusals = []
    for guard in guards:
        try:
            result = guard.check()
            # A lone string is one message, not a sequence of letters.
            found = [result] if isinstance(result, str) else list(result or ())
        except Exception:
            log.exception("guard of %s failed checking transition %s", guard.source,
                          transition.name, extra={"plugin": guard.source})
            params = {"source": guard.source, "transition": str(transition.label)}
            refusals.append(Refusal(guard.source, messages.guard_failed % params))
            continue
        refusals += [Refusal(guard.source, str(message)) for message in found]
    return refusals


def check_transition(workflow: Workflow, current_state: str, transition_name: str, *,
                     permissions: Collection[str], values: Mapping[str, Any],
                     guards: Sequence[NamedCheck],
                     messages: EngineMessages | None = None) -> list[Refusal]:
    """Every reason why ``transition_name`` cannot be taken from ``current_state``; empty if
    it can.

    In order: the transition is unknown (then nothing else is checked); the current state is
    not among its sources; the user lacks its permission; each required field is missing or
    empty in ``values`` (``None`` or blank text); each date field holds no ``datetime.date``;
    then every guard, in the order given. A guard that raises refuses in its source's name and
    is logged; the exception does not propagate.
    """
    messages = messages or DEFAULT_MESSAGES
    if not workflow.has_transition(transition_name):
        params = {"transition": transition_name, "workflow": str(workflow.label)}
        return [Refusal(CORE, messages.unknown_transition % params)]
    transition = workflow.transition(transition_name)
    label = str(transition.label)
    refusals: list[Refusal] = []
    if current_state not in transition.source:
        params = {"transition": label, "state": _state_label(workflow, current_state),
                  "sources": ", ".join(_state_label(workflow, s) for s in transition.source)}
        refusals.append(Refusal(CORE, messages.wrong_state % params))
    if transition.permission not in permissions:
        params = {"transition": label, "permission": transition.permission}
        refusals.append(Refusal(CORE, messages.missing_permission % params))
    refusals += _field_refusals(transition, values, messages)
    refusals += _guard_refusals(transition, guards, messages)
    return refusals


def perform_transition(workflow: Workflow, current_state: str, transition_name: str, *,
                       permissions: Collection[str], values: Mapping[str, Any],
                       guards: Sequence[NamedCheck], effects: Sequence[NamedEffect],
                       messages: EngineMessages | None = None) -> Transition:
    """Check, then run every effect in order and return the transition taken.

    Raises :class:`TransitionRefused` with every refusal, before any effect runs. An effect
    that raises stops the rest and surfaces as :class:`EffectFailed` naming its source; call
    this inside the transaction and roll back on it. Recording the history and setting the
    new state (``transition.target``) is the caller's job.
    """
    refusals = check_transition(workflow, current_state, transition_name,
                                permissions=permissions, values=values, guards=guards,
                                messages=messages)
    if refusals:
        raise TransitionRefused(refusals)
    transition = workflow.transition(transition_name)
    for effect in effects:
        try:
            effect.run()
        except Exception as error:
            raise EffectFailed(effect.source, error) from error
    return transition


def available_transitions(workflow: Workflow, current_state: str,
                          permissions: Collection[str]) -> list[Transition]:
    """The transitions the user may offer from ``current_state``, in declared order.

    Guards are not evaluated (they may be costly and their verdict can change); taking one
    still goes through :func:`check_transition`. Raises ``UnknownState`` for a state the
    workflow does not define.
    """
    return [t for t in workflow.transitions_from(current_state) if t.permission in permissions]
