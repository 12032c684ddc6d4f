"""Rules of a plan's programme: themes and goals, actions with their partners and progress,
involvement of stakeholders, and the roll-up of child programmes in figures.

Every change is refused on a read-only plan (:func:`app.plans.rules.refuse_read_only`), goes
through :func:`app.audit.services.audit`, and flushes without committing: the caller commits.
A refusal is a :class:`~app.errors.DomainError` naming the field; a save based on an older
version raises :class:`~app.errors.EditConflict` and changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, case, func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload, load_only

from app.audit.services import audit, recorded_changes
from app.auth.models import User
from app.database import db
from app.errors import DomainError, check_version
from app.plans.models import (
    Action,
    ActionPartner,
    ActionStatus,
    Goal,
    Involvement,
    InvolvementRole,
    Plan,
    ProgressUpdate,
    Theme,
)
from app.plans.rules import check_order, clean_text, clean_title, refuse_read_only, usable
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import BARE, NAME_COLUMNS, on_erase
from app.translate import lazy_gettext as _l


def _next_position(column: Any, *where: Any) -> int:
    return (db.session.scalar(select(func.max(column)).where(*where)) or 0) + 1


def _plan(plan_id: int) -> Plan | None:
    return db.session.get(Plan, plan_id)


# --- themes and goals -----------------------------------------------------------------------

def add_theme(plan: Plan, name: str, description: str | None = None, *,
              actor: Any = None) -> Theme:
    refuse_read_only(plan)
    theme = Theme(plan_id=plan.id, position=_next_position(Theme.position,
                                                           Theme.plan_id == plan.id),
                  name=clean_title(name, "name"), description=clean_text(description, 5000))
    db.session.add(theme)
    db.session.flush()
    audit("add_theme", plan, actor=actor, changes={"theme": {"old": None, "new": theme.name}})
    return theme


def update_theme(theme: Theme, name: str, description: str | None, *,
                 expected_version: int | None = None, actor: Any = None) -> None:
    refuse_read_only(_plan(theme.plan_id))
    check_version(theme, expected_version)
    name = clean_title(name, "name")
    with recorded_changes(theme, (), {"version"}) as changes:
        theme.name, theme.description = name, clean_text(description, 5000)
    if changes:
        db.session.flush()
        audit("update_theme", ("plans", theme.plan_id), actor=actor,
              changes={"theme": {"old": None, "new": theme.id}} | changes)


def add_goal(theme: Theme, title: str, description: str | None = None, *,
             actor: Any = None) -> Goal:
    refuse_read_only(_plan(theme.plan_id))
    goal = Goal(theme_id=theme.id, position=_next_position(Goal.position,
                                                           Goal.theme_id == theme.id),
                title=clean_title(title, limit=300), description=clean_text(description, 5000))
    db.session.add(goal)
    db.session.flush()
    audit("add_goal", ("plans", theme.plan_id), actor=actor,
          changes={"goal": {"old": None, "new": goal.title}})
    return goal


def update_goal(goal: Goal, title: str, description: str | None, *,
                expected_version: int | None = None, actor: Any = None) -> None:
    theme = db.session.get(Theme, goal.theme_id)
    refuse_read_only(_plan(theme.plan_id) if theme else None)
    check_version(goal, expected_version)
    title = clean_title(title, limit=300)
    with recorded_changes(goal, (), {"version"}) as changes:
        goal.title, goal.description = title, clean_text(description, 5000)
    if changes:
        db.session.flush()
        audit("update_goal", ("plans", theme.plan_id if theme else ""), actor=actor,
              changes={"goal": {"old": None, "new": goal.id}} | changes)


def themes_of(plan: Plan) -> list[Theme]:
    return list(db.session.scalars(select(Theme).where(Theme.plan_id == plan.id)
                                   .order_by(Theme.position, Theme.id)))


def goals_of(plan: Plan) -> list[Goal]:
    """Every goal of the plan, in the order of its themes."""
    return list(db.session.scalars(
        select(Goal).join(Theme, Theme.id == Goal.theme_id).where(Theme.plan_id == plan.id)
        .order_by(Theme.position, Theme.id, Goal.position, Goal.id)))


# --- actions: the implementation programme --------------------------------------------------

def _budget(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    if value < 0:
        raise DomainError(_l("A budget cannot be negative."), field="budget")
    if value.as_tuple().exponent < -2:  # type: ignore[operator]
        raise DomainError(_l("Use at most two decimals (cents)."), field="budget")
    if value >= Decimal("10000000000"):
        raise DomainError(_l("The amount is too large."), field="budget")
    return value.quantize(Decimal("0.01"))


def _progress(value: int) -> int:
    if not 0 <= int(value) <= 100:
        raise DomainError(_l("Progress is a percentage from 0 to 100."), field="progress")
    return int(value)


@dataclass
class ActionData:
    """What a form (or a job, or the demo story) says about an action; :meth:`cleaned` is the
    one validation of both adding and changing one."""

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
        title = clean_title(self.title, limit=300)
        budget = _budget(self.budget)
        check_order(self.start_date, self.end_date, "end_date")
        if self.status not in {status.value for status in ActionStatus}:
            raise DomainError(_l("Choose a status."), field="status")
        progress = _progress(self.progress)
        if self.theme_id is not None:
            theme = db.session.get(Theme, self.theme_id)
            if theme is None or theme.plan_id != plan.id:
                raise DomainError(_l("Choose a theme of this plan."), field="theme_id")
        if self.goal_id is not None:
            goal = db.session.get(Goal, self.goal_id)
            if goal is None or goal.theme_id != self.theme_id:
                raise DomainError(_l("Choose a goal of the chosen theme."), field="goal_id")
        self._check_people()
        return ActionData(title=title, theme_id=self.theme_id, goal_id=self.goal_id,
                          description=clean_text(self.description, 5000),
                          trekker_id=self.trekker_id, partner_ids=sorted(set(self.partner_ids)),
                          budget=budget, start_date=self.start_date, end_date=self.end_date,
                          status=self.status, progress=progress)

    def _check_people(self) -> None:
        """The trekker is anyone usable in the register; partners are usable organisations."""
        wanted = {*self.partner_ids, *([self.trekker_id] if self.trekker_id else [])}
        people = {s.id: s for s in db.session.scalars(select(Stakeholder).where(
            Stakeholder.id.in_(wanted)))}
        if self.trekker_id is not None and not usable(people.get(self.trekker_id)):
            raise DomainError(_l("Choose a trekker from the register."), field="trekker_id")
        for partner_id in self.partner_ids:
            partner = people.get(partner_id)
            if not usable(partner) or partner.is_person:  # type: ignore[union-attr]
                raise DomainError(_l("Partners are organisations from the register."),
                                  field="partner_ids")


_ACTION_FIELDS = ("title", "theme_id", "goal_id", "description", "trekker_id", "budget",
                  "start_date", "end_date", "status", "progress")


def add_action(plan: Plan, data: ActionData, *, actor: Any = None) -> Action:
    refuse_read_only(plan)
    data = data.cleaned(plan)
    action = Action(plan_id=plan.id, position=_next_position(Action.position,
                                                             Action.plan_id == plan.id),
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
    plan = _plan(action.plan_id)
    refuse_read_only(plan)
    check_version(action, expected_version)
    data = data.cleaned(plan)  # type: ignore[arg-type]
    old_partners = partner_ids_of(action)
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


def action_data(action: Action) -> ActionData:
    """The stored action as data, to compare with what a form submitted."""
    values = {name: getattr(action, name) for name in _ACTION_FIELDS}
    return ActionData(**values, partner_ids=partner_ids_of(action))


def partner_ids_of(action: Action) -> list[int]:
    return sorted(db.session.scalars(select(ActionPartner.stakeholder_id).where(
        ActionPartner.action_id == action.id)))


def partners_of(action: Action) -> list[Stakeholder]:
    return list(db.session.scalars(
        select(Stakeholder).join(ActionPartner, ActionPartner.stakeholder_id == Stakeholder.id)
        .where(ActionPartner.action_id == action.id).options(*BARE)
        .order_by(Stakeholder.sort_name)))


# --- progress -------------------------------------------------------------------------------

def report_progress(action: Action, reported_on: date, progress: int, note: str | None = None,
                    *, actor: Any = None) -> ProgressUpdate:
    """A dated progress update; the action's progress follows the latest report."""
    refuse_read_only(_plan(action.plan_id))
    update = ProgressUpdate(action_id=action.id, reported_on=reported_on,
                            progress=_progress(progress), note=clean_text(note, 5000),
                            author_id=getattr(actor, "id", None))
    db.session.add(update)
    latest = db.session.scalar(select(func.max(ProgressUpdate.reported_on)).where(
        ProgressUpdate.action_id == action.id))
    old = action.progress
    if latest is None or reported_on >= latest:
        action.progress = int(progress)
        if action.progress == 100 and action.status != ActionStatus.STOPPED:
            action.status = ActionStatus.DONE.value
        elif action.progress > 0 and action.status == ActionStatus.PLANNED:
            action.status = ActionStatus.RUNNING.value
    db.session.flush()
    audit("report_progress", ("plans", action.plan_id), actor=actor, changes={
        "action": {"old": None, "new": action.id},
        "progress": {"old": old, "new": action.progress},
        "reported_on": {"old": None, "new": reported_on}})
    return update


