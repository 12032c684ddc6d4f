"""A consultation's whole story in the browser: a policy adviser (editor) records a
werkconferentie with two tables on the plan's themes and types one table's post-its in bulk,
lays the ontwerp open for inspection and reads the computed last day, registers written
reactions — one on time, one posted in time but received after the last day (on time), one
late — answers them (one answer covering two) with decisions linked to the sections they
changed, and reads who was heard and what is still open. Every page is scanned with axe.

The story is a list of steps, each a function taking the shared :class:`Story`; a later step
(sending the terugkoppeling, downloading the nota van beantwoording) is appended to ``STEPS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from app.consultations.inputs.models import Answer, Input, InputAnswer
from app.consultations.models import Consultation
from app.database import db
from app.plans import services as plans
from app.plans.programme import services as programme
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData

pytestmark = pytest.mark.browser

PLAN = "Samen Krachtig"
THEMES = ("Meedoen & meetellen", "Voorkomen")
SECTIONS = ("Meedoen en meetellen", "Samen voorkomen")
MEETING = "Werkconferentie Samen Krachtig"
PERIOD = "Ontwerpbeleidsplan ter inzage"
POST_ITS = ["Een buurtkamer in elk dorp", "Vervoer naar de dagbesteding",
            "Vrijwilligers beter waarderen"]
SAVE = re.compile("^(Opslaan|Save)$")
# who wrote the first two letters: one can be e-mailed, the other gets a letter by post
SENDERS = [("Anna de Vries", "anna@example.nl"), ("Bert Jansen", None)]
SUCCESS = ".utrecht-alert--ok"


@dataclass
class Story:
    """What the steps share: the page, its axe check, and what earlier steps made."""

    page: Any
    axe_check: Any
    plan_id: int
    made: dict[str, Any] = field(default_factory=dict)

    def check(self) -> None:
        self.axe_check()

    def main(self) -> Any:
        return self.page.get_by_role("main")

    def submit(self, name: re.Pattern[str]) -> None:
        with self.page.expect_navigation(wait_until="load"):
            self.main().get_by_role("button", name=name).click()
        self.check()

    def follow(self, name: re.Pattern[str]) -> None:
        with self.page.expect_navigation(wait_until="load"):
            self.main().get_by_role("link", name=name).first.click()
        self.check()

    def open_consultation(self, title: str) -> None:
        """From the Inspraak tab, the consultation called ``title`` (for later steps)."""
        self.page.goto(f"/consultations/plan/{self.plan_id}")
        self.check()
        self.follow(re.compile(f"^{re.escape(title)}$"))


def label(dutch: str, english: str) -> re.Pattern[str]:
    return re.compile(f"^({dutch}|{english})$")


# --- the steps ------------------------------------------------------------------------------

def record_werkconferentie(story: Story) -> None:
    """From the plan's Inspraak tab: a new werkconferentie, then a table per theme."""
    page = story.page
    page.goto(f"/plans/{story.plan_id}")
    story.check()
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("navigation", name=re.compile(
            "Onderdelen van dit plan|Parts of this plan")).get_by_role(
            "link", name=re.compile("^(Inspraak|Consultations)")).click()
    story.check()
    story.follow(label("Nieuwe raadpleging", "New consultation"))
    form = story.main()
    form.get_by_label(label("Titel", "Title")).fill(MEETING)
    form.get_by_label(label("Soort raadpleging", "Kind of consultation")).select_option(
        "werkconferentie")
    form.get_by_label(label("Begin", "Start")).fill("2017-03-23T14:00")
    form.get_by_label(label("Einde", "End")).fill("2017-03-23T17:00")
    form.get_by_label(label("Locatie", "Location")).fill("De Tamboer, Hoogeveen")
    story.submit(SAVE)
    expect(page).to_have_url(re.compile(r"/consultations/\d+$"))
    story.made["meeting_url"] = page.url
    expect(page.get_by_role("heading", level=2, name=MEETING)).to_be_visible()
    for topic, theme in (("Tafel meedoen", THEMES[0]), ("Tafel voorkomen", THEMES[1])):
        adding = story.main().locator("form", has=page.get_by_role(
            "heading", name=label("Tafel toevoegen", "Add a table")))
        adding.get_by_label(label("Onderwerp", "Topic")).fill(topic)
        adding.get_by_label(re.compile("^(Thema|Theme|Pijler|Focuspunt)$")).select_option(
            label=theme)
        story.submit(label("Tafel toevoegen", "Add table"))
        expect(page.locator(SUCCESS)).to_contain_text(topic)
    tables = story.main().get_by_role("table").first
    expect(tables.get_by_role("row", name=re.compile("Tafel meedoen"))).to_contain_text(
        THEMES[0])
    expect(tables.get_by_role("row", name=re.compile("Tafel voorkomen"))).to_contain_text(
        THEMES[1])


