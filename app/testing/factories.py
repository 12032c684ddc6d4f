"""Records for tests, made through the services as the pages make them (validated, audited,
never raw inserts), so a plugin's test starts from data the core itself could have written.

Each factory needs an app context (the ``app`` fixture gives one) and commits, so the test
client sees the result, and returns its record loaded, so reading it in the test costs no
query of its own (which would count in ``count_queries``). Names and texts have defaults;
pass what the test is about.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from app.auth import services as accounts
from app.consultations import services as consultations
from app.consultations.inputs.services import InputData, add_inputs
from app.database import db
from app.plans import services as plans
from app.plans import transitions
from app.plans.programme.services import add_goal, add_theme
from app.stakeholders import services as register
from app.testing.fixtures import TEST_PASSWORD


def _saved(record: Any) -> Any:
    db.session.commit()
    db.session.refresh(record)
    return record


def make_account(role: str = "editor", *, name: str | None = None) -> Any:
    """A staff account of ``role`` (``viewer``, ``editor``, ``admin``) that can sign in with
    ``TEST_PASSWORD``."""
    email = f"{role}-{uuid.uuid4().hex[:8]}@koers.example"
    return _saved(accounts.create_user(email, name or f"Test {role}", role,
                                       password=TEST_PASSWORD).user)


def make_stakeholder(name: str = "Wijkteam Noord", *, kind: str = "organisation",
                     categories: Sequence[str] = (), actor: Any = None,
                     **fields: Any) -> Any:
    """A stakeholder in the register (``kind`` ``person`` or ``organisation``); ``fields``
    are any other :class:`StakeholderData` fields (``email``, ``place``, …)."""
    return _saved(register.create(register.StakeholderData(
        name=name, kind=kind, categories=list(categories), **fields), actor=actor))


def make_plan(title: str = "Koersplan sociaal domein", *, kind: str = "beleidsplan",
              sections: Iterable[tuple[str, str]] = (("Inleiding", "Waar we staan."),),
              themes: Iterable[str] | Mapping[str, Sequence[str]] = ("Meedoen",),
              sponsor: Any = None, actor: Any = None, **fields: Any) -> Any:
    """A plan with its sections (title, text) and themes — names, or a mapping of each
    theme's name to the titles of its goals — in the initial state of the workflow its kind
    names; ``sponsor`` is a stakeholder (the default workflow's adoption asks for one);
    ``fields`` are any other :class:`PlanData` fields."""
    plan = plans.create_plan(plans.PlanData(
        title=title, kind=kind, sponsor_id=getattr(sponsor, "id", None), **fields),
        actor=actor)
    for section_title, body in sections:
        plans.add_section(plan, section_title, body, actor=actor)
    goals = themes if isinstance(themes, Mapping) else dict.fromkeys(themes, ())
    for name, titles in goals.items():
        theme = add_theme(plan, name, actor=actor)
        for goal in titles:
            add_goal(theme, goal, actor=actor)
    return _saved(plan)


def _filled(transition: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    filled = dict(values)
    for field in transition.fields:
        if field.required and field.name not in filled:
            filled[field.name] = date.today() if field.kind == "date" else "Test"
    return filled


def take_step(plan: Any, step: str, *, role: str = "editor", user: Any = None,
              values: Mapping[str, Any] | None = None) -> Any:
    """Take workflow step ``step`` as a new account of ``role`` (or as ``user``), through
    every check the plan page applies — guards and effects of the core and the plugins —
    and return the history record. Required fields the test leaves out get today's date
    or a text. A refused step raises ``TransitionRefused`` (its ``refusals`` say why) and
    changes nothing."""
    user = user or make_account(role)
    workflow = transitions.workflow_of(plan)
    known = workflow is not None and workflow.has_transition(step)
    given = _filled(workflow.transition(step), values or {}) if known else dict(values or {})
    try:
        record = transitions.take(plan, step, user=user, values=given)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    transitions.after_commit(plan, record, user)
    db.session.refresh(plan)
    db.session.refresh(record)
    return record


def make_consultation(plan: Any, title: str = "Wijkgesprek", *, format: str = "bijeenkomst",
                      inputs: Iterable[str] = (), kind: str = "idee", actor: Any = None,
                      **fields: Any) -> Any:
    """A consultation of ``plan`` with one input of ``kind`` per text in ``inputs``;
    ``fields`` are any other :class:`ConsultationData` fields (``starts_at``, ``location``,
    ``published_on`` for a ter-inzage period, …)."""
    consultation = consultations.create_consultation(
        plan, consultations.ConsultationData(title=title, format=format, **fields), actor=actor)
    texts = list(inputs)
    if texts:
        add_inputs(consultation, [InputData(original_text=text, kind=kind) for text in texts],
                   actor=actor)
    return _saved(consultation)
