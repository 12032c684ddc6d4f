"""The Coevorden instance (municipalities/coevorden/): its demo story replays "Samen Krachtig"
of 2017 with the coevorden plugin enabled — the ontwerp laid open from Wednesday 31 May with
its last day computed, the meetings of 21 and 26 June, every reaction answered, the plan
adopted — and disabling the plugin leaves the core working and the pillar data in place."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text

from app.config import PROJECT_HOME
from app.consultations.inputs import services as input_services
from app.consultations.models import Consultation
from app.database import db as core_db
from app.plans.models import Plan, Transition

from .helpers import signed_in_viewer, without_plugins

FOLDER = PROJECT_HOME / "municipalities" / "coevorden"


@pytest.fixture
def enabled_plugins():
    return ["coevorden"]


@pytest.fixture
def municipality_dir():
    return FOLDER


@pytest.fixture
def story(app, db):
    runner = app.test_cli_runner()
    for _ in range(2):  # a second run adds nothing
        result = runner.invoke(args=["demo", "setup"])
        assert result.exit_code == 0, result.output
    return db.session.scalars(select(Plan)).one()


def test_the_demo_story_replays_samen_krachtig(story, db):
    assert (story.workflow, story.state) == ("coevorden.samen_krachtig", "coevorden.vastgesteld")
    steps = {row.name: row.decided_on for row in db.session.scalars(
        select(Transition).where(Transition.plan_id == story.id))}
    assert steps["coevorden.lay_open"] == date(2017, 5, 31)
    period = db.session.scalars(select(Consultation).where(
        Consultation.format == "ter_inzage")).one()
    assert (period.published_on, period.last_day) == (date(2017, 5, 31), date(2017, 7, 11))
    assert "dinsdag 11 juli 2017" in period.notice
    meetings = list(db.session.scalars(select(Consultation).where(
        Consultation.format == "inspraakbijeenkomst").order_by(Consultation.starts_at)))
    assert [m.starts_at.date() for m in meetings] == [date(2017, 6, 21), date(2017, 6, 26)]
    lateness = {item.number: item.late for item in input_services.open_inputs(period)}
    assert lateness == {}  # every reaction answered
    assert db.session.execute(text(
        "select count(*) from coevorden_pillars where is_main")).scalar() == 1


def test_the_instance_speaks_of_pillars(story, client, login_as):
    login_as("viewer")
    page = client.get(f"/plans/{story.id}/programme").get_data(as_text=True)
    assert "Pijler" in page  # the terminology catalogue
    overview = client.get(f"/p/coevorden/plans/{story.id}").get_data(as_text=True)
    assert "Meedoen &amp; meetellen" in overview and "hoofdpijler" in overview
    assert "#7a1f3d" in client.get("/branding/theme.css").get_data(as_text=True)


def test_disabling_the_plugin_keeps_the_core_working_and_the_data(story, db, tmp_path,
                                                                 database_url):
    plan_id = story.id
    without = without_plugins(FOLDER, tmp_path, database_url)
    with without.app_context():
        client = signed_in_viewer(without)
        assert client.get(f"/plans/{plan_id}").status_code == 200
        assert client.get(f"/p/coevorden/plans/{plan_id}").status_code == 404
        assert core_db.session.execute(text(
            "select count(*) from coevorden_pillars")).scalar() == 5
        core_db.engine.dispose()
