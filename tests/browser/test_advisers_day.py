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
from app.consultations.feedback.models import FeedbackLetter, FeedbackMailing, LetterStatus
from app.consultations.inputs import services as inputs
from app.consultations.inputs.models import (
    Answer,
    Input,
    InputAnswer,
    StandardAnswer,
    SuggestedGroup,
    SuggestedGroupInput,
)
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
SUCCESS = ".utrecht-alert--ok"
STANDARD = "Regiotaxi"
STANDARD_TEXT = ("Wij bespreken de stiptheid van de regiotaxi met de vervoerder en sturen bij "
                 "waar dat nodig is.")


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

    def follow(self, name: re.Pattern[str] | Any, within: Any = None) -> None:
        """Click a link (by its name, or a locator) and scan the page it opens."""
        link = (within or self.main()).get_by_role("link", name=name).first \
            if isinstance(name, re.Pattern) else name
        with self.page.expect_navigation(wait_until="load"):
            link.click()
        self.axe_check()

    def download(self, control: Any) -> bytes:
        """What clicking ``control`` downloads (a download opens no new page to scan)."""
        with self.page.expect_download() as started:
            control.click()
        return Path(started.value.path()).read_bytes()


def fresh() -> None:
    """End the test thread's transaction, so it reads what the server committed since."""
    db.session.rollback()


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
    services.register_participants(meeting, attendees, attended=True,
                                   seats={attendee.id: table.id for attendee in attendees})
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


def answer_a_group_with_a_standard_answer(day: Day) -> None:
    """A standard answer made on its page; the imported e-mails about the regiotaxi proposed
    as a group (a job); the group answered at once with that standard answer."""
    period = day.ids["period"]
    day.go(f"/consultations/{period}/inputs")
    day.follow(label("Antwoordwerkplek", "Answer workspace"))
    day.follow(label("Standaardantwoorden", "Standard answers"))
    day.follow(label("Standaardantwoord toevoegen", "Add a standard answer"))
    form = day.main()
    form.get_by_label(label("Titel", "Title")).fill(STANDARD)
    form.get_by_label(label("Antwoord", "Answer")).fill(STANDARD_TEXT)
    form.get_by_label(label("Besluit", "Decision")).select_option(label="Al voorzien")
    day.press(label("Opslaan", "Save"))
    expect(day.page.locator(SUCCESS)).to_be_visible()
    day.follow(label("Terug naar de antwoordwerkplek", "Back to the answer workspace"))
    day.follow(label("Groepen van vergelijkbare reacties", "Groups of similar reactions"))
    day.press(label("Groepen voorstellen", "Propose groups"))
    expect(day.main().get_by_role("status")).to_contain_text(re.compile(
        "1 groep voorgesteld|1 group proposed"))
    day.follow(label("Toon de groepen", "Show the groups"))
    fresh()
    group = db.session.scalar(select(SuggestedGroup).where(
        SuggestedGroup.consultation_id == period))
    members = set(db.session.scalars(select(SuggestedGroupInput.input_id).where(
        SuggestedGroupInput.group_id == group.id)))
    taxi = set(db.session.scalars(select(Input.id).where(
        Input.consultation_id == period, Input.original_text.contains("regiotaxi"))))
    assert members == taxi and len(taxi) == len(MAILS)
    panel = day.main().locator(f"#group-{group.id}")
    day.follow(re.compile("^(Deze groep beantwoorden|Answer this group)"), within=panel)
    expect(day.main()).to_contain_text(re.compile("3 inbrengen gekozen|3 inputs chosen"))
    day.press(re.compile(f"^(Gebruiken|Use) {STANDARD}$"))
    expect(day.main().get_by_label(label("Antwoord", "Answer"))).to_have_value(STANDARD_TEXT)
    day.press(label("Antwoord vastleggen", "Record the answer"))
    expect(day.page.locator(SUCCESS)).to_contain_text(re.compile(
        "vastgelegd voor 3 inbrengen|recorded for 3 inputs"))
    fresh()
    standard = db.session.scalar(select(StandardAnswer.id).where(
        StandardAnswer.title == STANDARD))
    answered = dict(db.session.execute(
        select(InputAnswer.input_id, Answer.standard_answer_id)
        .join(Answer, Answer.id == InputAnswer.answer_id)
        .where(InputAnswer.input_id.in_(members))).all())
    assert answered == {input_id: standard for input_id in members}