def enter_bulk_input(story: Story) -> None:
    """After the meeting: one table's post-its typed in one go."""
    page = story.page
    page.goto(story.made["meeting_url"])
    story.check()
    story.follow(label("Inbreng van een bijeenkomst vastleggen", "Record a meeting's input"))
    form = story.main()
    form.get_by_label(re.compile("^(Tafel|Tabel|Table)$")).select_option(label="Tafel meedoen")
    form.get_by_label(label("Deelnemersgroep", "Participant group")).select_option("inwoner")
    form.get_by_label(label("Soort inbreng", "Kind of input")).select_option("idee")
    form.get_by_label(re.compile("Inbreng, één per regel|Inputs, one per line")).fill(
        "\n".join(POST_ITS) + "\n\n")
    form.get_by_role("checkbox", name=THEMES[0]).check()
    story.submit(label("Inbreng vastleggen", "Record the input"))
    expect(page.locator(SUCCESS)).to_contain_text("3")
    # The form stays for the next table, with the group and kind kept.
    expect(story.main().get_by_label(label("Deelnemersgroep", "Participant group"))) \
        .to_have_value("inwoner")
    story.follow(label("Afgerond|Klaar", "Done"))
    rows = story.main().get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(3)
    for text in POST_ITS:
        expect(story.main()).to_contain_text(text)


def open_ter_inzage(story: Story) -> None:
    """The ontwerp lies open from Wednesday 31 May 2017: the last day is computed (Tuesday 11
    July 2017, the Awb's way of counting, day 1 included) and explained."""
    page = story.page
    page.goto(f"/consultations/plan/{story.plan_id}")
    story.check()
    story.follow(label("Nieuwe raadpleging", "New consultation"))
    form = story.main()
    form.get_by_label(label("Titel", "Title")).fill(PERIOD)
    form.get_by_label(label("Soort raadpleging", "Kind of consultation")).select_option(
        "ter_inzage")
    form.get_by_label(label("Ter inzage gelegd op", "Laid open on")).fill("2017-05-31")
    form.get_by_label(label("Wettelijke grondslag", "Legal basis")).fill(
        "Inspraakverordening Coevorden, art. 3")
    story.submit(SAVE)
    expect(page).to_have_url(re.compile(r"/consultations/\d+$"))
    story.made["period_url"] = page.url
    panel = story.main().locator("section", has=page.get_by_role(
        "heading", name=label("Laatste dag voor reacties", "Last day for reactions")))
    expect(panel.locator(".utrecht-paragraph--lead")).to_have_text(
        re.compile(r"11 (juli|July) 2017"))
    expect(panel).to_contain_text(re.compile(r"31 (mei|May) 2017"))
    expect(panel).to_contain_text("Inspraakverordening Coevorden, art. 3")


def register_reaction(story: Story, *, text: str, summary: str, received: str,
                      postmark: str | None, on_time: bool, sender: str | None = None) -> None:
    page = story.page
    page.goto(story.made["period_url"])
    story.check()
    story.follow(label("Schriftelijke reactie vastleggen", "Record a written reaction"))
    form = story.main()
    if sender:  # found in the register by name, then chosen
        form.get_by_role("searchbox").fill(sender.split()[0])
        with page.expect_navigation(wait_until="load"):
            form.get_by_role("button", name=label("Zoeken", "Search")).click()
        story.check()
        form.get_by_role("radio", name=re.compile(re.escape(sender))).check()
    form.get_by_label(label("Soort inbreng", "Kind of input")).select_option("zienswijze")
    form.get_by_label(label("Kanaal", "Channel")).select_option("brief")
    form.get_by_label(label("Ontvangen op", "Received on")).fill(received)
    if postmark:
        form.get_by_label(label("Datum poststempel", "Postmark date")).fill(postmark)
    form.get_by_label(label("Oorspronkelijke tekst", "Original text")).fill(text)
    form.get_by_label(label("Samenvatting", "Summary")).fill(summary)
    story.submit(label("Reactie vastleggen", "Record the reaction"))
    notice = page.locator(SUCCESS)
    if on_time:
        expect(notice).to_contain_text(re.compile("op tijd|on time"))
    else:
        expect(notice).to_contain_text(re.compile("te laat|is late"))


