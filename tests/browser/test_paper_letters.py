"""Letters on paper in the browser: two letters recorded with "save and next" — the first
from a sender found in the register (told apart from a namesake by the address), the second
from a new sender typed into the same form — the comment period's defaults and the received
date carried to the next letter. Every page is scanned with axe."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.consultations import services
from app.consultations.inputs.models import Input
from app.consultations.services import ConsultationData
from app.database import db
from app.plans import services as plans
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import StakeholderData

pytestmark = pytest.mark.browser

NEXT = re.compile("^(Opslaan en volgende|Save and next)$")


def exact(*words: str) -> re.Pattern[str]:
    return re.compile(f"^({'|'.join(words)})$")


def test_two_letters_with_save_and_next_the_second_from_a_new_sender(
        app, browser_page, axe_check, signed_in, make_user):
    page = browser_page
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    period = services.create_consultation(plan, ConsultationData(
        title="Ontwerp ter inzage", format="ter_inzage", published_on=date(2017, 5, 31)))
    jan = register.create(StakeholderData(name="Jan de Vries", address="Dorpsstraat 1",
                                          postcode="9679 AB", place="Scheemda"))
    register.create(StakeholderData(name="Jan de Vries", place="Winschoten"))
    db.session.commit()
    signed_in(make_user("editor"))

    page.goto(f"/consultations/{period.id}/inputs/new")
    axe_check()
    main = page.get_by_role("main")
    expect(main.get_by_label(exact("Soort inbreng", "Kind of input"))).to_have_value(
        "zienswijze")
    main.get_by_role("searchbox").fill("vries")
    with page.expect_navigation(wait_until="load"):
        main.get_by_role("button", name=exact("Zoeken", "Search")).click()
    axe_check()
    main.get_by_role("radio", name=re.compile("Dorpsstraat 1")).check()
    main.get_by_label(exact("Ontvangen op", "Received on")).fill("2017-06-20")
    main.get_by_label(exact("Oorspronkelijke tekst", "Original text")).fill(
        "Ik mis de mantelzorgers.")
    with page.expect_navigation(wait_until="load"):
        main.get_by_role("button", name=NEXT).click()
    axe_check()
    expect(page.locator(".utrecht-alert--ok").first).to_contain_text("1")
    expect(main.get_by_label(exact("Ontvangen op", "Received on"))).to_have_value("2017-06-20")
    expect(main.get_by_label(exact("Oorspronkelijke tekst", "Original text"))).to_have_value("")

    sender = main.locator("#new-sender")
    sender.get_by_label(exact("Naam", "Name")).fill("Grietje Bakker")
    sender.get_by_label(exact("Straat en huisnummer", "Street and house number")).fill(
        "Kerkstraat 4")
    sender.get_by_label(exact("Postcode")).fill("9679 AC")
    sender.get_by_label(exact("Plaats", "Place")).fill("Scheemda")
    main.get_by_label(exact("Oorspronkelijke tekst", "Original text")).fill(
        "Meer vrijwilligers nodig.")
    with page.expect_navigation(wait_until="load"):
        main.get_by_role("button", name=NEXT).click()
    axe_check()
    expect(page.locator(".utrecht-alert--ok").first).to_contain_text("2")
    expect(page.locator(".utrecht-alert--ok").last).to_contain_text("Grietje Bakker")

    # Enter in a one-line field records the reaction (it does not run the sender search).
    main.get_by_label(exact("Oorspronkelijke tekst", "Original text")).fill("Een derde brief.")
    with page.expect_navigation(wait_until="load"):
        main.get_by_label(exact("Ontvangen op", "Received on")).press("Enter")
    axe_check()
    assert page.url.endswith(f"/consultations/{period.id}/inputs")

    db.session.expire_all()
    stored = list(db.session.scalars(select(Input).order_by(Input.number)))
    grietje = db.session.scalars(select(Stakeholder).where(
        Stakeholder.name == "Grietje Bakker")).one()
    assert [(item.stakeholder_id, item.kind, item.received_on) for item in stored] == [
        (jan.id, "zienswijze", date(2017, 6, 20)), (grietje.id, "zienswijze", date(2017, 6, 20)),
        (None, "zienswijze", date(2017, 6, 20))]
    assert (grietje.postcode, grietje.legal_ground) == ("9679 AC", "public_task")
