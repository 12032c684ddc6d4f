"""Oldambt's story in the browser: the regenboogmodel with its provisions and choices (a
marker opened with the keyboard, a filter), the koers refused for adoption while no partner
organisation has given input, and the werkconferentie's feitenblad downloaded as PDF. Every
page is scanned with axe."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from app.config import PROJECT_HOME
from app.consultations import services as consultations
from app.consultations.inputs import services as input_services
from app.consultations.inputs.services import InputData
from app.consultations.models import Consultation
from app.consultations.services import ConsultationData
from app.database import db
from app.plans import services as plans
from app.plans import transitions
from app.plans.programme import services as programme
from app.plans.services import PlanData

pytestmark = pytest.mark.browser


@pytest.fixture
def enabled_plugins():
    return ["oldambt"]


@pytest.fixture
def municipality_dir():
    return PROJECT_HOME / "municipalities" / "oldambt"


@pytest.fixture
def story(app, make_user):
    result = app.test_cli_runner().invoke(args=["demo", "setup"])
    assert result.exit_code == 0, result.output
    editor = make_user("editor", name="Sanne Adviseur")
    # A second koers, after its werkconferentie, heard only residents so far.
    plan = plans.create_plan(PlanData(title="Koers armoede en schulden", kind="koersdocument"),
                             actor=editor)
    plans.add_section(plan, "Waarom", "Samen tegen armoede.", actor=editor)
    programme.add_theme(plan, "Armoede", actor=editor)
    meeting = consultations.create_consultation(plan, ConsultationData(
        title="Wijkgesprek armoede", format="werkconferentie"), actor=editor)
    input_services.add_input(meeting, InputData(original_text="Eén formulier", kind="advies",
                                                participant_group="inwoner"), actor=editor)
    transitions.take(plan, "oldambt.hold_conference", user=editor,
                     values={"decided_on": date(2024, 2, 1)})
    db.session.commit()
    return editor, plan.id


def test_the_rainbow_the_refused_adoption_and_the_feitenblad(browser_page, axe_check,
                                                              signed_in, story):
    page = browser_page
    editor, plan_id = story
    signed_in(editor)
    page.goto("/")
    axe_check()
    # the municipality's own colour in the header
    expect(page.get_by_role("banner")).to_have_css("background-color", "rgb(0, 89, 79)")

    # --- the regenboogmodel -----------------------------------------------------------------
    page.get_by_role("navigation", name=re.compile("Hoofdmenu|Main menu")).get_by_role(
        "link", name="Regenboogmodel").click()
    axe_check()
    rainbow = page.locator("svg.rainbow")
    expect(rainbow.locator("a.rainbow__marker")).to_have_count(11)
    table = page.get_by_role("table", name=re.compile("zoals in de afbeelding|as in the picture"))
    expect(table).to_contain_text("Mantelzorgondersteuning")
    expect(table).to_contain_text("Versterken")

    page.get_by_label(re.compile("^(Keuze|Choice)$")).select_option("afbouwen")
    page.get_by_role("button", name=re.compile("^(Filteren|Filter)$")).click()
    axe_check()
    expect(rainbow.locator("a.rainbow__marker")).to_have_count(2)
    expect(table).not_to_contain_text("Mantelzorgondersteuning")

    # a marker is a link: reached with the keyboard and opened with Enter
    marker = rainbow.locator("a.rainbow__marker").first
    marker.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    axe_check()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Algemene ouderensoos|Jeugdhulp met verblijf"))
    expect(page.get_by_role("main")).to_contain_text("Afbouwen")

    # --- "geen plan zonder partners": adoption refused -----------------------------------
    page.goto(f"/plans/{plan_id}")
    axe_check()
    page.get_by_role("link", name=re.compile("college stelt de koers vast|college adopts")
                     ).click()
    axe_check()
    expect(page.get_by_role("main")).to_contain_text("Geen plan zonder partners")
    expect(page.get_by_role("main")).not_to_contain_text("Geen plan zonder inwoners")

    # --- the werkconferentie and its feitenblad --------------------------------------------
    conference = db.session.scalar(select(Consultation).where(
        Consultation.format == "werkconferentie", Consultation.title.like("Werkconferentie%")))
    page.goto(f"/consultations/{conference.id}")
    axe_check()
    panel = page.locator("section", has=page.locator("#kernadviezen"))
    expect(panel.get_by_text("kernadvies", exact=True)).to_have_count(6)
    page.get_by_role("link", name=re.compile("^Feitenblad$")).click()
    axe_check()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Feitenblad")
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Downloaden als pdf|Download as PDF")).click()
    pdf = PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert len(pdf.pages) == 1
    content = pdf.pages[0].extract_text()
    assert "Hulp op school, zonder verwijzing" in content and "CMO STAMM" not in content