def register_written_reactions(story: Story) -> None:
    """Three letters: in time; posted on the last day and received two days later (on time,
    Awb art. 6:9); posted and received after the last day (late, kept and flagged)."""
    register_reaction(story, text="Ik mis de mantelzorgers in hoofdstuk 1.",
                      summary="Mantelzorgers ontbreken", received="2017-06-20", postmark=None,
                      on_time=True, sender=SENDERS[0][0])
    register_reaction(story, text="Ook de vrijwilligers verdienen een plaats.",
                      summary="Vrijwilligers ontbreken", received="2017-07-13",
                      postmark="2017-07-11", on_time=True, sender=SENDERS[1][0])
    register_reaction(story, text="Preventie moet bij de huisarts beginnen.",
                      summary="Preventie bij de huisarts", received="2017-07-20",
                      postmark="2017-07-19", on_time=False)
    rows = story.main().get_by_role("table").locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).not_to_contain_text(re.compile("Te laat|Late"))
    expect(rows.nth(1)).not_to_contain_text(re.compile("Te laat|Late"))
    expect(rows.nth(2)).to_contain_text(re.compile("Te laat|Late"))


def answer_reactions(story: Story) -> None:
    """One answer for the first two reactions (partly adopted, changing the first section);
    one for the late reaction (adopted, changing the second)."""
    page = story.page
    page.goto(story.made["period_url"])
    story.check()
    story.follow(label("Inbreng beantwoorden", "Answer input"))
    for number, summary in ((1, "Mantelzorgers ontbreken"), (2, "Vrijwilligers ontbreken")):
        story.main().get_by_role("checkbox", name=f"{number}. {summary}").check()
    story.main().get_by_label(label("Antwoord", "Answer")).fill(
        "Mantelzorgers en vrijwilligers krijgen een eigen paragraaf.")
    story.main().get_by_label(label("Besluit", "Decision")).select_option("deels_overgenomen")
    story.main().get_by_label(re.compile("Hoofdstuk van het plan|Section of the plan")) \
        .select_option(label=SECTIONS[0])
    story.submit(label("Antwoord vastleggen", "Record the answer"))
    expect(page.locator(SUCCESS)).to_contain_text("2")
    story.follow(label("Inbreng beantwoorden", "Answer input"))
    story.main().get_by_role("checkbox", name="3. Preventie bij de huisarts").check()
    story.main().get_by_label(label("Antwoord", "Answer")).fill(
        "De huisarts wordt partner in het preventieprogramma.")
    story.main().get_by_label(label("Besluit", "Decision")).select_option("overgenomen")
    story.main().get_by_label(re.compile("Hoofdstuk van het plan|Section of the plan")) \
        .select_option(label=SECTIONS[1])
    story.submit(label("Antwoord vastleggen", "Record the answer"))
    rows = story.main().get_by_role("table").locator("tbody tr")
    expect(rows.nth(0)).to_contain_text("Deels overgenomen")
    expect(rows.nth(1)).to_contain_text("Deels overgenomen")
    # What the pages showed is what was stored: two answers, the first covering two inputs.
    period = db.session.scalar(select(Consultation).where(Consultation.title == PERIOD))
    covered = db.session.execute(
        select(Input.number, Answer.decision, Answer.changed_section_id)
        .join(InputAnswer, InputAnswer.input_id == Input.id)
        .join(Answer, Answer.id == InputAnswer.answer_id)
        .where(Input.consultation_id == period.id).order_by(Input.number)).all()
    sections = story.made["section_ids"]
    assert [tuple(row) for row in covered] == [
        (1, "deels_overgenomen", sections[0]), (2, "deels_overgenomen", sections[0]),
        (3, "overgenomen", sections[1])]
    story.made["period_id"] = period.id


def see_coverage(story: Story) -> None:
    """Who was heard: the three post-its under their theme as residents; nothing of the
    comment period is open any more, the meeting's post-its still wait for processing."""
    page = story.page
    page.goto(f"/consultations/plan/{story.plan_id}")
    story.check()
    story.follow(re.compile("Wie is gehoord|Who was heard"))
    heard = story.main().get_by_role("table").first
    row = heard.get_by_role("row", name=re.compile(re.escape(THEMES[0])))
    expect(row.get_by_role("cell").first).to_have_text("3")  # Inwoner (resident)
    expect(row.get_by_role("cell").last).to_have_text("3")  # total
    still_open = story.main().get_by_role("table").nth(1)
    expect(still_open.get_by_role("row", name=re.compile(MEETING))).to_contain_text(
        re.compile(r"3\s+3"))
    expect(still_open.get_by_role("row", name=re.compile(PERIOD)).get_by_role("cell").last) \
        .to_have_text("0")


