"""Records the consultation page tests share: a plan, a comment period on it (ter inzage from
31 May 2017, so its last day is 11 July 2017) and a werkconferentie. A module that needs other
values defines its own fixture of the same name."""

from __future__ import annotations

from datetime import date

import pytest

from app.consultations import services
from app.consultations.services import ConsultationData
from app.plans import services as plans
from app.plans.services import PlanData


@pytest.fixture
def plan(app, db):
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    db.session.commit()
    return plan


@pytest.fixture
def period(db, plan):
    consultation = services.create_consultation(plan, ConsultationData(
        title="Ontwerpbeleidsplan ter inzage", format="ter_inzage",
        published_on=date(2017, 5, 31)))  # last day: 11 July 2017
    db.session.commit()
    return consultation


@pytest.fixture
def meeting(db, plan):
    consultation = services.create_consultation(plan, ConsultationData(
        title="Werkconferentie Meedoen", format="werkconferentie"))
    db.session.commit()
    return consultation
