"""The regenboogmodel's rules: layers in order, provisions with their choice, filters, and
every change in the audit trail. Pages (views.py) and demo data go through here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, insert, select

from app.plugin_api import (
    DomainError,
    Goal,
    Plan,
    Stakeholder,
    Theme,
    audit,
    check_version,
    db,
    recorded_changes,
)

from .models import CHOICES, Layer, Provision, ProvisionGoal, ProvisionTheme
from .translations import _l

CHOICE_LABELS = {
    "behouden": _l("Keep"),
    "versterken": _l("Strengthen"),
    "afbouwen": _l("Phase out"),
    "stoppen": _l("Stop"),
    "nieuw": _l("New"),
}
assert set(CHOICE_LABELS) == set(CHOICES)


def layers() -> list[Layer]:
    return list(db.session.scalars(select(Layer).order_by(Layer.position, Layer.id)))


@dataclass
class ProvisionData:
    name: str
    layer_id: int
    choice: str = "behouden"
    description: str | None = None
    provider_id: int | None = None
    target_group: str | None = None
    reach: int | None = None
    yearly_budget: Decimal | None = None
    rationale: str | None = None
    theme_ids: list[int] = field(default_factory=list)
    goal_ids: list[int] = field(default_factory=list)


def _check(data: ProvisionData) -> None:
    if not data.name.strip():
        raise DomainError(str(_l("A provision needs a name.")), "name")
    if data.choice not in CHOICES:
        raise DomainError(str(_l("Choose keep, strengthen, phase out, stop or new.")), "choice")
    if db.session.get(Layer, data.layer_id) is None:
        raise DomainError(str(_l("Choose a layer of the regenboogmodel.")), "layer_id")
    if data.provider_id is not None:
        provider = db.session.get(Stakeholder, data.provider_id)
        if provider is None or provider.is_person or provider.archived:
            raise DomainError(str(_l("The provider must be an organisation in the register.")),
                              "provider_id")


def _apply(provision: Provision, data: ProvisionData) -> None:
    provision.name = data.name.strip()
    provision.layer_id = data.layer_id
    provision.choice = data.choice
    provision.description = (data.description or "").strip() or None
    provision.provider_id = data.provider_id
    provision.target_group = (data.target_group or "").strip() or None
    provision.reach = data.reach
    provision.yearly_budget = data.yearly_budget
    provision.rationale = (data.rationale or "").strip() or None


def _set_links(provision: Provision, theme_ids: Sequence[int],
               goal_ids: Sequence[int]) -> dict[str, Any]:
    """Replace the provision's themes and goals; returns the audit entries that changed."""
    old_themes, old_goals = theme_ids_of(provision.id), goal_ids_of(provision.id)
    new_themes, new_goals = sorted(set(theme_ids)), sorted(set(goal_ids))
    changes: dict[str, Any] = {}
    if old_themes != new_themes:
        db.session.execute(delete(ProvisionTheme).where(
            ProvisionTheme.provision_id == provision.id))
        if new_themes:
            db.session.execute(insert(ProvisionTheme), [
                {"provision_id": provision.id, "theme_id": t} for t in new_themes])
        changes["themes"] = {"old": old_themes, "new": new_themes}
    if old_goals != new_goals:
        db.session.execute(delete(ProvisionGoal).where(
            ProvisionGoal.provision_id == provision.id))
        if new_goals:
            db.session.execute(insert(ProvisionGoal), [
                {"provision_id": provision.id, "goal_id": g} for g in new_goals])
        changes["goals"] = {"old": old_goals, "new": new_goals}
    return changes


def theme_ids_of(provision_id: int) -> list[int]:
    return sorted(db.session.scalars(select(ProvisionTheme.theme_id).where(
        ProvisionTheme.provision_id == provision_id)))


def goal_ids_of(provision_id: int) -> list[int]:
    return sorted(db.session.scalars(select(ProvisionGoal.goal_id).where(
        ProvisionGoal.provision_id == provision_id)))


def create_provision(data: ProvisionData, *, actor: Any = None) -> Provision:
    _check(data)
    provision = Provision()
    _apply(provision, data)
    db.session.add(provision)
    db.session.flush()
    changes = {key: {"old": None, "new": value} for key, value in {
        "name": provision.name, "layer_id": provision.layer_id, "choice": provision.choice,
        "provider_id": provision.provider_id, "yearly_budget": provision.yearly_budget,
    }.items()}
    changes.update(_set_links(provision, data.theme_ids, data.goal_ids))
    audit("create", provision, changes=changes, actor=actor)
    return provision


def update_provision(provision: Provision, data: ProvisionData, *, expected_version: int,
                     actor: Any = None) -> dict[str, Any]:
    """Save ``data``; raises ``EditConflict`` when the provision changed meanwhile (the
    version check here, or the flush's when another save landed in between)."""
    check_version(provision, expected_version)
    _check(data)
    with recorded_changes(provision) as changes:
        _apply(provision, data)
    changes.pop("version", None)
    changes.update(_set_links(provision, data.theme_ids, data.goal_ids))
    if changes:
        db.session.flush()
        audit("update", provision, changes=changes, actor=actor)
    return changes


def set_archived(provision: Provision, archived: bool, *, actor: Any = None) -> None:
    if provision.archived == archived:
        return
    provision.archived = archived
    db.session.flush()
    audit("archive" if archived else "unarchive", provision,
          changes={"archived": {"old": not archived, "new": archived}}, actor=actor)