def updates_of(action: Action) -> list[tuple[ProgressUpdate, str | None]]:
    """The action's progress updates, newest first, with their authors' names."""
    return [(update, author) for update, author in db.session.execute(
        select(ProgressUpdate, User.name).outerjoin(User, User.id == ProgressUpdate.author_id)
        .where(ProgressUpdate.action_id == action.id)
        .order_by(ProgressUpdate.reported_on.desc(), ProgressUpdate.id.desc()))]


# --- involvement ----------------------------------------------------------------------------

def involve(plan: Plan, stakeholder: Stakeholder, role: str, *, theme: Theme | None = None,
            start_date: date | None = None, end_date: date | None = None,
            note: str | None = None, actor: Any = None) -> Involvement:
    refuse_read_only(plan)
    if role not in {item.value for item in InvolvementRole}:
        raise DomainError(_l("Choose a role."), field="role")
    if not usable(stakeholder):
        raise DomainError(_l("Choose a stakeholder from the register."),
                          field="stakeholder_id")
    if theme is not None and theme.plan_id != plan.id:
        raise DomainError(_l("Choose a theme of this plan."), field="theme_id")
    check_order(start_date, end_date, "end_date")
    involvement = Involvement(plan_id=plan.id, theme_id=theme.id if theme else None,
                              stakeholder_id=stakeholder.id, role=role, start_date=start_date,
                              end_date=end_date, note=clean_text(note, 300))
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
    return list(db.session.scalars(select(Involvement).where(Involvement.plan_id == plan.id)
                                   .options(joinedload(Involvement.stakeholder))
                                   .order_by(Involvement.role, Involvement.id)))


