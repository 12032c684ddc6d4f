"""Taking a step through a plan's workflow: the core's guards and effects, the history record
and the audit event, around the pure engine in :mod:`app.workflow`.

Guards and effects are looked up by name; an unknown name refuses the step (fail closed).
Effects run inside the step's transaction: when one fails, the caller rolls everything back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app.audit.services import audit
from app.database import db, utcnow
from app.errors import DomainError, ReadOnly, check_version
from app.permissions import ROLE_PERMISSIONS, Role
from app.plans import revisions
from app.plans.models import Action, Plan, Section, Theme
from app.plans.models import Transition as TransitionRecord
from app.translate import lazy_gettext as _l
from app.workflow import (
    EngineMessages,
    NamedCheck,
    NamedEffect,
    Refusal,
    Transition,
    TransitionRefused,
    Workflow,
    WorkflowDefinitionError,
    check_transition,
    perform_transition,
)


def workflows() -> dict[str, Workflow]:
    """Every workflow: the core's and the enabled plugins' (``workflows`` hook), validated
    once per app — see :func:`check_workflows`."""
    found = current_app.extensions.get("koers_workflows")
    if found is None:
        found = check_workflows(current_app.extensions["koers_plugins"])
        current_app.extensions["koers_workflows"] = found
    return found


def check_workflows(manager: Any) -> dict[str, Workflow]:
    """Collect and validate the workflows at start-up: each must be valid and owned by the
    plugin that defines it (``<plugin>.…``), so a mistake stops the app naming the plugin."""
    found: dict[str, Workflow] = {}
    for plugin, result in manager.call_each("workflows"):
        for workflow in result or []:
            if workflow.owner != plugin:
                raise WorkflowDefinitionError(
                    workflow.name, [f"defined by the plugin '{plugin}', so its name must start "
                                    f"with '{plugin}.'"])
            workflow.validate()
            found.setdefault(workflow.name, workflow)
    return found


def workflow_of(plan: Plan) -> Workflow | None:
    """The plan's workflow, or None when it is not available (its plugin was disabled): the
    plan is then read-only and shows its stored state."""
    return workflows().get(plan.workflow)


def messages() -> EngineMessages:
    return EngineMessages(
        unknown_transition=str(_l("The step “%(transition)s” does not exist in "
                                  "“%(workflow)s”.")),
        wrong_state=str(_l("“%(transition)s” is not possible from “%(state)s”; it is possible "
                           "from: %(sources)s.")),
        missing_permission=str(_l("You may not take the step “%(transition)s”.")),
        missing_field=str(_l("Enter “%(label)s”.")),
        not_a_date=str(_l("“%(label)s” must be a date.")),
        guard_failed=str(_l("The check by “%(source)s” failed, so “%(transition)s” cannot be "
                            "taken now. The error has been logged.")),
    )


# --- the core's guards and effects (registered through app/plans/hooks.py) ----------

def _count(model: Any, plan: Plan) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(
        model.plan_id == plan.id)) or 0


def _has_text(plan: Plan) -> list[str]:
    has_body = db.session.scalar(select(func.count()).select_from(Section).where(
        Section.plan_id == plan.id, Section.body != "")) or 0
    return [] if has_body else [str(_l("The plan has no text yet: write at least one "
                                       "section."))]


def _has_themes(plan: Plan) -> list[str]:
    return [] if _count(Theme, plan) else [str(_l("The plan has no themes yet."))]


def _has_sponsor(plan: Plan) -> list[str]:
    return [] if plan.sponsor_id else [str(_l("The plan has no opdrachtgever yet."))]


def _has_actions(plan: Plan) -> list[str]:
    return [] if _count(Action, plan) else [
        str(_l("The implementation programme has no actions yet."))]


GUARDS: dict[str, Callable[[Plan], list[str]]] = {
    "core.has_text": _has_text,
    "core.has_themes": _has_themes,
    "core.has_sponsor": _has_sponsor,
    "core.has_actions": _has_actions,
}


def _revision(name: str, label: Any) -> Callable[[Plan, Any], None]:
    def take(plan: Plan, actor: Any) -> None:
        revisions.take_revision(plan, name, str(label), actor=actor)
    return take


EFFECTS: dict[str, Callable[[Plan, Any], None]] = {
    "core.revision_ontwerp": _revision("ontwerp", _l("Draft (ontwerp)")),
    "core.revision_vastgesteld": _revision("vastgesteld", _l("Adopted (vastgesteld)")),
}


def core_guards(plan: Plan, transition: Transition) -> list[str]:
    """The ``core.*`` guards ``transition`` names; an unknown one refuses (fail closed)."""
    messages: list[str] = []
    for name in transition.guards:
        if _owner(name) != "core":
            continue
        guard = GUARDS.get(name)
        messages += guard(plan) if guard else [_unavailable(name)]
    return messages


def core_effects(plan: Plan, transition: Transition, user: Any) -> None:
    for name in transition.effects:
        if _owner(name) == "core":
            effect = EFFECTS.get(name)
            if effect is None:
                raise DomainError(_unavailable(name))
            effect(plan, user)


def _owner(name: str) -> str:
    return name.split(".", 1)[0]


def _unavailable(name: str) -> str:
    return str(_l("The check “%(name)s” is not available; the step is refused until it is.",
                  name=name))


def _guards(plan: Plan, transition: Transition | None, user: Any,
            values: Mapping[str, Any]) -> list[NamedCheck]:
    """Every implementation of ``transition_guards``, each judged on its own; plus a refusal
    for guards named by the step whose plugin is not enabled."""
    if transition is None:
        return []
    manager = current_app.extensions["koers_plugins"]
    checks = [NamedCheck(plugin, check) for plugin, check in manager.implementations(
        "transition_guards", plan=plan, transition=transition, user=user, values=values)]
    present = {"core", *manager.enabled}
    missing = [name for name in transition.guards if _owner(name) not in present]
    if missing:
        checks.append(NamedCheck("core", lambda: [_unavailable(name) for name in missing]))
    return checks


def _effects(plan: Plan, transition: Transition, user: Any,
             values: Mapping[str, Any]) -> list[NamedEffect]:
    manager = current_app.extensions["koers_plugins"]
    return [NamedEffect(plugin, run) for plugin, run in manager.implementations(
        "transition_effects", plan=plan, transition=transition, user=user, values=values)]


def permissions_of(user: Any) -> set[str]:
    if user is None:
        return set()
    return {str(p) for p in ROLE_PERMISSIONS.get(Role(user.role), frozenset())}


def refusals(plan: Plan, name: str, user: Any, values: Mapping[str, Any]) -> list[Refusal]:
    """Every reason why ``user`` cannot take step ``name`` now (empty: it can)."""
    workflow = _workflow_or_refuse(plan)
    transition = workflow.transition(name) if workflow.has_transition(name) else None
    return check_transition(workflow, plan.state, name, permissions=permissions_of(user),
                            values=values, guards=_guards(plan, transition, user, values),
                            messages=messages())


def _workflow_or_refuse(plan: Plan) -> Workflow:
    workflow = workflow_of(plan)
    if workflow is None:
        raise ReadOnly(str(_l("The workflow of this plan is not available (its plugin is "
                              "not enabled), so the plan cannot change state.")))
    if plan.archived:
        raise ReadOnly(str(_l("An archived plan cannot change state.")))
    return workflow


def take(plan: Plan, name: str, *, user: Any, values: Mapping[str, Any] | None = None,
         expected_version: int | None = None) -> TransitionRecord:
    """Take step ``name``: check everything, run its effects, record it in the history and
    the audit trail. Raises :class:`TransitionRefused` listing every unmet condition; the
    caller commits, or rolls back on any exception."""
    check_version(plan, expected_version)
    values = dict(values or {})
    workflow = _workflow_or_refuse(plan)
    transition = workflow.transition(name) if workflow.has_transition(name) else None
    taken = perform_transition(
        workflow, plan.state, name, permissions=permissions_of(user), values=values,
        guards=_guards(plan, transition, user, values),
        effects=_effects(plan, transition, user, values) if transition else [],
        messages=messages())
    old_state = plan.state
    decided_on = values.get("decided_on")
    note = values.get("note") or None
    record = TransitionRecord(
        plan_id=plan.id, name=taken.name, from_state=old_state, to_state=taken.target,
        actor_id=getattr(user, "id", None), decided_on=decided_on, recorded_at=utcnow(),
        fields={key: value.isoformat() if hasattr(value, "isoformat") else value
                for key, value in values.items() if key not in ("decided_on", "note")},
        note=note)
    db.session.add(record)
    plan.state, plan.phase = taken.target, str(workflow.phase_of(taken.target))
    db.session.flush()
    audit("transition", plan, actor=user, changes={
        "state": {"old": old_state, "new": taken.target},
        **({"decided_on": {"old": None, "new": decided_on}} if decided_on else {})})
    return record


def after_commit(plan: Plan, record: TransitionRecord, user: Any) -> None:
    """Tell the plugins (``after_transition``) once the step is saved; their failures are
    logged and change nothing."""
    workflow = workflow_of(plan)
    if workflow is None or not workflow.has_transition(record.name):
        return
    current_app.extensions["koers_plugins"].call_each(
        "after_transition", isolate=True, plan=plan, transition=workflow.transition(record.name),
        user=user, record=record)


def history(plan: Plan) -> list[TransitionRecord]:
    from sqlalchemy.orm import joinedload

    return list(db.session.scalars(
        select(TransitionRecord).where(TransitionRecord.plan_id == plan.id)
        .options(joinedload(TransitionRecord.actor))
        .order_by(TransitionRecord.recorded_at, TransitionRecord.id)))


__all__ = ["TransitionRefused", "after_commit", "history", "refusals", "take", "workflow_of",
           "workflows"]
