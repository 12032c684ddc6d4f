"""The stable plugin API: everything a municipality plugin may import from Koers.

Plugins import only this module (an import-linter contract enforces it). Its version is
``API_VERSION``; a plugin declares the range it supports at module level::

    koers_api = ">=1.3,<2"

Anything not exported here is internal and may change without notice. Plugins read core
records (the models, the read helpers below) but never write core tables directly: they go
through the exported services, so the audit trail, locking and checks stay whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from flask import Blueprint
from flask import render_template as _flask_render_template
from sqlalchemy import select

from app.audit.services import audit, diff, recorded_changes
from app.consultations.inputs.models import Input
from app.consultations.inputs.services import GROUPS as PARTICIPANT_GROUPS
from app.consultations.inputs.services import InputKind, input_kinds, open_inputs
from app.consultations.inputs.services import default_group as participant_group
from app.consultations.models import Consultation, ConsultationTable, Registration
from app.consultations.notice import generate_notice
from app.consultations.services import ConsultationData, ConsultationFormat, create_consultation
from app.database import UTCDateTime, db, utcnow
from app.edits import conflict_page as _conflict_page
from app.edits import current_actor, form_errors, posted_version, posted_versions, versions_value
from app.errors import DomainError, EditConflict, ReadOnly, check_version
from app.forms import ConfirmForm, DomainForm, EuroField, MultiCheckboxField
from app.jobs.services import JobContext, enqueue, job
from app.labels import register as register_label
from app.municipality import Municipality
from app.permissions import Permission, Role, has_permission, login_required, public, require
from app.plans.models import Action, Goal, Plan, Theme
from app.plans.programme.services import themes_of as _themes_of
from app.plans.services import PlanKind
from app.plans.transitions import workflow_of
from app.plans.workflow import DEFAULT_WORKFLOW, DefaultState, DefaultStep
from app.plugins.hookspecs import hookimpl
from app.plugins.manager import API_VERSION
from app.plugins.settings import Setting
from app.plugins.translations import PluginTranslations, plugin_domain
from app.plugins.types import NavItem, SlotContent, ThemeStylesheet, Widget
from app.plugins.ui import SLOTS
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import Category
from app.workflow import Field, Phase, State, Transition, Workflow

Model = db.Model

__all__ = [
    "API_VERSION",
    "CORE_ENDPOINTS",
    "DEFAULT_WORKFLOW",
    "PARTICIPANT_GROUPS",
    "SLOTS",
    "Action",
    "Category",
    "ConfirmForm",
    "Consultation",
    "ConsultationData",
    "ConsultationFormat",
    "ConsultationTable",
    "DefaultState",
    "DefaultStep",
    "DomainError",
    "DomainForm",
    "EditConflict",
    "EuroField",
    "Field",
    "Goal",
    "Input",
    "InputKind",
    "JobContext",
    "Model",
    "MultiCheckboxField",
    "Municipality",
    "NavItem",
    "Permission",
    "Phase",
    "Plan",
    "PlanKind",
    "PluginBlueprint",
    "PluginTranslations",
    "ReadOnly",
    "Registration",
    "Role",
    "Setting",
    "SlotContent",
    "Stakeholder",
    "State",
    "Theme",
    "ThemeStylesheet",
    "Transition",
    "UTCDateTime",
    "Widget",
    "Workflow",
    "actions_of",
    "audit",
    "check_version",
    "conflict_page",
    "consultations_of",
    "create_consultation",
    "current_actor",
    "current_municipality",
    "db",
    "diff",
    "enqueue",
    "form_errors",
    "generate_notice",
    "goals_of",
    "has_permission",
    "hookimpl",
    "input_kinds",
    "inputs_of",
    "job",
    "login_required",
    "open_inputs",
    "participant_group",
    "plugin_settings",
    "posted_version",
    "posted_versions",
    "public",
    "recorded_changes",
    "register_label",
    "render_template",
    "require",
    "themes_of",
    "utcnow",
    "versions_value",
    "workflow_of",
]


class PluginBlueprint(Blueprint):
    """A plugin's blueprint: named after the plugin, mounted at ``/p/<name>/``, with the
    plugin's ``static/`` folder at ``/p/<name>/static/``. Templates live in the plugin's
    ``templates/<name>/`` and are found by the core's loader."""

    def __init__(self, name: str, import_name: str, **kwargs: Any) -> None:
        package_dir = Path(__import__(import_name, fromlist=["_"]).__file__ or "").parent
        static = package_dir / "static"
        kwargs.setdefault("url_prefix", f"/p/{name}")
        if static.is_dir():
            kwargs.setdefault("static_folder", str(static))
            kwargs.setdefault("static_url_path", "/static")
        super().__init__(name, import_name, **kwargs)