def plans_of_stakeholder(stakeholder_ids: Iterable[int]) -> dict[int, list[Involvement]]:
    """Involvements of many stakeholders at once (for the stakeholder page and lists)."""
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


# --- roll-up --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rollup:
    """A plan's programme in figures, its child programmes included."""

    actions: int
    done: int
    budget: Decimal
    progress: int  # the mean progress of its actions, in percent


@cache
def _rollup_statement() -> Select[Any]:
    """Built once per process (a list page asks for it on every request): per root plan in
    ``plan_ids``, the figures of its own actions and those of its child plans at any depth.
    The tree is the root, then its children level by level; UNION rather than UNION ALL, so
    a plan reached twice is counted once. Archived child plans are left out."""
    tree = select(Plan.id.label("member"), Plan.id.label("root")).where(
        Plan.id.in_(bindparam("plan_ids", expanding=True))).cte(
        "programme_tree", recursive=True)
    child = aliased(Plan)
    tree = tree.union(select(child.id, tree.c.root).where(
        child.parent_id == tree.c.member, child.archived.is_(False)))
    return (select(tree.c.root, func.count(Action.id),
                   func.coalesce(func.sum(case((Action.status == ActionStatus.DONE.value, 1),
                                               else_=0)), 0),
                   func.coalesce(func.sum(Action.budget), 0),
                   func.coalesce(func.sum(Action.progress), 0))
            .select_from(tree).outerjoin(Action, Action.plan_id == tree.c.member)
            .group_by(tree.c.root))


