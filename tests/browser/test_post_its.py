"""A meeting's post-its at volume in the browser: typed in with a kind per line and the
table's theme, then on the input list filtered by table, shown 50 to a page and marked used
all at once, the list coming back with the same filters. Every page is scanned with axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.consultations import services
from app.consultations.inputs.models import Input, InputTheme
from app.consultations.services import ConsultationData
from app.database import db
from app.plans import services as plans
from app.plans.programme import services as programme
from app.plans.services import PlanData

pytestmark = pytest.mark.browser


@pytest.fixture
def adviser(make_user):
    return make_user("editor", name="Eva Adviseur")


@pytest.fixture
def meeting(app, adviser):
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan",
                                      owner_id=adviser.id))
    theme = programme.add_theme(plan, "Meedoen")
    consultation = services.create_consultation(plan, ConsultationData(
        title="Werkconferentie", format="werkconferentie"))
    tables = [services.add_table(consultation, "Tafel meedoen", theme=theme),
              services.add_table(consultation, "Tafel voorkomen")]
    db.session.commit()
    return consultation.id, [table.id for table in tables], theme.id


def label(dutch: str, english: str) -> re.Pattern[str]:
    return re.compile(f"^({dutch}|{english})$")


def test_post_its_typed_in_and_processed_by_table(browser_page, axe_check, signed_in,
                                                  adviser, meeting):
    consultation_id, (table_id, _other), theme_id = meeting
    page = browser_page
    signed_in(adviser)
    page.goto(f"/consultations/{consultation_id}/inputs/bulk")
    axe_check()
    form = page.get_by_role("main")
    form.get_by_label(re.compile("^(Tafel|Table)$")).select_option(label="Tafel meedoen")
    lines = ["zorg: Te weinig vervoer", *(f"Post-it {n}" for n in range(1, 60))]
    form.get_by_label(re.compile("Inbreng, één per regel|Inputs, one per line")).fill(
        "\n".join(lines))
    with page.expect_navigation(wait_until="load"):
        form.get_by_role("button", name=label("Inbreng vastleggen", "Record the input")).click()
    axe_check()
    first = db.session.scalar(select(Input).where(Input.consultation_id == consultation_id,
                                                  Input.number == 1))
    assert (first.kind, first.original_text) == ("zorg", "Te weinig vervoer")
    assert db.session.scalar(select(InputTheme.theme_id).where(
        InputTheme.input_id == first.id)) == theme_id
    page.goto(f"/consultations/{consultation_id}/inputs")
    axe_check()
    filters = page.get_by_role("search")
    filters.get_by_label(re.compile("^(Tafel|Table)$")).select_option(label="Tafel meedoen")
    filters.get_by_label(label("Verwerkt", "Processed")).select_option("no")
    filters.get_by_label(re.compile("per (pagina|page)")).select_option("50")
    with page.expect_navigation(wait_until="load"):
        filters.get_by_role("button").click()
    axe_check()
    main = page.get_by_role("main")
    main.get_by_label(label("Ja", "Yes")).check()
    with page.expect_navigation(wait_until="load"):
        main.get_by_role("button", name=re.compile("50")).click()
    axe_check()
    expect(page.locator(".utrecht-alert--ok")).to_contain_text("50")
    expect(main.get_by_role("table").locator("tbody tr")).to_have_count(10)
    assert f"table_id={table_id}" in page.url and "per_page=50" in page.url
