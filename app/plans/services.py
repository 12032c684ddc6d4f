"""Rules of plans: validation, creating and editing plans and their structure with optimistic
locking, the implementation programme, involvement, and the roll-up of child programmes.

Every change goes through :func:`app.audit.services.audit`. Services raise
:class:`~app.errors.DomainError` naming the field; a save based on an older version raises
:class:`EditConflict` and changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app import references
from app.audit.services import audit, recorded_changes
from app.database import db
from app.errors import DomainError
from app.plans.models import (
    Action,
    ActionPartner,
    ActionStatus,
    Goal,
    Involvement,
    InvolvementRole,
    Law,
    Plan,
    PlanLaw,
    ProgressUpdate,
    Section,
    Theme,
)
from app.plans.workflow import DEFAULT_WORKFLOW
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import normalise, on_erase
from app.workflow import Workflow

MAX_TITLE = 200


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


class EditConflict(DomainError):
    """Someone else saved the record after this edit began; nothing was overwritten."""

    def __init__(self, record: Any) -> None:
        super().__init__(str(_l("Someone else changed this while you were editing it. "
                                "Nothing has been overwritten.")))
        self.record = record


def _check_version(record: Any, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != record.version:
        raise EditConflict(record)


def _text(value: str | None, limit: int) -> str | None:
    value = (value or "").strip()
    return value[:limit] or None


def _title(value: str | None, field_name: str = "title", limit: int = MAX_TITLE) -> str:
    title = " ".join((value or "").split())
    if not title:
        raise DomainError(str(_l("Enter a title.")), field=field_name)
    if len(title) > limit:
        raise DomainError(str(_l("Use at most %(count)d characters.", count=limit)),
                          field=field_name)
    return title


def _ordered(start: date | None, end: date | None, field_name: str) -> None:
    if start and end and end < start:
        raise DomainError(str(_l("The end date lies before the start date.")), field=field_name)


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
        title = _title(self.title)
        if self.kind not in kinds():
            raise DomainError(str(_l("Choose a kind of plan.")), field="kind")
        unknown = sorted(set(self.laws) - set(LAW_LABELS))
        if unknown:
            raise DomainError(str(_l("Unknown law: %(codes)s.", codes=", ".join(unknown))),
                              field="laws")
        _ordered(self.period_start, self.period_end, "period_end")
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
        return PlanData(title=title, kind=self.kind, summary=_text(self.summary, 5000),
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
        from app.plans.transitions import workflows

        named = kinds()[data.kind].workflow
        workflow = workflows().get(named or DEFAULT_WORKFLOW.name, DEFAULT_WORKFLOW)
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
    _check_version(plan, expected_version)
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
    position = (db.session.scalar(select(func.max(Section.position)).where(
        Section.plan_id == plan.id)) or 0) + 1
    section = Section(plan_id=plan.id, position=position, title=_title(title),
                      body=(body or "").strip())
    db.session.add(section)
    db.session.flush()
    audit("add_section", plan, actor=actor,
          changes={"section": {"old": None, "new": section.title}})
    return section


def update_section(section: Section, title: str, body: str, *,
                   expected_version: int | None = None, actor: Any = None) -> None:
    _check_version(section, expected_version)
    title = _title(title)
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
    plan_id, title = section.plan_id, section.title
    db.session.delete(section)
    db.session.flush()
    audit("delete_section", ("plans", plan_id), actor=actor,
          changes={"section": {"old": title, "new": None}})


def sections_of(plan: Plan) -> list[Section]:
    return list(db.session.scalars(select(Section).where(Section.plan_id == plan.id)
                                   .order_by(Section.position, Section.id)))


# --- themes and goals -----------------------------------------------------------------------

def add_theme(plan: Plan, name: str, description: str | None = None, *,
              actor: Any = None) -> Theme:
    position = (db.session.scalar(select(func.max(Theme.position)).where(
        Theme.plan_id == plan.id)) or 0) + 1
    theme = Theme(plan_id=plan.id, position=position, name=_title(name, "name"),
                  description=_text(description, 5000))
    db.session.add(theme)
    db.session.flush()
    audit("add_theme", plan, actor=actor, changes={"theme": {"old": None, "new": theme.name}})
    return theme


def update_theme(theme: Theme, name: str, description: str | None, *,
                 expected_version: int | None = None, actor: Any = None) -> None:
    _check_version(theme, expected_version)
    name = _title(name, "name")
    with recorded_changes(theme, (), {"version"}) as changes:
        theme.name, theme.description = name, _text(description, 5000)
    if changes:
        db.session.flush()
        audit("update_theme", ("plans", theme.plan_id), actor=actor,
              changes={"theme": {"old": None, "new": theme.id}} | changes)


def add_goal(theme: Theme, title: str, description: str | None = None, *,
             actor: Any = None) -> Goal:
    position = (db.session.scalar(select(func.max(Goal.position)).where(
        Goal.theme_id == theme.id)) or 0) + 1
    goal = Goal(theme_id=theme.id, position=position, title=_title(title, limit=300),
                description=_text(description, 5000))
    db.session.add(goal)
    db.session.flush()
    audit("add_goal", ("plans", theme.plan_id), actor=actor,
          changes={"goal": {"old": None, "new": goal.title}})
    return goal


def update_goal(goal: Goal, title: str, description: str | None, *,
                expected_version: int | None = None, actor: Any = None) -> None:
    _check_version(goal, expected_version)
    title = _title(title, limit=300)
    with recorded_changes(goal, (), {"version"}) as changes:
        goal.title, goal.description = title, _text(description, 5000)
    if changes:
        theme = db.session.get(Theme, goal.theme_id)
        db.session.flush()
        audit("update_goal", ("plans", theme.plan_id if theme else ""), actor=actor,
              changes={"goal": {"old": None, "new": goal.id}} | changes)


def themes_of(plan: Plan) -> list[Theme]:
    return list(db.session.scalars(select(Theme).where(Theme.plan_id == plan.id)
                                   .order_by(Theme.position, Theme.id)))


# --- actions: the implementation programme --------------------------------------------------

@dataclass
class ActionData:
    title: str
    theme_id: int | None = None
    goal_id: int | None = None
    description: str | None = None
    trekker_id: int | None = None
    partner_ids: list[int] = field(default_factory=list)
    budget: Decimal | None = None
    start_date: date | None = None
    end_date: date | None = None
    status: str = ActionStatus.PLANNED.value
    progress: int = 0

    def cleaned(self, plan: Plan) -> ActionData:
        title = _title(self.title, limit=300)
        if self.budget is not None:
            if self.budget < 0:
                raise DomainError(str(_l("A budget cannot be negative.")), field="budget")
            if self.budget.as_tuple().exponent < -2:  # type: ignore[operator]
                raise DomainError(str(_l("Use at most two decimals (cents).")),
                                  field="budget")
            if self.budget >= Decimal("10000000000"):
                raise DomainError(str(_l("The amount is too large.")), field="budget")
        _ordered(self.start_date, self.end_date, "end_date")
        if self.status not in {status.value for status in ActionStatus}:
            raise DomainError(str(_l("Choose a status.")), field="status")
        if not 0 <= int(self.progress) <= 100:
            raise DomainError(str(_l("Progress is a percentage from 0 to 100.")),
                              field="progress")
        if self.theme_id is not None:
            theme = db.session.get(Theme, self.theme_id)
            if theme is None or theme.plan_id != plan.id:
                raise DomainError(str(_l("Choose a theme of this plan.")), field="theme_id")
        if self.goal_id is not None:
            goal = db.session.get(Goal, self.goal_id)
            if goal is None or goal.theme_id != self.theme_id:
                raise DomainError(str(_l("Choose a goal of the chosen theme.")),
                                  field="goal_id")
        people = {s.id: s for s in db.session.scalars(select(Stakeholder).where(
            Stakeholder.id.in_({*self.partner_ids, *([self.trekker_id] if self.trekker_id
                                                     else [])})))}
        if self.trekker_id is not None and not _usable(people.get(self.trekker_id)):
            raise DomainError(str(_l("Choose a trekker from the register.")),
                              field="trekker_id")
        for partner_id in self.partner_ids:
            partner = people.get(partner_id)
            if not _usable(partner) or partner.is_person:  # type: ignore[union-attr]
                raise DomainError(str(_l("Partners are organisations from the register.")),
                                  field="partner_ids")
        return ActionData(title=title, theme_id=self.theme_id, goal_id=self.goal_id,
                          description=_text(self.description, 5000),
                          trekker_id=self.trekker_id, partner_ids=sorted(set(self.partner_ids)),
                          budget=self.budget.quantize(Decimal("0.01"))
                          if self.budget is not None else None,
                          start_date=self.start_date, end_date=self.end_date,
                          status=self.status, progress=int(self.progress))


def _usable(stakeholder: Stakeholder | None) -> bool:
    return stakeholder is not None and not stakeholder.is_erased and not stakeholder.archived


_ACTION_FIELDS = ("title", "theme_id", "goal_id", "description", "trekker_id", "budget",
                  "start_date", "end_date", "status", "progress")


def add_action(plan: Plan, data: ActionData, *, actor: Any = None) -> Action:
    data = data.cleaned(plan)
    position = (db.session.scalar(select(func.max(Action.position)).where(
        Action.plan_id == plan.id)) or 0) + 1
    action = Action(plan_id=plan.id, position=position,
                    **{name: getattr(data, name) for name in _ACTION_FIELDS})
    db.session.add(action)
    db.session.flush()
    db.session.add_all(ActionPartner(action_id=action.id, stakeholder_id=partner_id)
                       for partner_id in data.partner_ids)
    db.session.flush()
    audit("add_action", ("plans", plan.id), actor=actor,
          changes={"action": {"old": None, "new": action.id}, "title": {
              "old": None, "new": action.title}})
    return action


def update_action(action: Action, data: ActionData, *, expected_version: int | None = None,
                  actor: Any = None) -> None:
    """Programmes are living documents: actions stay editable after adoption."""
    _check_version(action, expected_version)
    plan = db.session.get(Plan, action.plan_id)
    data = data.cleaned(plan)  # type: ignore[arg-type]
    old_partners = sorted(db.session.scalars(select(ActionPartner.stakeholder_id).where(
        ActionPartner.action_id == action.id)))
    with recorded_changes(action, (), {"version", "updated_at"}) as changes:
        for name in _ACTION_FIELDS:
            setattr(action, name, getattr(data, name))
    if old_partners != data.partner_ids:
        db.session.execute(ActionPartner.__table__.delete().where(
            ActionPartner.action_id == action.id))
        db.session.add_all(ActionPartner(action_id=action.id, stakeholder_id=partner_id)
                           for partner_id in data.partner_ids)
        changes["partners"] = {"old": old_partners, "new": data.partner_ids}
    if changes:
        db.session.flush()
        audit("update_action", ("plans", action.plan_id), actor=actor,
              changes={"action": {"old": None, "new": action.id}} | changes)


def report_progress(action: Action, reported_on: date, progress: int, note: str | None = None,
                    *, actor: Any = None) -> ProgressUpdate:
    """A dated progress update; the action's progress follows the latest report."""
    if not 0 <= int(progress) <= 100:
        raise DomainError(str(_l("Progress is a percentage from 0 to 100.")), field="progress")
    update = ProgressUpdate(action_id=action.id, reported_on=reported_on,
                            progress=int(progress), note=_text(note, 5000),
                            author_id=getattr(actor, "id", None))
    db.session.add(update)
    latest = db.session.scalar(select(func.max(ProgressUpdate.reported_on)).where(
        ProgressUpdate.action_id == action.id))
    if latest is None or reported_on >= latest:
        old = action.progress
        action.progress = int(progress)
        if action.progress == 100 and action.status != ActionStatus.STOPPED:
            action.status = ActionStatus.DONE.value
        elif action.progress > 0 and action.status == ActionStatus.PLANNED:
            action.status = ActionStatus.RUNNING.value
    else:
        old = action.progress
    db.session.flush()
    audit("report_progress", ("plans", action.plan_id), actor=actor, changes={
        "action": {"old": None, "new": action.id},
        "progress": {"old": old, "new": action.progress},
        "reported_on": {"old": None, "new": reported_on}})
    return update


