"""``koers demo setup --plugins-only``: a running instance that enables a plugin gets that
plugin's demo data and nothing of the core's demo municipality."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.consultations.models import Consultation
from app.database import db
from app.plans.models import Plan
from app.stakeholders.models import Stakeholder

CORE_TABLES = (User, Stakeholder, Plan, Consultation)


@pytest.fixture
def extra_plugins():
    return {"testplugin": "tests.plugins.testplugin"}


@pytest.fixture
def enabled_plugins():
    return ["testplugin"]


def _counts() -> dict[str, int]:
    return {model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in CORE_TABLES}


def test_plugins_only_adds_the_plugins_demo_data_and_nothing_of_the_core(app):
    from tests.plugins.testplugin.models import Note

    before = _counts()
    runner = app.test_cli_runner()
    for _ in range(2):  # idempotent: the plugin's hook adds nothing twice
        result = runner.invoke(args=["demo", "setup", "--plugins-only"])
        assert result.exit_code == 0, result.output
        assert "testplugin" in result.output and "Demo administrator" not in result.output
    assert db.session.query(Note).filter_by(text="Demo note").count() == 1
    assert _counts() == before  # no demo accounts, stakeholders, plans or consultations


@pytest.mark.parametrize("enabled_plugins", [[]])
def test_plugins_only_on_an_instance_without_plugins_adds_nothing(app, enabled_plugins):
    before = _counts()
    result = app.test_cli_runner().invoke(args=["demo", "setup", "--plugins-only"])
    assert result.exit_code == 0 and "No plugins are enabled" in result.output
    assert _counts() == before
