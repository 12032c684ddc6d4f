"""The workflow engine: plan states and transitions as plain data, and the rules for taking one.

Pure Python on purpose — no Flask, no database — so the plans service and plugins share one
tested set of rules. See ``definitions`` for declaring a workflow and ``engine`` for checking
and performing a transition.
"""

from __future__ import annotations

from app.workflow.definitions import (
    FIELD_KINDS,
    PHASES,
    Field,
    FieldKind,
    Phase,
    State,
    Transition,
    UnknownState,
    UnknownTransition,
    Workflow,
    WorkflowDefinitionError,
    validate_workflow,
)
from app.workflow.engine import (
    CORE,
    DEFAULT_MESSAGES,
    EffectFailed,
    EffectRun,
    EngineMessages,
    GuardCheck,
    NamedCheck,
    NamedEffect,
    Refusal,
    TransitionRefused,
    available_transitions,
    check_transition,
    perform_transition,
)

__all__ = [
    "CORE",
    "DEFAULT_MESSAGES",
    "FIELD_KINDS",
    "PHASES",
    "EffectFailed",
    "EffectRun",
    "EngineMessages",
    "Field",
    "FieldKind",
    "GuardCheck",
    "NamedCheck",
    "NamedEffect",
    "Phase",
    "Refusal",
    "State",
    "Transition",
    "TransitionRefused",
    "UnknownState",
    "UnknownTransition",
    "Workflow",
    "WorkflowDefinitionError",
    "available_transitions",
    "check_transition",
    "perform_transition",
    "validate_workflow",
]