# --- involvement ----------------------------------------------------------------------------

def involve(plan: Plan, stakeholder: Stakeholder, role: str, *, theme: Theme | None = None,
            start_date: date | None = None, end_date: date | None = None,
            note: str | None = None, actor: Any = None) -> Involvement:
    if role not in {item.value for item in InvolvementRole}:
        raise DomainError(str(_l("Choose a role.")), field="role")
    if not _usable(stakeholder):
        raise DomainError(str(_l("Choose a stakeholder from the register.")),
                          field="stakeholder_id")
    if theme is not None and theme.plan_id != plan.id:
        raise DomainError(str(_l("Choose a theme of this plan.")), field="theme_id")
    _ordered(start_date, end_date, "end_date")
    involvement = Involvement(plan_id=plan.id, theme_id=theme.id if theme else None,
                              stakeholder_id=stakeholder.id, role=role, start_date=start_date,
                              end_date=end_date, note=_text(note, 300))
    db.session.add(involvement)
    db.session.flush()
    audit("involve", plan, actor=actor, changes={
        "stakeholder": {"old": None, "new": stakeholder.id}, "role": {"old": None, "new": role},
        **({"theme": {"old": None, "new": theme.id}} if theme else {})})
    return involvement


@on_erase
def forget_notes(stakeholder: Stakeholder) -> None:
    """An erased person's involvement stays (the plan's history), its note — free text about
    the person — does not."""
    for involvement in db.session.scalars(select(Involvement).where(
            Involvement.stakeholder_id == stakeholder.id, Involvement.note.is_not(None))):
        involvement.note = None


