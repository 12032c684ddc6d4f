"""A plan through the default workflow: every unmet condition at once, past decision dates,
history, revisions taken by effects and compared, effects rolled back with their step."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.plans import revisions, services, transitions
from app.plans.models import Plan, Revision
from app.plans.programme import services as programme
from app.plans.programme.services import ActionData
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData
from app.workflow import TransitionRefused


@pytest.fixture
def editor(make_user):
    return make_user("editor", name="Eva Editor")


@pytest.fixture
def plan(app, db):
    plan = services.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    db.session.commit()
    return plan


def complete(plan: Plan, db) -> None:
    wethouder = register.create(StakeholderData(name="Joop Brink", categories=["wethouder"]))
    db.session.flush()
    services.update_plan(plan, PlanData(title=plan.title, kind=plan.kind,
                                        sponsor_id=wethouder.id))
    services.add_section(plan, "Meedoen en meetellen", "Iedereen doet op zijn eigen manier "
                         "mee.")
    theme = programme.add_theme(plan, "Meedoen & meetellen")
    programme.add_action(plan, ActionData(title="Eén verhaal, één keer", theme_id=theme.id,
                                          budget=Decimal("25000")))
    db.session.commit()


def test_a_new_plan_starts_as_concept_in_the_default_workflow(plan):
    assert (plan.workflow, plan.state, plan.phase) == ("core.default", "core.concept",
                                                       "concept")


def test_a_refused_step_lists_every_unmet_condition(app, db, plan, editor):
    with app.test_request_context():
        found = transitions.refusals(plan, "core.adopt", editor, {})
    messages = [refusal.message for refusal in found]
    assert len(found) == 5, messages
    assert "niet mogelijk vanuit" in messages[0]  # adopt needs ontwerp or ter inzage
    assert "Datum van het raadsbesluit" in messages[1]
    assert any("geen tekst" in m for m in messages)
    assert any("geen thema" in m for m in messages)
    assert any("opdrachtgever" in m for m in messages)
    with app.test_request_context(), pytest.raises(TransitionRefused) as error:
        transitions.take(plan, "core.adopt", user=editor, values={})
    assert len(error.value.refusals) == 5
    db.session.rollback()
    assert db.session.get(Plan, plan.id).state == "core.concept"


def test_viewers_may_not_take_a_step(app, db, plan, make_user):
    complete(plan, db)
    viewer = make_user("viewer")
    with app.test_request_context():
        found = transitions.refusals(plan, "core.adopt_draft", viewer,
                                     {"decided_on": date(2017, 5, 16)})
    assert [r.source for r in found] == ["core"] and "mag" in found[0].message


def test_through_the_cycle_with_past_decision_dates(app, db, plan, editor):
    complete(plan, db)
    with app.test_request_context():
        transitions.take(plan, "core.adopt_draft", user=editor,
                         values={"decided_on": date(2017, 5, 16)})
        db.session.commit()
        assert (plan.state, plan.phase) == ("core.ontwerp", "ontwerp")
        transitions.take(plan, "core.lay_open", user=editor,
                         values={"decided_on": date(2017, 5, 31)})
        db.session.commit()
        section = services.sections_of(plan)[0]
        services.update_section(section, section.title, section.body + "\n\nAangepast na de "
                                "inspraak.")
        transitions.take(plan, "core.adopt", user=editor,
                         values={"decided_on": date(2017, 9, 25)})
        db.session.commit()
    assert plan.phase == "vastgesteld"
    steps = transitions.history(plan)
    assert [(s.from_state, s.to_state, s.decided_on) for s in steps] == [
        ("core.concept", "core.ontwerp", date(2017, 5, 16)),
        ("core.ontwerp", "core.ter_inzage", date(2017, 5, 31)),
        ("core.ter_inzage", "core.vastgesteld", date(2017, 9, 25))]
    assert all(s.recorded_at.date() > date(2017, 12, 31) and s.actor.id == editor.id
               for s in steps)

    ontwerp, vastgesteld = revisions.revisions_of(plan)
    assert (ontwerp.name, vastgesteld.name) == ("ontwerp", "vastgesteld")
    changes = revisions.compare(ontwerp, vastgesteld)
    assert sorted(line.text for line in changes if line.kind == "added") == [
        "", "Aangepast na de inspraak."]
    assert not [line for line in changes if line.kind == "removed"]
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "plans", AuditEvent.entity_id == str(plan.id))).all()
    assert actions.count("transition") == 3 and actions.count("take_revision") == 2


def test_a_failing_effect_rolls_the_step_back(app, db, plan, editor, monkeypatch):
    complete(plan, db)

    def broken(plan, actor):
        raise RuntimeError("disk full")

    monkeypatch.setitem(transitions.EFFECTS, "core.revision_ontwerp", broken)
    from app.workflow import EffectFailed

    with app.test_request_context(), pytest.raises(EffectFailed) as error:
        transitions.take(plan, "core.adopt_draft", user=editor,
                         values={"decided_on": date(2017, 5, 16)})
    assert error.value.source == "core"
    db.session.rollback()
    assert db.session.get(Plan, plan.id).state == "core.concept"
    assert transitions.history(plan) == []


def test_a_back_step_needs_its_note(app, db, plan, editor):
    complete(plan, db)
    with app.test_request_context():
        transitions.take(plan, "core.adopt_draft", user=editor,
                         values={"decided_on": date(2017, 5, 16)})
        db.session.commit()
        found = transitions.refusals(plan, "core.back_to_concept", editor, {"note": " "})
        assert len(found) == 1 and "Waarom" in found[0].message
        transitions.take(plan, "core.back_to_concept", user=editor,
                         values={"note": "Het college wil eerst de adviesraad horen."})
        db.session.commit()
    assert transitions.history(plan)[-1].note == "Het college wil eerst de adviesraad horen."


def test_a_plan_whose_workflow_is_gone_is_read_only(app, db, plan, editor):
    plan.workflow, plan.state = "coevorden.samen_krachtig", "coevorden.ter_inzage"
    db.session.commit()
    assert transitions.workflow_of(plan) is None
    with app.test_request_context(), pytest.raises(Exception, match="niet beschikbaar"):
        transitions.take(plan, "core.adopt", user=editor, values={})


def test_snapshot_is_a_few_queries_whatever_the_size(app, db, plan, count_queries):
    for t in range(5):
        theme = programme.add_theme(plan, f"Thema {t}")
        programme.add_goal(theme, f"Doel {t}")
        for a in range(4):
            programme.add_action(plan, ActionData(title=f"Actie {t}.{a}", theme_id=theme.id))
    db.session.commit()
    plan_id = plan.id
    loaded = db.session.get(Plan, plan_id)
    with count_queries() as counter:
        data = revisions.snapshot(loaded)
    assert counter.count == 4
    assert len(data["actions"]) == 20 and data["themes"][4]["goals"][0]["title"] == "Doel 4"
    assert db.session.scalar(select(Revision.id)) is None  # a snapshot alone stores nothing