def render_template(template: str, **context: Any) -> str:
    """Render ``<plugin>/…html`` with the plugin's translation domain."""
    plugin = template.split("/", 1)[0]
    with plugin_domain(plugin):
        return _flask_render_template(template, **context)


def current_municipality() -> Municipality:
    """The municipality this instance serves (name, locale, time zone, branding, procedure)."""
    from flask import current_app

    return current_app.config["KOERS_MUNICIPALITY"]


def plugin_settings(plugin: str) -> dict[str, Any]:
    """The validated settings of ``plugin`` (declared defaults, ``[plugins.<name>]``, env)."""
    from flask import current_app

    return dict(current_app.extensions["koers_plugins"].plugins[plugin].settings)


#: Bounds of the read helpers: a plugin's page lists at most this many rows unless it asks
#: for fewer (or pages itself).
_MAX_ROWS = 500

#: The core pages a plugin may link to with ``url_for``: endpoint -> the URL arguments it
#: takes. These names stay stable within API 1.x (a test pins each against the app's routes).
CORE_ENDPOINTS: dict[str, tuple[str, ...]] = {
    "main.dashboard": (),
    "plans.index": (),
    "plans.show": ("plan_id",),
    "plans.text": ("plan_id",),
    "plans.programme": ("plan_id",),
    "plans.involvement": ("plan_id",),
    "plans.history": ("plan_id",),
    "plans.revisions_page": ("plan_id",),
    "plans.show_action": ("plan_id", "action_id"),
    "consultations.for_plan": ("plan_id",),
    "consultations.coverage": ("plan_id",),
    "consultations.show": ("consultation_id",),
    "consultations.inputs": ("consultation_id",),
    "consultations.show_input": ("input_id",),
    "stakeholders.index": (),
    "stakeholders.show": ("stakeholder_id",),
}


def conflict_page(template: str, rows: Any, **kwargs: Any) -> tuple[str, int]:
    """The conflict page (status 409, nothing saved) rendered from the plugin's own template
    in the plugin's translation domain; see :func:`app.edits.conflict_page` for the
    arguments (``rows`` returns ``(label, current value, submitted value)`` triples)."""
    plugin = template.split("/", 1)[0]
    with plugin_domain(plugin):
        return _conflict_page(template, rows, **kwargs)


def _bounded(limit: int | None) -> int:
    return _MAX_ROWS if limit is None else max(0, min(limit, _MAX_ROWS))


def themes_of(plan: Plan) -> list[Theme]:
    """The plan's themes in their order."""
    return _themes_of(plan)[:_MAX_ROWS]


def goals_of(record: Plan | Theme, *, limit: int | None = None) -> list[Goal]:
    """The goals of a theme, or of every theme of a plan, in the programme's order."""
    query = select(Goal).join(Theme, Theme.id == Goal.theme_id)
    if isinstance(record, Theme):
        query = query.where(Goal.theme_id == record.id)
    else:
        query = query.where(Theme.plan_id == record.id)
    return list(db.session.scalars(query.order_by(Theme.position, Theme.id, Goal.position,
                                                  Goal.id).limit(_bounded(limit))))


def actions_of(plan: Plan, *, limit: int | None = None) -> list[Action]:
    """The plan's actions (its implementation programme) in their order."""
    return list(db.session.scalars(
        select(Action).where(Action.plan_id == plan.id)
        .order_by(Action.position, Action.id).limit(_bounded(limit))))


def consultations_of(plan: Plan, *, include_archived: bool = False,
                     limit: int | None = None) -> list[Consultation]:
    """The plan's consultations, earliest first (those without a date last)."""
    query = select(Consultation).where(Consultation.plan_id == plan.id)
    if not include_archived:
        query = query.where(Consultation.archived.is_(False))
    moment = Consultation.starts_at.is_(None), Consultation.starts_at
    return list(db.session.scalars(query.order_by(*moment, Consultation.published_on,
                                                  Consultation.id).limit(_bounded(limit))))


def inputs_of(consultation: Consultation, *, kinds: Sequence[str] | None = None,
              limit: int | None = 100) -> list[Input]:
    """A consultation's inputs by number (at most ``limit``, capped at 500),
    optionally only those of ``kinds``."""
    query = select(Input).where(Input.consultation_id == consultation.id)
    if kinds:
        query = query.where(Input.kind.in_(list(kinds)))
    return list(db.session.scalars(query.order_by(Input.number).limit(_bounded(limit))))
