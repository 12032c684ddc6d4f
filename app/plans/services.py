"""Rules of plans: kinds, validation, creating and editing plans and their text with
optimistic locking, archiving, the plan list's filters, and child plans.

The programme (themes, goals, actions, progress, involvement, roll-up) has its own rules in
:mod:`app.plans.programme.services`. Every change goes through
:func:`app.audit.services.audit`; a read-only plan (archived, or its workflow unavailable)
refuses every change with :class:`~app.errors.ReadOnly`. Services raise
:class:`~app.errors.DomainError` naming the field; a save based on an older version raises
:class:`~app.errors.EditConflict` and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload

from app import references
from app.audit.services import audit, recorded_changes
from app.database import db
from app.errors import DomainError, check_version
from app.plans import transitions
from app.plans.models import Law, Plan, PlanLaw, Section, Theme
from app.plans.rules import check_order, clean_text, clean_title, refuse_read_only
from app.plans.workflow import DEFAULT_WORKFLOW
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import normalise
from app.translate import lazy_gettext as _l
from app.workflow import Workflow


@dataclass(frozen=True)
class PlanKind:
    """A kind of plan. ``workflow`` names the workflow new plans of this kind follow; None
    means the core's default."""

    code: str
    label: Any
    workflow: str | None = None


#: The core's plan kinds; municipalities call some of them differently (terminology).
CORE_KINDS: tuple[PlanKind, ...] = (
    PlanKind("beleidsplan", _l("Policy plan (beleidsplan)")),
    PlanKind("beleidskader", _l("Policy framework (beleidskader)")),
    PlanKind("koersdocument", _l("Course document (koersdocument, koersplan)")),
    PlanKind("nota", _l("Policy note (nota)")),
    PlanKind("uitvoeringsprogramma", _l("Implementation programme (uitvoeringsprogramma)")),
)

LAW_LABELS: dict[str, Any] = {
    Law.WMO: _l("Wmo 2015"),
    Law.JEUGDWET: _l("Jeugdwet"),
    Law.PARTICIPATIEWET: _l("Participatiewet"),
    Law.WGS: _l("Wgs (debt help)"),
    Law.WET_INBURGERING: _l("Wet inburgering 2021"),
    Law.WPG: _l("Wpg (public health)"),
}


def kinds() -> dict[str, PlanKind]:
    """Every kind: the core's and the enabled plugins' (``plan_types`` hook); where two
    define the same code, the earlier (first enabled plugin, core last) wins."""
    found: dict[str, PlanKind] = {}
    for _plugin, result in reversed(current_app.extensions["koers_plugins"].call_each(
            "plan_types")):
        for kind in result or []:
            found[kind.code] = kind
    return found


# --- plans ----------------------------------------------------------------------------------

@dataclass
class PlanData:
    """What a form says about a plan."""

    title: str
    kind: str
    summary: str | None = None
    laws: list[str] = field(default_factory=list)
    period_start: date | None = None
    period_end: date | None = None
    owner_id: int | None = None
    sponsor_id: int | None = None
    parent_id: int | None = None
    parent_theme_id: int | None = None

    def cleaned(self, plan: Plan | None = None) -> PlanData:
        title = clean_title(self.title)
        if self.kind not in kinds():
            raise DomainError(str(_l("Choose a kind of plan.")), field="kind")
        unknown = sorted(set(self.laws) - set(LAW_LABELS))
        if unknown:
            raise DomainError(str(_l("Unknown law: %(codes)s.", codes=", ".join(unknown))),
                              field="laws")
        check_order(self.period_start, self.period_end, "period_end")
        if self.sponsor_id is not None:
            sponsor = db.session.get(Stakeholder, self.sponsor_id)
            if sponsor is None or sponsor.is_erased or sponsor.archived:
                raise DomainError(str(_l("Choose an opdrachtgever from the register.")),
                                  field="sponsor_id")
        if self.parent_theme_id is not None and self.parent_id is None:
            raise DomainError(str(_l("Choose the parent plan of this theme.")),
                              field="parent_id")
        if self.parent_id is not None:
            _check_parent(plan, self.parent_id, self.parent_theme_id)
        return PlanData(title=title, kind=self.kind, summary=clean_text(self.summary, 5000),
                        laws=sorted(set(self.laws)), period_start=self.period_start,
                        period_end=self.period_end, owner_id=self.owner_id,
                        sponsor_id=self.sponsor_id, parent_id=self.parent_id,
                        parent_theme_id=self.parent_theme_id)


