"""Plans' rules: validation, optimistic locking, structure, the programme and its roll-up,
involvement — and the stakeholder register's merge covering the plan tables."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.consultations.inputs.models import Input
from app.errors import DomainError, EditConflict
from app.plans import services
from app.plans.models import Action, ActionPartner, Involvement, Plan
from app.plans.programme.services import (
    ActionData,
    Rollup,
    add_action,
    add_goal,
    add_theme,
    involve,
    involvements_of_plan,
    plans_of_stakeholder,
    report_progress,
    rollup,
    rollups,
    themes_of,
    update_action,
)
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData


def new_plan(title: str = "Samen denken, samen doen", **values) -> Plan:
    values.setdefault("kind", "beleidskader")
    return services.create_plan(PlanData(title=title, **values))


def organisation(name: str):
    return register.create(StakeholderData(name=name, kind="organisation"))


def person(name: str):
    return register.create(StakeholderData(name=name))


@pytest.mark.parametrize(("values", "field", "message"), [
    ({"title": "  "}, "title", "Vul een titel in."),
    ({"title": "x" * 201}, "title", "200"),
    ({"kind": "roman"}, "kind", "soort plan"),
    ({"laws": ["wmo2015", "grondwet"]}, "laws", "grondwet"),
    ({"period_start": date(2024, 1, 1), "period_end": date(2023, 1, 1)}, "period_end",
     "einddatum"),
    ({"sponsor_id": 999_999}, "sponsor_id", "opdrachtgever"),
    ({"parent_theme_id": 1}, "parent_id", "bovenliggende"),
])
def test_bad_plan_input_is_refused_with_the_field(app, db, values, field, message):
    data = {"title": "Koersplan sociaal domein 2020", "kind": "koersdocument", **values}
    with app.test_request_context(), pytest.raises(DomainError) as error:
        services.create_plan(PlanData(**data))
    assert error.value.field == field
    assert message.lower() in error.value.message.lower()
    assert db.session.scalar(select(func.count()).select_from(Plan)) == 0


def test_create_and_update_a_plan_with_laws_and_audit(app, db):
    wethouder = person("Marijke van Haaren")
    db.session.flush()
    plan = new_plan(laws=["jeugdwet", "wmo2015", "participatiewet"], sponsor_id=wethouder.id,
                    period_start=date(2018, 1, 1), period_end=date(2021, 12, 31))
    db.session.commit()
    assert plan.law_codes == ["jeugdwet", "participatiewet", "wmo2015"]
    assert plan.sort_title == "samen denken, samen doen" and plan.version == 1

    services.update_plan(plan, PlanData(title="Samen denken, samen doen (2018)",
                                        kind="beleidskader", laws=["wmo2015"],
                                        sponsor_id=wethouder.id),
                         expected_version=1)
    db.session.commit()
    assert plan.version == 2 and plan.law_codes == ["wmo2015"]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "plans")
                                .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["create", "update"]
    assert events[1].changes["laws"] == {"old": "jeugdwet, participatiewet, wmo2015",
                                         "new": "wmo2015"}
    assert events[1].changes["period_end"]["new"] is None


def test_a_stale_plan_edit_is_a_conflict_and_changes_nothing(app, db):
    plan = new_plan()
    db.session.commit()
    services.update_plan(plan, PlanData(title="Nieuwe titel", kind="beleidskader"),
                         expected_version=1)
    db.session.commit()
    with app.test_request_context(), pytest.raises(EditConflict):
        services.update_plan(plan, PlanData(title="Oude titel", kind="nota"),
                             expected_version=1)
    db.session.rollback()
    assert db.session.get(Plan, plan.id).title == "Nieuwe titel"


def test_a_plan_cannot_be_its_own_ancestor(app, db):
    framework = new_plan("Beleidskader")
    programme = new_plan("Programma", kind="uitvoeringsprogramma", parent_id=None)
    db.session.flush()
    services.update_plan(programme, PlanData(title="Programma", kind="uitvoeringsprogramma",
                                             parent_id=framework.id))
    db.session.flush()
    with app.test_request_context(), pytest.raises(DomainError, match="onderdeel"):
        services.update_plan(framework, PlanData(title="Beleidskader", kind="beleidskader",
                                                 parent_id=programme.id))
    other = new_plan("Ander plan")
    theme = add_theme(other, "Armoede")
    db.session.flush()
    with app.test_request_context(), pytest.raises(DomainError) as error:
        services.update_plan(programme, PlanData(title="Programma", kind="uitvoeringsprogramma",
                                                 parent_id=framework.id,
                                                 parent_theme_id=theme.id))
    assert error.value.field == "parent_theme_id"


def test_sections_keep_their_order_and_edits_are_locked(app, db):
    plan = new_plan()
    first = services.add_section(plan, "Inleiding", "Waarom dit plan.")
    second = services.add_section(plan, "Werken vanuit de bedoeling", "")
    db.session.commit()
    assert [s.title for s in services.sections_of(plan)] == ["Inleiding",
                                                            "Werken vanuit de bedoeling"]
    services.move_section(second, -1)
    db.session.commit()
    assert [s.id for s in services.sections_of(plan)] == [second.id, first.id]
    services.update_section(first, "Inleiding", "Nieuwe tekst.", expected_version=1)
    db.session.commit()
    with app.test_request_context(), pytest.raises(EditConflict):
        services.update_section(first, "Inleiding", "Oude tekst.", expected_version=1)
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "update_section")).one()
    assert event.changes["body"] == {}  # the text lives in revisions, not in the trail


@pytest.mark.parametrize(("values", "field"), [
    ({"budget": Decimal("-1")}, "budget"),
    ({"budget": Decimal("12.345")}, "budget"),
    ({"budget": Decimal("10000000000")}, "budget"),
    ({"start_date": date(2025, 5, 1), "end_date": date(2025, 4, 1)}, "end_date"),
    ({"progress": 101}, "progress"),
    ({"status": "vergeten"}, "status"),
    ({"title": ""}, "title"),
])
def test_bad_action_input_is_refused(app, db, values, field):
    plan = new_plan()
    db.session.commit()
    data = {"title": "Schuldhulp in de wijk", **values}
    with app.test_request_context(), pytest.raises(DomainError) as error:
        add_action(plan, ActionData(**data))
    assert error.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Action)) == 0


def test_actions_with_trekker_partners_budget_and_progress(app, db):
    plan = new_plan()
    theme = add_theme(plan, "Armoede")
    goal = add_goal(theme, "Minder huishoudens met problematische schulden")
    trekker = person("Fatima el Idrissi")
    stamm, humanitas = organisation("CMO STAMM"), organisation("Humanitas")
    resident = person("Bert Jansen")
    db.session.flush()
    action = add_action(plan, ActionData(
        title="Vroegsignalering schulden", theme_id=theme.id, goal_id=goal.id,
        trekker_id=trekker.id, partner_ids=[stamm.id, humanitas.id],
        budget=Decimal("1250.5"), start_date=date(2025, 1, 1), end_date=date(2025, 12, 31)))
    db.session.commit()
    assert action.budget == Decimal("1250.50")
    assert sorted(db.session.scalars(select(ActionPartner.stakeholder_id))) == sorted(
        [stamm.id, humanitas.id])
    with app.test_request_context(), pytest.raises(DomainError) as error:
        add_action(plan, ActionData(title="X", partner_ids=[resident.id]))
    assert error.value.field == "partner_ids"
    db.session.rollback()

    report_progress(action, date(2025, 3, 1), 40, "Eerste gesprekken gevoerd")
    report_progress(action, date(2025, 2, 1), 10, "Later ingevoerd, eerder gedaan")
    db.session.commit()
    assert action.progress == 40 and action.status == "running"  # the latest report counts
    report_progress(action, date(2025, 6, 1), 100)
    db.session.commit()
    assert action.status == "done"

    update_action(action, ActionData(
        title="Vroegsignalering schulden", theme_id=theme.id, trekker_id=trekker.id,
        partner_ids=[stamm.id], budget=Decimal("2000"), status="done", progress=100),
        expected_version=action.version)
    db.session.commit()
    assert db.session.scalars(select(ActionPartner.stakeholder_id)).all() == [stamm.id]
    with app.test_request_context(), pytest.raises(EditConflict):
        update_action(action, ActionData(title="Oud"), expected_version=1)


def test_rollup_counts_child_programmes_at_any_depth_in_one_query(app, db, count_queries):
    framework = new_plan("Beleidskader")
    armoede = add_theme(framework, "Armoede")
    db.session.flush()
    programme = new_plan("Uitvoeringsprogramma armoede", kind="uitvoeringsprogramma",
                         parent_id=framework.id, parent_theme_id=armoede.id)
    db.session.flush()
    project = new_plan("Project schulden", kind="nota", parent_id=programme.id)
    db.session.flush()
    add_action(framework, ActionData(title="A", budget=Decimal("100"), progress=50))
    add_action(programme, ActionData(title="B", budget=Decimal("1250.50"),
                                     progress=100, status="done"))
    add_action(project, ActionData(title="C", budget=Decimal("0.25")))
    archived = new_plan("Gearchiveerd", parent_id=framework.id)
    db.session.flush()
    add_action(archived, ActionData(title="D", budget=Decimal("999")))
    services.set_archived(archived, True)
    db.session.commit()
    ids = [framework.id, programme.id, project.id]  # loaded before counting
    with count_queries() as counter:
        figures = rollups(ids)
    assert figures[framework.id] == Rollup(3, 1, Decimal("1350.75"), 50)
    assert figures[programme.id] == Rollup(2, 1, Decimal("1250.75"), 50)
    assert figures[project.id] == Rollup(1, 0, Decimal("0.25"), 0)
    assert counter.count == 1, counter.statements  # any number of plans and levels


def test_involvement_on_both_sides(app, db):
    plan = new_plan()
    theme = add_theme(plan, "Mantelzorg")
    adviesraad = organisation("Adviesraad Sociaal Domein")
    db.session.flush()
    involve(plan, adviesraad, "adviesraad", start_date=date(2017, 2, 3))
    involve(plan, adviesraad, "klankbord", theme=theme)
    db.session.commit()
    assert [i.role for i in involvements_of_plan(plan)] == ["adviesraad", "klankbord"]
    found = plans_of_stakeholder([adviesraad.id])[adviesraad.id]
    assert {i.plan.title for i in found} == {plan.title}
    with app.test_request_context(), pytest.raises(DomainError) as error:
        involve(plan, adviesraad, "toeschouwer")
    assert error.value.field == "role"


def test_merging_a_stakeholder_repoints_every_plan_reference(app, db):
    keep, duplicate = person("Jan Bakker"), person("J. Bakker")
    org_keep, org_duplicate = organisation("Welzijn Koersdam"), organisation("Welzijn Koersdam.")
    db.session.flush()
    plan = new_plan(sponsor_id=duplicate.id)
    action = add_action(plan, ActionData(title="Buurtteams", trekker_id=duplicate.id,
                                         partner_ids=[org_duplicate.id, org_keep.id]))
    involve(plan, duplicate, "trekker")
    db.session.commit()
    preview = register.merge_preview(duplicate, keep)
    tables = {table for table, _column, _rows in preview.references}
    assert {"plans", "plan_actions", "plan_involvements"} <= tables
    register.merge(duplicate, keep)
    register.merge(org_duplicate, org_keep)  # the action then has org_keep twice: one stays
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).sponsor_id == keep.id
    assert db.session.get(Action, action.id).trekker_id == keep.id
    assert db.session.scalars(select(Involvement.stakeholder_id)).all() == [keep.id]
    assert db.session.scalars(select(ActionPartner.stakeholder_id)).all() == [org_keep.id]


def test_demo_plans_are_an_adopted_framework_with_a_programme_per_theme(app, db):
    runner = app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["demo", "setup"])
        assert result.exit_code == 0, result.output
    framework = db.session.scalars(select(Plan).where(Plan.kind == "beleidskader")).one()
    assert framework.phase == "vastgesteld" and framework.sponsor_id is not None
    themes = themes_of(framework)
    programmes = services.children_of(framework)
    assert len(themes) == 6 and len(programmes) == 6
    assert {p.parent_theme_id for p in programmes} == {t.id for t in themes}
    assert {p.phase for p in programmes} == {"uitvoering"}
    figures = rollup(framework)
    assert figures.actions >= 8 and figures.budget > Decimal("100000")
    assert 0 < figures.progress < 100
    from app.plans import revisions, transitions

    assert [r.name for r in revisions.revisions_of(framework)] == ["ontwerp", "vastgesteld"]
    assert [s.decided_on for s in transitions.history(framework)] == [date(2025, 11, 4),
                                                                      date(2026, 1, 29)]

    from app.consultations.inputs import services as input_services
    from app.consultations.models import Consultation

    meeting, period = db.session.scalars(select(Consultation).order_by(Consultation.id)).all()
    assert meeting.format == "werkconferentie" and period.last_day == date(2025, 12, 23)
    figures = input_services.coverage(framework)
    assert figures.total_by_consultation == {meeting.id: 14, period.id: 3}
    reactions = db.session.scalars(select(Input).where(Input.consultation_id == period.id)
                                   .order_by(Input.number)).all()
    assert [r.late for r in reactions] == [False, False, True]  # the second was posted in time
    assert [r.number for r in input_services.open_inputs(period)] == [3]