def involvements_of_plan(plan: Plan) -> list[Involvement]:
    from sqlalchemy.orm import joinedload

    return list(db.session.scalars(select(Involvement).where(Involvement.plan_id == plan.id)
                                   .options(joinedload(Involvement.stakeholder))
                                   .order_by(Involvement.role, Involvement.id)))


# --- roll-up --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rollup:
    """A plan's programme in figures, its child programmes included."""

    actions: int
    done: int
    budget: Decimal
    progress: int  # the mean progress of its actions, in percent


def rollups(plan_ids: Sequence[int]) -> dict[int, Rollup]:
    """For each plan: its own actions and those of its child plans (any depth), in a bounded
    number of queries (one per level of nesting) — for list pages and the plan page."""
    children: dict[int, set[int]] = {plan_id: {plan_id} for plan_id in plan_ids}
    frontier = {plan_id: plan_id for plan_id in plan_ids}  # plan → the root it counts for
    while frontier:
        found = db.session.execute(select(Plan.id, Plan.parent_id).where(
            Plan.parent_id.in_(frontier), Plan.archived.is_(False))).all()
        next_frontier: dict[int, int] = {}
        for child_id, parent_id in found:
            root = frontier[parent_id]
            if child_id not in children[root]:
                children[root].add(child_id)
                next_frontier[child_id] = root
        frontier = next_frontier
    every = {plan_id for members in children.values() for plan_id in members}
    figures: dict[int, tuple[int, int, Decimal, int]] = {}
    for plan_id, count, done, budget, progress in db.session.execute(
            select(Action.plan_id, func.count(), func.sum(
                case((Action.status == ActionStatus.DONE.value, 1), else_=0)),
                func.coalesce(func.sum(Action.budget), 0), func.coalesce(
                    func.sum(Action.progress), 0))
            .where(Action.plan_id.in_(every)).group_by(Action.plan_id)):
        figures[plan_id] = (count, int(done or 0), Decimal(budget), int(progress))
    result = {}
    for root, members in children.items():
        count = sum(figures.get(m, (0, 0, Decimal(0), 0))[0] for m in members)
        done = sum(figures.get(m, (0, 0, Decimal(0), 0))[1] for m in members)
        budget = sum((figures.get(m, (0, 0, Decimal(0), 0))[2] for m in members), Decimal(0))
        progress = sum(figures.get(m, (0, 0, Decimal(0), 0))[3] for m in members)
        result[root] = Rollup(count, done, Decimal(budget).quantize(Decimal("0.01")),
                              round(progress / count) if count else 0)
    return result


def rollup(plan: Plan) -> Rollup:
    return rollups([plan.id])[plan.id]


def children_of(plan: Plan, include_archived: bool = False) -> list[Plan]:
    query = select(Plan).where(Plan.parent_id == plan.id)
    if not include_archived:
        query = query.where(Plan.archived.is_(False))
    return list(db.session.scalars(query.order_by(Plan.sort_title, Plan.id)))


def plans_of_stakeholder(stakeholder_ids: Iterable[int]) -> dict[int, list[Involvement]]:
    """Involvements of many stakeholders at once (for the stakeholder page and lists)."""
    from sqlalchemy.orm import contains_eager

    ids = list(stakeholder_ids)
    result: dict[int, list[Involvement]] = {sid: [] for sid in ids}
    if ids:
        query = (select(Involvement).join(Plan, Plan.id == Involvement.plan_id)
                 .where(Involvement.stakeholder_id.in_(ids))
                 .options(contains_eager(Involvement.plan))  # type: ignore[arg-type]
                 .order_by(Plan.sort_title))
        for involvement in db.session.scalars(query):
            result[involvement.stakeholder_id].append(involvement)
    return result
