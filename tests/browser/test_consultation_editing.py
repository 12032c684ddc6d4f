"""The pages for changing what was recorded, in the browser: a comment period's kennisgeving,
a meeting's attendance, editing a consultation, an input's page with its attachment uploaded
through the form, editing the input and changing its answer. Every page is scanned with axe."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect

from app.consultations import services
from app.consultations.inputs import answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.services import InputData
from app.consultations.services import ConsultationData
from app.database import db
from app.plans import services as plans
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_edit_pages_and_an_attachment(app, browser_page, axe_check, signed_in, make_user,
                                      tmp_path):
    page = browser_page
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    period = services.create_consultation(plan, ConsultationData(
        title="Ontwerp ter inzage", format="ter_inzage", published_on=date(2017, 5, 31)))
    meeting = services.create_consultation(plan, ConsultationData(
        title="Werkconferentie", format="werkconferentie",
        starts_at=datetime(2026, 3, 23, 13, tzinfo=UTC)))
    services.add_table(meeting, "Armoede")
    services.register_participant(meeting, register.create(StakeholderData(name="Els Bos")))
    item = input_services.add_input(period, InputData(
        original_text="Ik maak bezwaar.", kind="zienswijze", channel="brief",
        received_on=date(2017, 7, 1)))
    answer = answers.answer([item], "Wij handhaven het besluit.", "niet_overgenomen")
    db.session.commit()
    signed_in(make_user("editor"))

    page.goto(f"/consultations/{period.id}")
    axe_check()
    expect(page.get_by_label(re.compile("Tekst van de kennisgeving|Text of the kennisgeving"))
           ).to_contain_text("dinsdag 11 juli 2017")
    page.goto(f"/consultations/{period.id}/edit")
    axe_check()
    page.goto(f"/consultations/{meeting.id}")
    axe_check()
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("checkbox").first.check()
        page.get_by_role("button", name=re.compile("aanwezigheid|attendance", re.I)).click()
    axe_check()
    page.goto(f"/consultations/inputs/{item.id}")
    axe_check()
    scan = tmp_path / "brief.pdf"
    scan.write_bytes(PDF)
    page.locator("input#attachment").set_input_files(str(scan))
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=re.compile("^(Uploaden|Upload)$")).click()
    axe_check()
    expect(page.get_by_role("link", name="brief.pdf")).to_be_visible()
    page.goto(f"/consultations/inputs/{item.id}/edit")
    axe_check()
    page.goto(f"/consultations/answers/{answer.id}/edit")
    axe_check()
