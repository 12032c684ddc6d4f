"""Rules that live in the plan's services, so every caller obeys them (pages, jobs, the demo
story, plugins): a read-only plan refuses every change, and the plan list's filters."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.errors import ReadOnly
from app.plans import services
from app.plans.models import Plan
from app.plans.programme import services as programme
from app.plans.programme.services import ActionData
from app.plans.services import Filters, PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData


def new_plan(title: str = "Samen denken, samen doen", **values) -> Plan:
    values.setdefault("kind", "beleidskader")
    return services.create_plan(PlanData(title=title, **values))


def plan_with_structure() -> tuple[Plan, dict]:
    plan = new_plan()
    theme = programme.add_theme(plan, "Mantelzorg")
    records = {
        "theme": theme,
        "goal": programme.add_goal(theme, "Minder overbelaste mantelzorgers"),
        "action": programme.add_action(plan, ActionData(title="Respijtzorg", theme_id=theme.id)),
        "section": services.add_section(plan, "Inleiding", "Waarom dit plan."),
        "person": register.create(StakeholderData(name="Fatima el Amrani")),
    }
    return plan, records


CHANGES = ("update_plan", "add_section", "update_section", "move_section", "delete_section",
           "add_theme", "update_theme", "add_goal", "update_goal", "add_action",
           "update_action", "report_progress", "involve")


def changes(plan: Plan, records: dict) -> dict:
    """Every service that changes a plan or its structure, as a call on ``plan``."""
    theme, goal, action, section = (records[name] for name in ("theme", "goal", "action",
                                                               "section"))
    return {
        "update_plan": lambda: services.update_plan(plan, PlanData(title="Nieuw",
                                                                   kind="beleidskader")),
        "add_section": lambda: services.add_section(plan, "Slot"),
        "update_section": lambda: services.update_section(section, "Anders", "Tekst"),
        "move_section": lambda: services.move_section(section, 1),
        "delete_section": lambda: services.delete_section(section),
        "add_theme": lambda: programme.add_theme(plan, "Jeugd"),
        "update_theme": lambda: programme.update_theme(theme, "Jeugd", None),
        "add_goal": lambda: programme.add_goal(theme, "Nog een doel"),
        "update_goal": lambda: programme.update_goal(goal, "Ander doel", None),
        "add_action": lambda: programme.add_action(plan, ActionData(title="Buurtgesprek")),
        "update_action": lambda: programme.update_action(action, ActionData(
            title="Respijtzorg", budget=Decimal("100"))),
        "report_progress": lambda: programme.report_progress(action, date(2024, 3, 1), 40),
        "involve": lambda: programme.involve(plan, records["person"], "deelnemer"),
    }


def audit_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_of_an_archived_plan_is_refused_by_the_service(app, db, change):
    plan, records = plan_with_structure()
    services.set_archived(plan, True)
    db.session.commit()
    before = audit_count(db)
    assert set(changes(plan, records)) == set(CHANGES)
    with pytest.raises(ReadOnly) as refused:
        changes(plan, records)[change]()
    assert "archived" in refused.value.message.lower() or "gearchiveerd" in \
        refused.value.message.lower()
    db.session.rollback()
    assert audit_count(db) == before
    assert records["theme"].name == "Mantelzorg" and records["section"].title == "Inleiding"


def test_a_plan_whose_workflow_is_unavailable_refuses_changes(app, db):
    plan, records = plan_with_structure()
    plan.workflow = "gone.workflow"
    db.session.commit()
    for change in ("add_theme", "update_action", "add_section", "involve"):
        with pytest.raises(ReadOnly):
            changes(plan, records)[change]()
        db.session.rollback()


def test_an_archived_plan_can_be_restored_and_then_changed(app, db):
    plan, _records = plan_with_structure()
    services.set_archived(plan, True)
    services.set_archived(plan, False)
    theme = programme.add_theme(plan, "Jeugd")
    db.session.commit()
    assert theme.id and [item.name for item in programme.themes_of(plan)] == ["Mantelzorg",
                                                                              "Jeugd"]


def test_the_list_query_applies_each_filter(app, db, make_user):
    owner = make_user("editor", name="Sanne Bakker")
    mine = new_plan("Koersplan sociaal domein", kind="koersdocument", laws=["wmo2015"],
                    owner_id=owner.id)
    programme.add_theme(mine, "Armoede en schulden")
    other = new_plan("Jeugdplan Oldambt", kind="beleidsplan", laws=["jeugdwet"])
    child = new_plan("Uitvoeringsprogramma schulden", kind="uitvoeringsprogramma",
                     parent_id=mine.id, parent_theme_id=programme.themes_of(mine)[0].id)
    archived = new_plan("Oud koersplan", kind="koersdocument")
    services.set_archived(archived, True)
    db.session.commit()

    def titles(**values) -> list[str]:
        return [plan.title for plan in db.session.scalars(
            services.list_query(Filters(**values), owner))]

    assert titles() == ["Jeugdplan Oldambt", "Koersplan sociaal domein",
                        "Uitvoeringsprogramma schulden"]
    assert "Oud koersplan" in titles(include_archived=True)
    assert titles(kind="beleidsplan") == [other.title]
    assert titles(law="jeugdwet") == [other.title]
    assert titles(law="grondwet") == titles()  # an unknown law filters nothing
    assert titles(mine=True) == [mine.title]
    assert titles(q="koers SOCIAAL") == [mine.title]
    assert titles(theme="schulden") == [mine.title, child.title]
    assert titles(phase="vastgesteld") == []
    assert services.list_query(Filters(mine=True), None) is not None  # nobody signed in


def test_filters_give_back_the_query_string_they_came_from():
    assert Filters().args() == {}
    assert Filters(q="koers", mine=True, include_archived=True, law="wmo2015").args() == {
        "q": "koers", "owner": "me", "archived": "1", "law": "wmo2015"}
