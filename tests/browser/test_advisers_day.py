"""The adviser's day in the browser, at the points where volume is handled: written reactions
imported from e-mail files and from the post room's spreadsheet, a table's post-its processed
into a section of the plan at once, the werkconferentie's report and the feedback to its
attendees, a suggested group of reactions answered with a standard answer, and all post
letters printed as one PDF and marked sent. Every page is scanned with axe.

The plan, the werkconferentie with its post-its and attendees and the comment period exist
beforehand (they are built and tested on their own pages elsewhere); the story is a list of
steps, each a function taking the shared :class:`Day`.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import func, select

from app.consultations import services
from app.consultations.inputs import services as inputs
from app.consultations.inputs.models import Input
from app.consultations.inputs.services import InputData
from app.consultations.services import ConsultationData
from app.database import db
from app.plans import services as plans
from app.plans.programme import services as programme
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData
from tests.mail import eml, zipped

pytestmark = pytest.mark.browser

SECTION = "Samen tegen eenzaamheid"
POST_ITS = ["Een buurtkamer in elk dorp", "Koffieochtend in het dorpshuis",
            "Vrijwilligers die ouderen thuis bezoeken"]
# three e-mailed reactions on the same subject: a suggested group
MAILS = [("Anna de Vries <anna@example.nl>",
          "De regiotaxi komt steeds te laat bij de dagbesteding."),
         ("Bert Jansen <bert@example.nl>", "Mijn moeder wacht elke week een uur op de regiotaxi."),
         ("Carla Smit <carla@example.nl>", "De regiotaxi rijdt te laat en de ritten zijn te duur.")]
SHEET = ("afzender;adres;postcode;woonplaats;ontvangen op;kanaal;tekst\r\n"
         "Dirk Bakker;Dorpsstraat 1;9679 AB;Scheemda;03-07-2017;brief;"
         "Het buurthuis moet open blijven in de zomer.\r\n")
SUCCESS = ".notice--success"


def label(dutch: str, english: str) -> re.Pattern[str]:
    return re.compile(f"^({dutch}|{english})$")


@dataclass
class Day:
    """What the steps share: the page, its axe check, and the records made beforehand."""

    page: Any
    axe_check: Any
    ids: dict[str, int] = field(default_factory=dict)

    def go(self, path: str) -> None:
        self.page.goto(path)
        self.axe_check()

    def main(self) -> Any:
        return self.page.get_by_role("main")

    def press(self, name: re.Pattern[str], within: Any = None) -> None:
        with self.page.expect_navigation(wait_until="load"):
            (within or self.main()).get_by_role("button", name=name).first.click()
        self.axe_check()


def prepare(adviser: Any) -> dict[str, int]:
    """The plan with a theme and its section, the werkconferentie with a table on the theme,
    its post-its and two attendees at that table, and the comment period."""
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan",
                                      owner_id=adviser.id))
    theme = programme.add_theme(plan, "Eenzaamheid")
    section = plans.add_section(plan, SECTION, "Wat we samen doen tegen eenzaamheid.")
    meeting = services.create_consultation(plan, ConsultationData(
        title="Werkconferentie Samen Krachtig", format="werkconferentie"))
    table = services.add_table(meeting, "Tafel eenzaamheid", theme=theme)
    inputs.add_inputs(meeting, [InputData(original_text=text, kind="idee", table_id=table.id,
                                          theme_ids=[theme.id]) for text in POST_ITS])
    attendees = [register.create(StakeholderData(name="Els Bos", email="els@example.nl")),
                 register.create(StakeholderData(name="Welzijn Oldambt", kind="organisation",
                                                 email="info@welzijn.example.nl"))]
    services.register_participants(meeting, attendees, attended=True)
    period = services.create_consultation(plan, ConsultationData(
        title="Ontwerpbeleidsplan ter inzage", format="ter_inzage",
        published_on=date(2017, 5, 31)))
    db.session.commit()
    return {"plan": plan.id, "theme": theme.id, "section": section.id, "meeting": meeting.id,
            "table": table.id, "period": period.id}


# --- the steps ------------------------------------------------------------------------------

def import_emails_and_a_spreadsheet(day: Day) -> None:
    """E-mails in a zip and the post room's spreadsheet, uploaded together: checked, then
    imported with one button."""
    period = day.ids["period"]
    day.go(f"/consultations/{period}/inputs")
    with day.page.expect_navigation(wait_until="load"):
        day.main().get_by_role("link", name=label("Reacties importeren", "Import reactions")
                               ).first.click()
    day.axe_check()
    mails = zipped({f"{n}.eml": eml(sender, body=body, message_id=f"m{n}@example.nl")
                    for n, (sender, body) in enumerate(MAILS)})
    day.main().locator("input[type=file]").set_input_files([
        {"name": "inbox.zip", "mimeType": "application/zip", "buffer": mails},
        {"name": "post.csv", "mimeType": "text/csv", "buffer": SHEET.encode("utf-8")}])
    day.press(label("Bestanden controleren", "Check the files"))
    expect(day.main()).to_contain_text(re.compile(
        "4 reacties zijn klaar om te importeren|4 reactions are ready to import"))
    day.press(re.compile("(Importeren|Import) 4|4 reacties importeren|Import 4 reactions"))
    expect(day.main().get_by_role("status")).to_contain_text(re.compile(
        "4 reacties zijn geïmporteerd|4 reactions have been imported"))
    assert db.session.scalar(select(func.count()).select_from(Input).where(
        Input.consultation_id == period)) == 4


def process_post_its_into_the_section(day: Day) -> None:
    """The table's post-its, filtered on the input list, all taken into one section."""
    meeting = day.ids["meeting"]
    day.go(f"/consultations/{meeting}/inputs")
    filters = day.page.get_by_role("search")
    filters.get_by_label(label("Tafel", "Table")).select_option(label="Tafel eenzaamheid")
    with day.page.expect_navigation(wait_until="load"):
        filters.get_by_role("button").click()
    day.axe_check()
    main = day.main()
    main.get_by_label(label("Ja", "Yes")).check()
    main.get_by_label(re.compile("^(Opgenomen in|Taken into)")).select_option(label=SECTION)
    day.press(re.compile("(3).*(pagina|page)|(pagina|page).*(3)"))
    expect(day.page.locator(SUCCESS)).to_contain_text("3")
    traced = db.session.scalars(select(Input.used_section_id).where(
        Input.consultation_id == meeting)).all()
    assert traced == [day.ids["section"]] * 3


def print_all_post_letters(day: Day) -> None:
    """After the feedback is sent, the letters to post come as one PDF, a letter per page,
    and are marked sent at once."""
    period = day.ids["period"]
    day.go(f"/consultations/{period}/feedback")
    post = day.page.locator("section[aria-labelledby=post]")
    with day.page.expect_download() as download:
        post.get_by_role("button", name=re.compile("(Print all|Alle brieven afdrukken)")).click()
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert len(pdf.pages) >= 1 and "Dirk Bakker" in pdf.pages[0].extract_text()
    day.press(re.compile("(Mark all as sent|Alle als verzonden)"), within=post)
    expect(day.page.locator(SUCCESS)).to_be_visible()


STEPS = [import_emails_and_a_spreadsheet, process_post_its_into_the_section]


def test_the_advisers_day_at_its_volume_points(app, browser_page, axe_check, signed_in,
                                                make_user):
    adviser = make_user("editor", name="Eva Adviseur")
    day = Day(browser_page, axe_check, prepare(adviser))
    signed_in(adviser)
    for step in STEPS:
        step(day)