def _check_parent(plan: Plan | None, parent_id: int, theme_id: int | None) -> None:
    parent = db.session.get(Plan, parent_id)
    if parent is None or parent.archived:
        raise DomainError(str(_l("Choose an existing plan as parent.")), field="parent_id")
    if plan is not None:
        # No cycles: the parent may not be the plan itself or one of its descendants.
        ancestor: Plan | None = parent
        while ancestor is not None:
            if ancestor.id == plan.id:
                raise DomainError(str(_l("A plan cannot be part of itself or of one of its "
                                         "own programmes.")), field="parent_id")
            ancestor = db.session.get(Plan, ancestor.parent_id) if ancestor.parent_id else None
    if theme_id is not None:
        theme = db.session.get(Theme, theme_id)
        if theme is None or theme.plan_id != parent_id:
            raise DomainError(str(_l("Choose a theme of the parent plan.")),
                              field="parent_theme_id")


_PLAN_FIELDS = ("title", "kind", "summary", "period_start", "period_end", "owner_id",
                "sponsor_id", "parent_id", "parent_theme_id")


def create_plan(data: PlanData, *, workflow: Workflow | None = None,
                actor: Any = None) -> Plan:
    """A new plan in the initial state of ``workflow``: by default the one its kind names,
    or the core's default workflow."""
    data = data.cleaned()
    if workflow is None:
        named = kinds()[data.kind].workflow
        workflow = transitions.workflows().get(named or DEFAULT_WORKFLOW.name, DEFAULT_WORKFLOW)
    plan = Plan(sort_title=normalise(data.title), workflow=workflow.name,
                state=workflow.initial, phase=str(workflow.phase_of(workflow.initial)),
                **{name: getattr(data, name) for name in _PLAN_FIELDS})
    plan.laws = [PlanLaw(law=law) for law in data.laws]
    db.session.add(plan)
    db.session.flush()
    audit("create", plan, actor=actor, changes={
        name: {"old": None, "new": getattr(data, name)} for name in _PLAN_FIELDS
        if getattr(data, name) not in (None, "")} | {
        "laws": {"old": None, "new": ", ".join(data.laws)}})
    return plan


def update_plan(plan: Plan, data: PlanData, *, expected_version: int | None = None,
                actor: Any = None) -> None:
    refuse_read_only(plan)
    check_version(plan, expected_version)
    data = data.cleaned(plan)
    old_laws = ", ".join(plan.law_codes)
    with recorded_changes(plan, (), {"version", "updated_at", "sort_title"}) as changes:
        for name in _PLAN_FIELDS:
            setattr(plan, name, getattr(data, name))
        plan.sort_title = normalise(data.title)
    if old_laws != ", ".join(data.laws):
        plan.laws = [PlanLaw(law=law) for law in data.laws]
        changes["laws"] = {"old": old_laws, "new": ", ".join(data.laws)}
    if changes:
        db.session.flush()
        audit("update", plan, actor=actor, changes=changes)


def set_archived(plan: Plan, archived: bool, *, actor: Any = None) -> None:
    if plan.archived != archived:
        plan.archived = archived
        audit("archive" if archived else "unarchive", plan, actor=actor,
              changes={"archived": {"old": not archived, "new": archived}})


def delete_or_archive(plan: Plan, *, actor: Any = None) -> bool:
    """Delete a plan nothing refers to (found through the foreign keys, plugin tables
    included); otherwise archive it, so nothing that depends on it is lost. True if deleted."""
    found = references.references("plans", plan.id, skip=("plan_laws",))
    if found:
        set_archived(plan, True, actor=actor)
        return False
    audit("delete", plan, actor=actor, changes={"title": {"old": plan.title, "new": None}})
    db.session.delete(plan)
    db.session.flush()
    return True


def get_plan(plan_id: int) -> Plan | None:
    return db.session.get(Plan, plan_id)


# --- sections -------------------------------------------------------------------------------

def add_section(plan: Plan, title: str, body: str = "", *, actor: Any = None) -> Section:
    refuse_read_only(plan)
    position = (db.session.scalar(select(func.max(Section.position)).where(
        Section.plan_id == plan.id)) or 0) + 1
    section = Section(plan_id=plan.id, position=position, title=clean_title(title),
                      body=(body or "").strip())
    db.session.add(section)
    db.session.flush()
    audit("add_section", plan, actor=actor,
          changes={"section": {"old": None, "new": section.title}})
    return section


