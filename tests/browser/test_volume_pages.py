"""Pages for work at volume, in the browser at a laptop's 1366 by 768: a consultation's input
list of 50 reactions with long summaries and sender names fits without scrolling sideways;
60 attendees registered as one category; 27 post letters printed as one PDF and marked sent
in one submission. Every page is scanned with axe."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from app.consultations import services
from app.consultations.feedback import services as feedback
from app.consultations.inputs import answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.services import InputData
from app.consultations.services import ConsultationData
from app.database import db
from app.plans import services as plans
from app.plans.programme import services as programme
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}
SUMMARY = ("De indiener maakt bezwaar tegen de bestemmingsplanwijzigingsprocedure voor de "
           "woonzorgvoorzieningen aan de Burgemeester van Roijensingel en vraagt om "
           "uitgebreidere participatie van omwonenden, mantelzorgers en "
           "cliëntenondersteuningsorganisaties, zie https://www.example.nl/inspraak/"
           "ontwerpbeleidsplan-sociaal-domein-2026-2030/zienswijzen/reactieformulier.")


def no_sideways_scroll(page) -> None:
    widths = page.evaluate("""() => ({
        document: document.documentElement.scrollWidth,
        wrappers: [...document.querySelectorAll('.table-wrapper')].map(
            element => element.scrollWidth - element.clientWidth)})""")
    assert widths["document"] <= LAPTOP["width"], widths
    assert all(extra <= 0 for extra in widths["wrappers"]), widths


def test_the_input_list_of_fifty_fits_a_laptop_screen(app, browser_page, axe_check, signed_in,
                                                      make_user):
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    themes = [programme.add_theme(plan, name, "") for name in (
        "Gezondheid en welzijn van kwetsbare inwoners", "Armoedebestrijding en schuldhulp")]
    period = services.create_consultation(plan, ConsultationData(
        title="Ontwerpbeleidsplan sociaal domein ter inzage", format="ter_inzage",
        published_on=date(2017, 5, 31)))
    senders = [register.create(StakeholderData(
        name=f"Stichting Welzijnsorganisatie Noordoost-Groningen en Omstreken {n}",
        kind="organisation")) for n in range(5)]
    signers = [register.create(StakeholderData(name=f"Anna-Maria van der Heijden-Schuurmans {n}"))
               for n in range(2)]
    reactions = input_services.add_inputs(period, [InputData(
        original_text=SUMMARY, summary=SUMMARY, kind="zienswijze", channel="webformulier",
        stakeholder_id=senders[n % 5].id, received_on=date(2017, 7, 12 if n % 7 else 1),
        theme_ids=[theme.id for theme in themes],
        co_signatory_ids=[signer.id for signer in signers]) for n in range(50)])
    answers.answer(reactions[:20], "Deels overgenomen.", "deels_overgenomen")
    db.session.commit()
    page = browser_page
    page.set_viewport_size(LAPTOP)
    signed_in(make_user("editor"))
    page.goto(f"/consultations/{period.id}/inputs")
    axe_check()
    expect(page.get_by_role("table")).to_contain_text("Noordoost-Groningen")
    expect(page.get_by_role("table").locator("caption")).to_contain_text("50")
    no_sideways_scroll(page)
    page.goto(f"/consultations/{period.id}/inputs?page=2")
    axe_check()
    no_sideways_scroll(page)


def test_sixty_attendees_and_twenty_seven_post_letters(app, browser_page, axe_check,
                                                       signed_in, make_user):
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    meeting = services.create_consultation(plan, ConsultationData(
        title="Werkconferentie", format="werkconferentie",
        starts_at=datetime(2026, 3, 23, 13, tzinfo=UTC)))
    for n in range(60):
        register.create(StakeholderData(name=f"Vrijwilliger {n:02d} Dijkstra",
                                        categories=["vrijwilliger"]))
    period = services.create_consultation(plan, ConsultationData(
        title="Ontwerp ter inzage", format="ter_inzage", published_on=date(2017, 5, 31)))
    people = [register.create(StakeholderData(
        name=f"Bewoner {n:02d} Mulder", address=f"Kerkstraat {n}", postcode="9671 AB",
        place="Winschoten")) for n in range(27)]
    reactions = input_services.add_inputs(period, [InputData(
        original_text="Meer bankjes in het park.", kind="zienswijze", channel="brief",
        stakeholder_id=person.id, received_on=date(2017, 6, 1)) for person in people])
    answers.answer(reactions, "Dat nemen we over.", "overgenomen")
    db.session.commit()
    with app.test_request_context():
        feedback.create_mailing(period)
    page = browser_page
    page.set_viewport_size(LAPTOP)
    signed_in(make_user("editor"))

    page.goto(f"/consultations/{meeting.id}")
    axe_check()
    form = page.locator("form[action$='/registrations/many']")
    form.get_by_label(re.compile("Iedereen in een categorie|Every member of a category")
                      ).select_option("vrijwilliger")
    form.get_by_label(re.compile("^(Aanwezig|Attended)$")).check()
    with page.expect_navigation(wait_until="load"):
        form.get_by_role("button").click()  # 2 interactions for 60 attendees
    axe_check()
    expect(page.locator(".flash-messages, [role=status]").first).to_contain_text("60")
    assert page.locator("input[name=attended]:checked").count() == 60

    page.goto(f"/consultations/{period.id}/feedback")
    axe_check()
    post = page.locator("section[aria-labelledby=post]")
    with page.expect_download() as download:
        post.get_by_role("button", name=re.compile("pdf", re.I)).click()
    pdf = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    assert len(pdf.pages) == 27
    with page.expect_navigation(wait_until="load"):
        post.get_by_role("button", name=re.compile("^(Alles als verzonden|Mark all)")).click()
    axe_check()
    expect(page.locator("section[aria-labelledby=post]")).to_contain_text(
        re.compile("Er wachten geen brieven|No letters are waiting"))
