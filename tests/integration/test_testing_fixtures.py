"""The fixtures and factories app.testing ships for plugin authors: signing in as another
role, the catalogue check by distribution name or folder, and records made through the
services (run on SQLite and, with KOERS_TEST_DATABASE_URL, on PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.plans.models import Section
from app.plugin_api import DefaultState, DefaultStep, goals_of, inputs_of, themes_of
from app.testing import (
    TransitionRefused,
    make_account,
    make_consultation,
    make_plan,
    make_stakeholder,
    take_step,
    untranslated,
)

ROOT = Path(__file__).resolve().parents[2]


def test_login_as_twice_switches_the_signed_in_account(client, login_as):
    first = login_as("viewer")
    assert first.email in client.get("/profile").get_data(as_text=True)
    second = login_as("admin")
    profile = client.get("/profile").get_data(as_text=True)
    assert second.email in profile and first.email not in profile
    assert client.get("/admin/accounts/").status_code == 200  # only an administrator may


@pytest.mark.parametrize("distribution", ["koers-oldambt",
                                          ROOT / "plugins" / "koers-oldambt",
                                          str(ROOT / "plugins" / "koers-oldambt")])
def test_untranslated_takes_a_distribution_name_or_its_folder(distribution):
    assert untranslated(distribution, "koers_oldambt", "oldambt") == {"nl": [], "en": []}


def test_untranslated_names_what_it_cannot_find():
    with pytest.raises(LookupError, match="koers-nowhere"):
        untranslated("koers-nowhere", "koers_nowhere", "nowhere")


def test_the_factories_make_records_through_the_services(app, db):
    sponsor = make_stakeholder("Joop Brink", kind="person", categories=["wethouder"])
    plan = make_plan("Samen Krachtig", sections=[("Inleiding", "Tekst"), ("Doelen", "Meer")],
                     themes=["Meedoen", "Wonen"], sponsor=sponsor)
    assert plan.sponsor_id == sponsor.id and plan.state == DefaultState.CONCEPT
    assert [t.name for t in themes_of(plan)] == ["Meedoen", "Wonen"]
    assert goals_of(themes_of(plan)[0]) == []
    assert db.session.scalar(select(func.count()).select_from(Section).where(
        Section.plan_id == plan.id)) == 2
    consultation = make_consultation(plan, "Wijkavond", inputs=["Meer bankjes", "Licht"])
    assert [(i.number, i.original_text) for i in inputs_of(consultation)] == [
        (1, "Meer bankjes"), (2, "Licht")]
    audited = set(db.session.scalars(select(AuditEvent.entity_type).distinct()))
    assert {"plans", "stakeholders", "consultations"} <= audited


def test_take_step_goes_through_the_workflow_as_a_role(app, db):
    plan = make_plan(sponsor=make_stakeholder())
    record = take_step(plan, DefaultStep.ADOPT_DRAFT)
    assert record.to_state == DefaultState.ONTWERP and record.decided_on is not None
    with pytest.raises(TransitionRefused):
        take_step(plan, DefaultStep.ADOPT, role="viewer")  # a viewer may not
    take_step(plan, DefaultStep.ADOPT, user=make_account("admin"))
    assert plan.state == DefaultState.VASTGESTELD
    with pytest.raises(TransitionRefused) as refused:
        take_step(plan, DefaultStep.START_IMPLEMENTATION)  # the programme has no actions
    assert plan.state == DefaultState.VASTGESTELD and refused.value.refusals
