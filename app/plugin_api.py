"""The stable plugin API: everything a municipality plugin may import from Koers.

Plugins import only this module (an import-linter contract enforces it). Its version is
``API_VERSION``; a plugin declares the range it supports at module level::

    koers_api = ">=1.0,<2"

Anything not exported here is internal and may change without notice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint
from flask import render_template as _flask_render_template

from app.audit.services import audit, diff, recorded_changes
from app.config import Municipality
from app.consultations.models import Consultation, ConsultationTable, Input, Registration
from app.consultations.notice import generate_notice
from app.consultations.services import GROUPS as PARTICIPANT_GROUPS
from app.consultations.services import (
    ConsultationData,
    ConsultationFormat,
    InputKind,
    create_consultation,
    input_kinds,
    open_inputs,
)
from app.consultations.services import default_group as participant_group
from app.database import UTCDateTime, db, utcnow
from app.errors import DomainError
from app.form_fields import DomainForm, MultiCheckboxField
from app.jobs.services import JobContext, enqueue, job
from app.labels import register as register_label
from app.money_fields import EuroField
from app.permissions import Permission, Role, has_permission, login_required, public, require
from app.plans.models import Action, Goal, Plan, Theme
from app.plans.services import PlanKind
from app.plugins.hookspecs import hookimpl
from app.plugins.manager import API_VERSION
from app.plugins.settings import Setting
from app.plugins.translations import PluginTranslations, plugin_domain
from app.plugins.ui import SLOTS, NavItem, SlotContent, Widget
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import Category
from app.workflow import Field, Phase, State, Transition, Workflow

Model = db.Model

__all__ = [
    "API_VERSION",
    "PARTICIPANT_GROUPS",
    "SLOTS",
    "Action",
    "Category",
    "Consultation",
    "ConsultationData",
    "ConsultationFormat",
    "ConsultationTable",
    "DomainError",
    "DomainForm",
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
    "Registration",
    "Role",
    "Setting",
    "SlotContent",
    "Stakeholder",
    "State",
    "Theme",
    "Transition",
    "UTCDateTime",
    "Widget",
    "Workflow",
    "audit",
    "create_consultation",
    "current_municipality",
    "db",
    "diff",
    "enqueue",
    "generate_notice",
    "has_permission",
    "hookimpl",
    "input_kinds",
    "job",
    "login_required",
    "open_inputs",
    "participant_group",
    "plugin_settings",
    "public",
    "recorded_changes",
    "register_label",
    "render_template",
    "require",
    "utcnow",
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