def rollups(plan_ids: Sequence[int]) -> dict[int, Rollup]:
    """For each plan: its own actions and those of its child plans (any depth, archived ones
    left out) — one query for any number of plans and levels (list pages, the plan page)."""
    if not plan_ids:
        return {}
    result = {plan_id: Rollup(0, 0, Decimal("0.00"), 0) for plan_id in plan_ids}
    for root, count, done, budget, progress in db.session.execute(
            _rollup_statement(), {"plan_ids": list(plan_ids)}):
        result[root] = Rollup(count, int(done), Decimal(str(budget)).quantize(Decimal("0.01")),
                              round(int(progress) / count) if count else 0)
    return result


def rollup(plan: Plan) -> Rollup:
    return rollups([plan.id])[plan.id]


# --- the programme tab, loaded at once ------------------------------------------------------

def budget_of(actions: Iterable[Action]) -> Decimal:
    return sum((action.budget or Decimal(0) for action in actions), Decimal(0))


def mean_progress(actions: Sequence[Action]) -> int:
    return round(sum(action.progress for action in actions) / len(actions)) if actions else 0


@dataclass
class ThemeBlock:
    theme: Theme
    goals: list[Goal] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    #: the figures of the programmes that work this theme out (child plans)
    programmes: list[Rollup] = field(default_factory=list)

    @property
    def action_count(self) -> int:
        return len(self.actions) + sum(figures.actions for figures in self.programmes)

    @property
    def budget(self) -> Decimal:
        return budget_of(self.actions) + sum((figures.budget for figures in self.programmes),
                                             Decimal(0))

    @property
    def progress(self) -> int:
        """The mean progress of the theme's actions, its programmes' actions included."""
        count = self.action_count
        total = sum(action.progress for action in self.actions) + sum(
            figures.progress * figures.actions for figures in self.programmes)
        return round(total / count) if count else 0


@dataclass
class Programme:
    blocks: list[ThemeBlock]
    other_actions: list[Action]
    partners: dict[int, list[Stakeholder]]
    goals: dict[int, Goal]


def load_programme(plan: Plan, children: Sequence[Plan] = (),
                   figures: Mapping[int, Rollup] | None = None) -> Programme:
    """Themes, goals, actions with their trekkers, and partners — four queries at any size —
    with the figures (from :func:`rollups`) of the child programmes that work a theme out."""
    blocks = {theme.id: ThemeBlock(theme) for theme in themes_of(plan)}
    goals = goals_of(plan)
    for goal in goals:
        blocks[goal.theme_id].goals.append(goal)
    other: list[Action] = []
    for action in db.session.scalars(
            select(Action).where(Action.plan_id == plan.id)
            .options(joinedload(Action.trekker).load_only(*NAME_COLUMNS).options(*BARE))
            .order_by(Action.position, Action.id)):
        block = blocks.get(action.theme_id) if action.theme_id is not None else None
        (block.actions if block is not None else other).append(action)
    partners: dict[int, list[Stakeholder]] = defaultdict(list)
    for action_id, partner in db.session.execute(
            select(ActionPartner.action_id, Stakeholder)
            .join(Stakeholder, Stakeholder.id == ActionPartner.stakeholder_id)
            .join(Action, Action.id == ActionPartner.action_id)
            .where(Action.plan_id == plan.id).options(load_only(*NAME_COLUMNS), *BARE)
            .order_by(Stakeholder.sort_name, Stakeholder.id)):
        partners[action_id].append(partner)
    for child in children:
        if figures is not None and child.parent_theme_id in blocks:
            blocks[child.parent_theme_id].programmes.append(figures[child.id])
    return Programme(blocks=list(blocks.values()), other_actions=other, partners=partners,
                     goals={goal.id: goal for goal in goals})