def report_and_feedback_to_the_attendees(day: Day) -> None:
    """The werkconferentie's report, in Koers and as PDF and Word; then one letter to each
    attendee about their table, previewed and sent once."""
    meeting = day.ids["meeting"]
    day.go(f"/consultations/{meeting}")
    day.follow(label("Verslag", "Meeting report"))
    report = day.main()
    expect(report.get_by_role("heading", name="Tafel eenzaamheid")).to_be_visible()
    expect(report).to_contain_text(POST_ITS[0])
    pdf = day.download(report.get_by_role("link", name=re.compile("PDF")))
    assert pdf.startswith(b"%PDF") and POST_ITS[0] in "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    docx = day.download(report.get_by_role("link", name=re.compile("DOCX")))
    assert docx.startswith(b"PK")  # a Word file is a zip
    day.follow(label("Terugkoppeling aan deelnemers", "Feedback to attendees"))
    preview = day.main().get_by_role("article")
    expect(preview).to_contain_text("Tafel eenzaamheid")
    expect(preview).to_contain_text(POST_ITS[0])
    # A colleague has the same page open in another tab.
    other = day.page.context.new_page()
    other.goto(day.page.url)
    day.axe_check(other)
    day.press(re.compile("(Terugkoppeling versturen aan|Send feedback to) 2 "))
    expect(day.page.locator(SUCCESS)).to_contain_text(re.compile(
        "onderweg: 2 brieven|on its way: 2 letters"))
    expect(day.main()).to_contain_text(re.compile("Al verstuurd aan 2|Already sent to 2"))
    expect(day.main().get_by_role("button", name=re.compile("versturen|Send feedback"))
           ).to_have_count(0)
    # The stale tab's "send" is refused: every attendee is told once.
    with other.expect_navigation(wait_until="load"):
        other.get_by_role("main").get_by_role(
            "button", name=re.compile("(Terugkoppeling versturen aan|Send feedback to) 2 ")
        ).click()
    day.axe_check(other)
    expect(other.get_by_role("main")).to_contain_text(re.compile(
        "al verstuurd|already been sent"))
    other.close()
    fresh()
    mailings = db.session.scalars(select(FeedbackMailing.id).where(
        FeedbackMailing.consultation_id == meeting, FeedbackMailing.kind == "meeting")).all()
    assert len(mailings) == 1
    assert db.session.scalar(select(func.count()).select_from(FeedbackLetter).where(
        FeedbackLetter.mailing_id == mailings[0])) == 2


def send_feedback_to_the_participants(day: Day) -> None:
    """The last open reaction (Dirk Bakker's letter) answered in the workspace, then the
    comment period's feedback sent: e-mail for those with an address, post for Dirk."""
    period = day.ids["period"]
    day.go(f"/consultations/{period}/inputs")
    day.follow(label("Antwoordwerkplek", "Answer workspace"))
    row = day.main().get_by_role("row").filter(has_text="Dirk Bakker")
    row.get_by_role("checkbox").check()
    day.press(label("Selectie beantwoorden", "Answer selected"))
    form = day.main()
    form.get_by_label(label("Antwoord", "Answer")).fill(
        "Het buurthuis blijft in de zomer open; dat staat al in het plan.")
    form.get_by_label(label("Besluit", "Decision")).select_option(label="Al voorzien")
    day.press(label("Antwoord vastleggen", "Record the answer"))
    expect(day.page.locator(SUCCESS)).to_contain_text(re.compile(
        "vastgelegd voor 1 inbreng|recorded for 1 input"))
    day.go(f"/consultations/{period}")
    day.follow(label("Terugkoppeling aan deelnemers", "Feedback to participants"))
    expect(day.main()).to_contain_text(re.compile(
        "4 deelnemers: 3 per e-mail, 1 per post|4 participants: 3 by e-mail, 1 by post"))
    day.press(re.compile("(Terugkoppeling versturen aan|Send feedback to) 4 "))
    expect(day.page.locator(SUCCESS)).to_contain_text(re.compile(
        "onderweg: 4 brieven|on its way: 4 letters"))


def print_all_post_letters(day: Day) -> None:
    """After the feedback is sent, the letters to post come as one PDF, a letter per page,
    and are marked sent at once."""
    period = day.ids["period"]
    day.go(f"/consultations/{period}/feedback")
    post = day.page.locator("section[aria-labelledby=post]")
    fresh()
    letters = db.session.scalars(select(FeedbackLetter.id).where(
        FeedbackLetter.consultation_id == period, FeedbackLetter.channel == "post")).all()
    pdf = PdfReader(io.BytesIO(day.download(post.get_by_role(
        "button", name=re.compile("(Print all|Alle brieven afdrukken)")))))
    assert len(pdf.pages) == len(letters) == 1
    printed = pdf.pages[0].extract_text()
    assert "Dirk Bakker" in printed and "Dorpsstraat 1" in printed
    day.press(re.compile("(Mark all as sent|Alles als verzonden markeren)"), within=post)
    expect(day.page.locator(SUCCESS)).to_contain_text(re.compile(
        "1 brief is als verzonden gemarkeerd|1 letter is marked as sent"))
    expect(post).to_contain_text(re.compile("geen brieven|No letters"))
    fresh()
    assert db.session.scalars(select(FeedbackLetter.status).where(
        FeedbackLetter.id.in_(letters))).all() == [LetterStatus.SENT]


STEPS = [import_emails_and_a_spreadsheet, process_post_its_into_the_section,
         answer_a_group_with_a_standard_answer, report_and_feedback_to_the_attendees,
         send_feedback_to_the_participants, print_all_post_letters]


def test_the_advisers_day_at_its_volume_points(app, browser_page, axe_check, signed_in,
                                                make_user):
    adviser = make_user("editor", name="Eva Adviseur")
    day = Day(browser_page, axe_check, prepare(adviser))
    signed_in(adviser)
    for step in STEPS:
        step(day)