def send_feedback(story: Story) -> None:
    """Terugkoppeling: Anna gets an e-mail (in the outbox, once), Bert a letter to post; a
    second press finds nobody waiting."""
    page = story.page
    page.goto(story.made["period_url"])
    story.check()
    story.follow(label("Terugkoppeling aan deelnemers", "Feedback to participants"))
    waiting = story.main().get_by_role("table").first
    expect(waiting).to_contain_text(SENDERS[0][0])
    expect(waiting).to_contain_text(SENDERS[1][0])
    story.submit(re.compile("(Terugkoppeling versturen|Send feedback) .*2"))
    expect(page.locator(SUCCESS)).to_contain_text("2")
    expect(story.main()).to_contain_text(re.compile(
        "Niemand wacht op terugkoppeling|Nobody is waiting for feedback"))
    expect(story.main().get_by_role("table", name=re.compile(
        "af te drukken|print and post"))).to_contain_text(SENDERS[1][0])
    story.follow(re.compile("Alle brieven in het postvak uit|All letters in the outbox"))
    row = story.main().get_by_role("row", name=re.compile(SENDERS[0][0]))
    expect(row).to_contain_text(re.compile("Verzonden|Sent"))
    outbox = Path(story.made["outbox"])
    sent = [path.read_text(encoding="utf-8") for path in outbox.glob("*.eml")]
    assert len(sent) == 1 and SENDERS[0][1] in sent[0]  # one e-mail, to Anna, once
    assert "Mantelzorgers ontbreken" in sent[0]


def download_nota(story: Story) -> None:
    """The nota van beantwoording, generated as a job and downloaded as PDF and DOCX: grouped
    by theme, each reaction by number with its summary and answer, never the letter itself."""
    page = story.page
    page.goto(story.made["period_url"])
    story.check()
    story.follow(label("Nota van beantwoording", "Nota van beantwoording"))
    story.submit(re.compile("nota van beantwoording", re.I))
    expect(page.locator(SUCCESS)).to_contain_text("3")
    texts = {}
    for file_format in ("PDF", "DOCX"):
        with page.expect_download() as download:
            story.main().get_by_role("link", name=re.compile(
                f"(Downloaden als|Download as) {file_format}")).click()
        texts[file_format] = _document_text(Path(download.value.path()), file_format)
    for content in texts.values():
        for number, summary in ((1, "Mantelzorgers ontbreken"), (2, "Vrijwilligers ontbreken"),
                                (3, "Preventie bij de huisarts")):
            assert str(number) in content and summary in content
        assert "Mantelzorgers en vrijwilligers krijgen een eigen paragraaf." in content
        assert "Ik mis de mantelzorgers in hoofdstuk 1." not in content  # never the letter
        # the reactions concern no theme of the plan: they stand under the general heading
        general = re.search("Algemeen|General", content)
        assert general and general.start() < content.index("Mantelzorgers ontbreken")


def _document_text(path: Path, file_format: str) -> str:
    if file_format == "PDF":
        return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)
    return "\n".join(paragraph.text for paragraph in Document(str(path)).paragraphs)


STEPS = [record_werkconferentie, enter_bulk_input, open_ter_inzage,
         register_written_reactions, answer_reactions, see_coverage, send_feedback,
         download_nota]


# --- the test -------------------------------------------------------------------------------

@pytest.fixture
def adviser(make_user):
    return make_user("editor", name="Eva Adviseur")


@pytest.fixture
def plan(app, adviser):
    for name, email in SENDERS:
        register.create(StakeholderData(name=name, email=email, categories=["inwoner"]))
    plan = plans.create_plan(PlanData(title=PLAN, kind="beleidsplan", owner_id=adviser.id))
    for theme in THEMES:
        programme.add_theme(plan, theme)
    sections = [plans.add_section(plan, title, "Tekst van het ontwerp.") for title in SECTIONS]
    db.session.commit()
    return plan, [section.id for section in sections]


def test_a_consultation_from_werkconferentie_to_answered_reactions(
        app, browser_page, axe_check, signed_in, adviser, plan):
    found, section_ids = plan
    signed_in(adviser)
    story = Story(browser_page, axe_check, found.id, {
        "section_ids": section_ids, "outbox": app.config["KOERS_MAIL"].outbox_dir})
    for step in STEPS:
        step(story)
