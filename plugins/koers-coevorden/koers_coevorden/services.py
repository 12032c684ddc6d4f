"""Pillars: a plan's themes under Coevorden's name, with the main pillar, a pillar budget and
indicators; and the overview per pillar (goals, actions, budgets) in a few queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select, update

from app.plugin_api import (
    Action,
    DomainError,
    Goal,
    Plan,
    Theme,
    audit,
    check_version,
    db,
    recorded_changes,
    themes_of,
)

from .models import Indicator, Pillar
from .translations import _l


@dataclass
class PillarView:
    theme: Theme
    facts: Pillar | None
    goals: list[Goal] = field(default_factory=list)
    actions: int = 0
    action_budget: Decimal = Decimal(0)
    indicators: list[Indicator] = field(default_factory=list)

    @property
    def is_main(self) -> bool:
        return bool(self.facts and self.facts.is_main)

    @property
    def pillar_budget(self) -> Decimal | None:
        return self.facts.budget if self.facts else None


def pillars_of(plan: Plan) -> list[PillarView]:
    """The plan's pillars in order, the main pillar first. Actions count those of the plan
    and of the programmes that work out a pillar (their parent theme). Five queries."""
    themes = themes_of(plan)
    ids = [theme.id for theme in themes]
    if not ids:
        return []
    facts = {p.theme_id: p for p in db.session.scalars(
        select(Pillar).where(Pillar.theme_id.in_(ids)))}
    goals: dict[int, list[Goal]] = defaultdict(list)
    for goal in db.session.scalars(select(Goal).where(Goal.theme_id.in_(ids))
                                   .order_by(Goal.position, Goal.id)):
        goals[goal.theme_id].append(goal)
    programmes = select(Plan.id, Plan.parent_theme_id).where(
        Plan.parent_theme_id.in_(ids), Plan.archived.is_(False)).subquery()
    pillar_of_action = func.coalesce(programmes.c.parent_theme_id, Action.theme_id)
    totals = {row[0]: (row[1], row[2] or Decimal(0)) for row in db.session.execute(
        select(pillar_of_action, func.count(Action.id), func.sum(Action.budget))
        .outerjoin(programmes, programmes.c.id == Action.plan_id)
        .where(or_(Action.theme_id.in_(ids), programmes.c.id.is_not(None)))
        .group_by(pillar_of_action))}
    indicators: dict[int, list[Indicator]] = defaultdict(list)
    for indicator in db.session.scalars(select(Indicator).where(Indicator.theme_id.in_(ids))
                                        .order_by(Indicator.position, Indicator.id)):
        indicators[indicator.theme_id].append(indicator)
    views = [PillarView(theme, facts.get(theme.id), goals[theme.id],
                        totals.get(theme.id, (0, Decimal(0)))[0],
                        totals.get(theme.id, (0, Decimal(0)))[1], indicators[theme.id])
             for theme in themes]
    return sorted(views, key=lambda view: not view.is_main)


def plans_with_pillars() -> list[tuple[Plan, int]]:
    """Current plans that have themes, with how many: the overview's choice."""
    return [(plan, count) for plan, count in db.session.execute(
        select(Plan, func.count(Theme.id)).join(Theme, Theme.plan_id == Plan.id)
        .where(Plan.archived.is_(False), Plan.parent_id.is_(None))
        .group_by(Plan.id).order_by(Plan.sort_title, Plan.id)).all()]


def facts_for(theme: Theme) -> Pillar:
    """The theme's pillar facts, created (not yet saved) when it has none."""
    facts = db.session.scalar(select(Pillar).where(Pillar.theme_id == theme.id))
    if facts is None:
        facts = Pillar(theme_id=theme.id, is_main=False, version=0)
    return facts


def save_pillar(theme: Theme, *, is_main: bool, budget: Decimal | None,
                expected_version: int, actor: Any = None) -> Pillar:
    """Set the main pillar (one per plan: the others lose the mark) and the pillar budget."""
    if budget is not None and budget < 0:
        raise DomainError(str(_l("A budget cannot be negative.")), "budget")
    facts = facts_for(theme)
    check_version(facts, expected_version)
    created = facts.id is None
    if created:
        facts.version = 1
        db.session.add(facts)
        db.session.flush()
    with recorded_changes(facts) as changes:
        facts.is_main, facts.budget = is_main, budget
    changes.pop("version", None)
    if is_main:
        others = select(Theme.id).where(Theme.plan_id == theme.plan_id, Theme.id != theme.id)
        db.session.execute(update(Pillar).where(Pillar.theme_id.in_(others))
                           .values(is_main=False, version=Pillar.version + 1))
    db.session.flush()
    if changes or created:
        audit("update", theme, actor=actor, changes={f"pillar_{key}": value
                                                     for key, value in changes.items()})
    return facts


def add_indicator(theme: Theme, *, name: str, baseline: str | None, target: str | None,
                  current: str | None, source: str | None, actor: Any = None) -> Indicator:
    if not name.strip():
        raise DomainError(str(_l("An indicator needs a name.")), "name")
    position = db.session.scalar(select(func.count()).select_from(Indicator).where(
        Indicator.theme_id == theme.id)) or 0
    indicator = Indicator(theme_id=theme.id, position=position, name=name.strip(),
                          baseline=(baseline or "").strip() or None,
                          target=(target or "").strip() or None,
                          current=(current or "").strip() or None,
                          source=(source or "").strip() or None)
    db.session.add(indicator)
    db.session.flush()
    audit("create", indicator, actor=actor, changes={"name": {"old": None, "new": indicator.name}})
    return indicator


def remove_indicator(indicator: Indicator, *, actor: Any = None) -> None:
    audit("delete", indicator, actor=actor, changes={"name": {"old": indicator.name,
                                                               "new": None}})
    db.session.delete(indicator)
    db.session.flush()
