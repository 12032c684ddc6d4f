"""The register's whole story in the browser: an editor imports a CSV file with a few bad rows
(sees the report, fixes the file, imports it), merges a duplicate, exports a person's data and
erases that person, who was secretary of an organisation and sent a scanned letter named after
herself. Afterwards no text column in the database — the audit trail and the job records
included — no byte of the database's files (or its dump), no stored file, no page and no export
holds the erased person's name or contact details. Every page on the way is scanned with axe."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.consultations import services as consultations
from app.consultations.inputs import attachments
from app.consultations.inputs import services as input_services
from app.consultations.inputs.services import InputData
from app.consultations.services import ConsultationData
from app.plans import services as plans
from app.plans.services import PlanData
from app.stakeholders.models import Membership, Stakeholder
from tests.traces import database_bytes, file_text, text_values, traces

pytestmark = pytest.mark.browser

NAME = "Wilhelmina Zonderland"
SECRETS = ["Zonderland", "Wilhelmina", "w.zonderland@example.nl", "0597 111 222",
           "Zonderlandweg"]
HEADER = "naam;soort;organisatie;functie;e-mail;telefoon;adres;categorieën;notities"
ROWS = [
    "Welzijn Koersdam;organisatie;;;info@welzijn.example;;;maatschappelijke partner;",
    f"{NAME};persoon;Welzijn Koersdam;secretaris Zonderland;w.zonderland@example.nl;"
    f"0597 111 222;"
    f"Zonderlandweg 1;mantelzorger;Belt op dinsdag",
    "Jan Bakker;persoon;Welzijn Koersdam;buurtcoach;jan@bakker.example;;;inwoner;",
    "Jan Baker;persoon;Welzijn Koersdam;;j.baker@example.nl;06 1234 5678;;inwoner;",
]
BAD_ROWS = [
    *ROWS,
    ";persoon;;;zonder.naam@example.nl;;;inwoner;",  # row 6: no name
    "Piet Post;persoon;Welzijn Koersdam;;piet@;;;inwoner;",  # row 7: e-mail
    "Kees Kat;persoon;;;kees@example.nl;12ab;;astronaut;",  # row 8: phone, category
]
NOTICE = ".utrecht-alert--ok"
BACK = re.compile("Terug naar de betrokkenen|Back to (the )?stakeholders")


def write_csv(path: Path, rows: list[str]) -> Path:
    # As Excel on Dutch Windows saves "CSV (semicolon delimited)": Windows-1252.
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode("cp1252"))
    return path


def upload(page, axe_check, path: Path) -> None:
    page.get_by_label(re.compile("Bestand|File")).set_input_files(path)
    page.get_by_role("main").locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/stakeholders/import/[0-9a-f-]{36}$"))
    axe_check()


def download(page, link, tmp_path: Path) -> bytes:
    with page.expect_download() as info:
        link.click()
    target = tmp_path / info.value.suggested_filename
    info.value.save_as(target)
    return target.read_bytes()


@pytest.fixture
def editor(make_user):
    return make_user("editor", name="Eva Editor")


def test_import_merge_export_and_erase_leave_no_trace(app, db, browser_page, axe_check,
                                                       signed_in, editor, tmp_path: Path):
    page = browser_page
    signed_in(editor)
    page.goto("/stakeholders/")
    axe_check()

    # --- import: the dry run reports every bad row, nothing is imported -----------------
    page.get_by_role("link", name=re.compile("^(Betrokkenen importeren|Import stakeholders)$"))\
        .click()
    expect(page).to_have_url(re.compile(r"/stakeholders/import$"))
    axe_check()
    upload(page, axe_check, write_csv(tmp_path / "betrokkenen.csv", BAD_ROWS))
    main = page.get_by_role("main")
    expect(main.get_by_role("alert")).to_contain_text(re.compile(r"\b3\b.*\b7\b"))
    problems = main.get_by_role("table").get_by_role("row")
    expect(problems).to_have_count(5)  # the header and four problems in three rows
    expect(problems.nth(1)).to_contain_text("6")
    expect(problems.nth(2)).to_contain_text("e-mail")
    expect(problems.nth(4)).to_contain_text("astronaut")
    assert db.session.scalar(select(Stakeholder.id).limit(1)) is None

    # --- the corrected file: checked, confirmed, imported ---------------------------------
    main.get_by_role("link", name=re.compile("Verbeterd bestand|corrected file")).click()
    axe_check()
    upload(page, axe_check, write_csv(tmp_path / "betrokkenen-verbeterd.csv", ROWS))
    expect(page.locator(NOTICE)).to_contain_text("4")
    page.get_by_role("main").get_by_role("button").click()
    expect(page.locator(NOTICE)).to_contain_text(re.compile("4 (betrokkenen|stakeholders)"))
    axe_check()
    db.session.expire_all()
    assert db.session.query(Membership).count() == 3

    # --- merge the duplicate --------------------------------------------------------------
    page.get_by_role("link", name=re.compile("^(Naar de betrokkenen|Go to the stakeholders)$"))\
        .click()
    axe_check()
    page.get_by_role("link", name=re.compile("Mogelijk dubbele|Possible duplicates")).click()
    axe_check()
    table = page.get_by_role("table")
    expect(table).to_contain_text("Jan Baker")
    table.get_by_role("link", name=re.compile(r"^(Registratie|Merge record) \d+ "
                                              r"(samenvoegen met registratie|into record) "
                                              r"\d+$")).first.click()
    expect(page).to_have_url(re.compile(r"/stakeholders/\d+/merge/\d+$"))
    axe_check()
    page.get_by_role("main").get_by_role("button").click()
    expect(page.locator(NOTICE)).to_be_visible()
    axe_check()
    db.session.expire_all()
    assert db.session.scalars(select(Stakeholder.name).where(
        Stakeholder.name.like("Jan Bak%"))).all() in (["Jan Bakker"], ["Jan Baker"])

    # --- export the person's data, then erase the person ----------------------------------
    page.get_by_role("link", name=BACK).click()
    axe_check()
    page.get_by_role("table").get_by_role("link", name=NAME).click()
    axe_check()
    person_id = int(re.search(r"/stakeholders/(\d+)$", page.url).group(1))
    exported = json.loads(download(page, page.get_by_role("link", name=re.compile(
        "Persoonsgegevens exporteren|Export personal data")), tmp_path))
    assert exported["stakeholder"]["name"] == NAME
    assert exported["stakeholder"]["phone"] == "0597 111 222"
    assert exported["linked"]["stakeholder_memberships.person_id"][0]["function"] == \
        "secretaris Zonderland"

    # --- a scanned letter from the person, named after her --------------------------------
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    period = consultations.create_consultation(plan, ConsultationData(
        title="Ontwerpbeleidsplan ter inzage", format="ter_inzage",
        published_on=date(2017, 5, 31)))
    letter = input_services.add_input(period, InputData(
        original_text="Ik maak bezwaar.", kind="zienswijze", channel="brief",
        received_on=date(2017, 7, 1), stakeholder_id=person_id))
    scan = attachments.add_attachment(letter, attachments.Upload(
        data=b"%PDF-1.4\n%%EOF\n", content_type="application/pdf",
        original_name=f"brief {NAME}.pdf"))
    db.session.commit()
    scan_id = scan.id

    page.get_by_role("link", name=re.compile(r"^(Persoonsgegevens wissen|Erase personal "
                                             r"data)$")).click()
    axe_check()
    page.get_by_role("button", name=re.compile("wissen|Erase", re.IGNORECASE)).click()
    expect(page).to_have_url(re.compile(rf"/stakeholders/{person_id}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("Gewiste persoon|Erased person"))
    axe_check()

    # --- what the browser still shows and downloads ----------------------------------------
    shown = [page.content()]
    page.get_by_role("link", name=BACK).click()
    axe_check()
    shown.append(page.content())
    exports = [download(page, page.get_by_role("link", name=re.compile(name)), tmp_path)
               for name in ("CSV", "Excel")]
    page.get_by_role("table").get_by_role("link", name="Welzijn Koersdam").click()
    axe_check()
    shown.append(page.content())
    organisation_id = int(re.search(r"/stakeholders/(\d+)$", page.url).group(1))
    exports.append(download(page, page.get_by_role("link", name=re.compile(
        "JSON")), tmp_path))
    page.goto(f"/consultations/inputs/{letter.id}")
    axe_check()
    shown.append(page.content())
    scan_link = page.get_by_role("link", name=f"bijlage-{scan_id}.pdf")
    with page.expect_download() as info:
        scan_link.click()
    assert info.value.suggested_filename == f"bijlage-{scan_id}.pdf"
    page.goto("/stakeholders/?q=zonderland")  # the page repeats the search words, no more
    axe_check()
    expect(page.get_by_role("table")).to_contain_text(
        re.compile("Geen betrokkenen gevonden|No stakeholders found"))

    organisation = json.loads(exports[-1])
    assert organisation["stakeholder"]["id"] == organisation_id
    members = organisation["linked"]["stakeholder_memberships.organisation_id"]
    assert person_id in [member["person_id"] for member in members]  # kept, unattributed
    assert "Welzijn Koersdam" in file_text(exports[0])  # the exports are real lists

    # --- and nothing anywhere ------------------------------------------------------------------
    db.session.expire_all()
    stored = [file_text(path.read_bytes()) for path in
              Path(app.config["KOERS_STORAGE_DIR"]).rglob("*") if path.is_file()]
    assert traces(SECRETS, text_values(db)) == [], "the database"
    assert traces(SECRETS, [file_text(content) for content in exports]) == [], "the exports"
    assert traces(SECRETS, shown) == [], "the pages"
    assert traces(SECRETS, stored) == [], "the stored files"
    assert traces(SECRETS, database_bytes(db).splitlines()) == [], "the database's bytes"