def update_section(section: Section, title: str, body: str, *,
                   expected_version: int | None = None, actor: Any = None) -> None:
    refuse_read_only(get_plan(section.plan_id))
    check_version(section, expected_version)
    title = clean_title(title)
    with recorded_changes(section, (), {"version", "updated_at"}) as changes:
        section.title, section.body = title, (body or "").strip()
    if changes:
        if "body" in changes:
            changes["body"] = {}  # the text itself is in the revisions, not the audit trail
        db.session.flush()
        audit("update_section", ("plans", section.plan_id), actor=actor,
              changes={"section": {"old": None, "new": section.id}} | changes)


def move_section(section: Section, offset: int, *, actor: Any = None) -> None:
    """Move a section up (offset -1) or down (+1) among its plan's sections."""
    refuse_read_only(get_plan(section.plan_id))
    sections = list(db.session.scalars(select(Section).where(
        Section.plan_id == section.plan_id).order_by(Section.position, Section.id)))
    index = sections.index(section)
    other = index + offset
    if 0 <= other < len(sections):
        sections[index], sections[other] = sections[other], sections[index]
        table = Section.__table__
        for position, item in enumerate(sections, start=1):
            if item.position != position:
                # Not through the ORM: moving is no edit of the text, so the section's version
                # stays and nobody editing its text meets a conflict.
                db.session.execute(table.update().where(table.c.id == item.id)
                                   .values(position=position))
                db.session.expire(item, ["position"])
        audit("move_section", ("plans", section.plan_id), actor=actor,
              changes={"section": {"old": None, "new": section.id}})


def delete_section(section: Section, *, actor: Any = None) -> None:
    """Remove a section from the text; the revisions keep what it said."""
    refuse_read_only(get_plan(section.plan_id))
    plan_id, title = section.plan_id, section.title
    db.session.delete(section)
    db.session.flush()
    audit("delete_section", ("plans", plan_id), actor=actor,
          changes={"section": {"old": title, "new": None}})


def sections_of(plan: Plan) -> list[Section]:
    return list(db.session.scalars(select(Section).where(Section.plan_id == plan.id)
                                   .order_by(Section.position, Section.id)))


# --- the list and child plans ---------------------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """What the plan list is narrowed to. Text filters match every word (at most five)."""

    q: str = ""
    #: plans with a theme of this name, and the programmes that work such a theme out
    theme: str = ""
    phase: str = ""
    kind: str = ""
    law: str = ""
    #: only the plans the user asking owns
    mine: bool = False
    include_archived: bool = False

    def args(self) -> dict[str, str]:
        """The filters as the list's query string: only those that are set."""
        values = {"q": self.q, "theme": self.theme, "phase": self.phase, "kind": self.kind,
                  "law": self.law, "owner": "me" if self.mine else "",
                  "archived": "1" if self.include_archived else ""}
        return {key: value for key, value in values.items() if value}


def list_query(filters: Filters, user: Any = None) -> Select[tuple[Plan]]:
    """Plans matching ``filters``, by title, with their owners; ``user`` is whoever asks
    (for "my plans")."""
    query = select(Plan).options(joinedload(Plan.owner))
    if not filters.include_archived:
        query = query.where(Plan.archived.is_(False))
    if filters.phase:
        query = query.where(Plan.phase == filters.phase)
    if filters.kind:
        query = query.where(Plan.kind == filters.kind)
    if filters.law in {law.value for law in Law}:
        query = query.where(Plan.id.in_(select(PlanLaw.plan_id).where(
            PlanLaw.law == filters.law)))
    if filters.mine:
        query = query.where(Plan.owner_id == getattr(user, "id", None))
    for word in normalise(filters.q).split()[:5]:
        query = query.where(Plan.sort_title.contains(word, autoescape=True))
    if filters.theme:
        themes = select(Theme.id)
        for word in filters.theme.lower().split()[:5]:
            themes = themes.where(func.lower(Theme.name).contains(word, autoescape=True))
        query = query.where(or_(Plan.id.in_(select(Theme.plan_id).where(
            Theme.id.in_(themes))), Plan.parent_theme_id.in_(themes)))
    return query.order_by(Plan.sort_title, Plan.id)


def children_of(plan: Plan, include_archived: bool = False) -> list[Plan]:
    query = select(Plan).where(Plan.parent_id == plan.id)
    if not include_archived:
        query = query.where(Plan.archived.is_(False))
    return list(db.session.scalars(query.order_by(Plan.sort_title, Plan.id)))
