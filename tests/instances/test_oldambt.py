"""The Oldambt instance (municipalities/oldambt/): its demo story replays the koers of 2023
with the oldambt plugin enabled, and disabling the plugin leaves the core working and the
plugin's data in place."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select, text

from app.config import PROJECT_HOME
from app.consultations.models import Consultation, ConsultationTable
from app.database import db as core_db
from app.plans.models import Plan, Transition

from .helpers import signed_in_viewer, without_plugins

FOLDER = PROJECT_HOME / "municipalities" / "oldambt"


@pytest.fixture
def enabled_plugins():
    return ["oldambt"]


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


def test_the_demo_story_replays_the_koers_with_its_dates(story, db):
    assert (story.title, story.workflow, story.state) == (
        "Koers sociaal domein Oldambt", "oldambt.koers", "oldambt.uitvoering")
    steps = {row.name: row.decided_on for row in db.session.scalars(
        select(Transition).where(Transition.plan_id == story.id))}
    assert steps["oldambt.hold_conference"] == date(2023, 3, 23)
    assert "oldambt.adopt" in steps and "oldambt.translate" in steps
    meetings = list(db.session.scalars(select(Consultation).order_by(Consultation.starts_at)))
    assert [m.format for m in meetings] == ["werkconferentie", "oldambt.vervolgbijeenkomst"]
    assert meetings[0].starts_at.date() == date(2023, 3, 23)
    assert meetings[1].starts_at.date() == date(2024, 3, 21)
    topics = list(db.session.scalars(select(ConsultationTable.topic).where(
        ConsultationTable.consultation_id == meetings[0].id)
        .order_by(ConsultationTable.position)))
    assert topics == ["Toegang tot dienstverlening en de Doorbraakmethode", "Jeugdhulp",
                      "Gezond en fit leven", "Werk en inkomen", "Armoede", "Ouderen"]
    assert db.session.execute(text("select count(*) from oldambt_key_advice")).scalar() == 6
    assert db.session.execute(text("select count(*) from oldambt_provisions")).scalar() > 5


def test_the_instance_shows_its_rainbow_and_branding(story, client, login_as):
    login_as("viewer")
    page = client.get("/p/oldambt/").get_data(as_text=True)
    assert "Regenboogmodel" in page and "Mantelzorgondersteuning" in page
    plan_page = client.get(f"/plans/{story.id}").get_data(as_text=True)
    assert "Regenboogmodel" in plan_page and "Gemeente Oldambt" in plan_page
    assert "#00594f" in client.get("/branding/theme.css").get_data(as_text=True)


def test_disabling_the_plugin_keeps_the_core_working_and_the_data(story, db, tmp_path,
                                                                 database_url):
    plan_id = story.id
    meeting_id = db.session.scalar(select(Consultation.id).order_by(Consultation.id))
    without = without_plugins(FOLDER, tmp_path, database_url)
    with without.app_context():
        client = signed_in_viewer(without)
        for path in (f"/plans/{plan_id}", f"/consultations/{meeting_id}", "/plans/"):
            assert client.get(path).status_code == 200, path
        assert client.get("/p/oldambt/").status_code == 404
        # the plugin's data stays, ready for when it is enabled again
        rows = core_db.session.execute(text("select count(*) from oldambt_provisions")).scalar()
        assert rows > 5
        core_db.engine.dispose()


def test_the_folder_is_complete():
    assert (FOLDER / "municipality.toml").is_file() and (FOLDER / "logo.svg").is_file()
    assert Path(FOLDER / "demo" / "story.toml").is_file()