@dataclass(frozen=True)
class Filters:
    choice: str | None = None
    theme_id: int | None = None
    plan_id: int | None = None


def provisions(filters: Filters) -> list[Provision]:
    """Current provisions matching ``filters``, by layer and name: one query."""
    query = (select(Provision).join(Layer, Layer.id == Provision.layer_id)
             .where(Provision.archived.is_(False)).order_by(Layer.position, Provision.name,
                                                            Provision.id))
    if filters.choice:
        query = query.where(Provision.choice == filters.choice)
    if filters.theme_id:
        query = query.where(Provision.id.in_(select(ProvisionTheme.provision_id).where(
            ProvisionTheme.theme_id == filters.theme_id)))
    if filters.plan_id:
        query = query.where(Provision.id.in_(_linked_to_plan(filters.plan_id)))
    return list(db.session.scalars(query))


def _linked_to_plan(plan_id: int) -> Any:
    """Provisions linked to one of the plan's themes or to a goal of those themes."""
    themes = select(Theme.id).where(Theme.plan_id == plan_id)
    by_theme = select(ProvisionTheme.provision_id).where(ProvisionTheme.theme_id.in_(themes))
    by_goal = (select(ProvisionGoal.provision_id).join(Goal, Goal.id == ProvisionGoal.goal_id)
               .where(Goal.theme_id.in_(themes)))
    return by_theme.union(by_goal)


def providers(ids: Sequence[int]) -> dict[int, Stakeholder]:
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(
        select(Stakeholder).where(Stakeholder.id.in_(set(ids))))}


def provider_options() -> list[Stakeholder]:
    """Organisations in the register that may provide a provision, by name."""
    return list(db.session.scalars(
        select(Stakeholder).where(Stakeholder.kind == "organisation",
                                  Stakeholder.archived.is_(False))
        .order_by(Stakeholder.sort_name, Stakeholder.id)))


def theme_options(ids: Sequence[int] | None = None) -> list[tuple[Theme, str]]:
    """Every theme of every current plan (or those of ``ids``) with the plan's title."""
    query = (select(Theme, Plan.title).join(Plan, Plan.id == Theme.plan_id)
             .order_by(Plan.title, Theme.position, Theme.id))
    query = query.where(Theme.id.in_(ids)) if ids is not None else \
        query.where(Plan.archived.is_(False))
    return [(theme, title) for theme, title in db.session.execute(query).all()]


def goal_options(ids: Sequence[int] | None = None) -> list[tuple[Goal, str]]:
    """Every goal of every current plan (or those of ``ids``) with where it stands."""
    query = (select(Goal, Theme.name, Plan.title).join(Theme, Theme.id == Goal.theme_id)
             .join(Plan, Plan.id == Theme.plan_id)
             .order_by(Plan.title, Theme.position, Goal.position, Goal.id))
    query = query.where(Goal.id.in_(ids)) if ids is not None else \
        query.where(Plan.archived.is_(False))
    return [(goal, f"{title} · {theme}") for goal, theme, title in db.session.execute(query)]


def totals_by_choice(items: Sequence[Provision]) -> dict[str, tuple[int, Decimal]]:
    """choice -> (number of provisions, yearly budget), in the order of CHOICES."""
    totals = {choice: (0, Decimal(0)) for choice in CHOICES}
    for item in items:
        count, budget = totals.get(item.choice, (0, Decimal(0)))
        totals[item.choice] = (count + 1, budget + (item.yearly_budget or 0))
    return totals


def count_provisions() -> int:
    return db.session.scalar(select(func.count()).select_from(Provision).where(
        Provision.archived.is_(False))) or 0


def save_layer(layer: Layer | None, *, name: str, colour: str, description: str | None,
               position: int, expected_version: int | None = None,
               actor: Any = None) -> Layer:
    """Create a layer (``layer`` None) or change one; positions stay 1..n without gaps."""
    if layer is not None:
        check_version(layer, expected_version)
    ordered = [item for item in layers() if layer is None or item.id != layer.id]
    created = layer is None
    if layer is None:
        layer = Layer(name="", colour="#ffffff")
        db.session.add(layer)
    with recorded_changes(layer) as changes:
        layer.name, layer.colour = name.strip(), colour.lower()
        layer.description = (description or "").strip() or None
        ordered.insert(max(0, min(position - 1, len(ordered))), layer)
        for index, item in enumerate(ordered, start=1):
            item.position = index
    changes.pop("version", None)
    db.session.flush()
    if changes or created:
        audit("create" if created else "update", layer, changes=changes, actor=actor)
    return layer


def delete_layer(layer: Layer, *, actor: Any = None) -> None:
    """Only an empty layer goes; one that holds provisions (archived ones too) stays."""
    in_use = db.session.scalar(select(func.count()).select_from(Provision).where(
        Provision.layer_id == layer.id)) or 0
    if in_use:
        raise DomainError(str(_l("This layer holds provisions: move them to another layer "
                                 "first.")))
    audit("delete", layer, changes={"name": {"old": layer.name, "new": None}}, actor=actor)
    db.session.delete(layer)
    db.session.flush()
    for index, item in enumerate(layers(), start=1):
        item.position = index
