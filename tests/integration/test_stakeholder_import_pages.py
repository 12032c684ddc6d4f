"""The import pages: upload → the check (a dry run) and its report → confirm → the import job;
the refusals for bad files; who sees which job; the list export's download."""

from __future__ import annotations

import csv
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.jobs.models import Job
from app.stakeholders import services
from app.stakeholders.models import Membership, Stakeholder
from app.stakeholders.services import StakeholderData
from app.storage import storage

HEADER = "naam;soort;organisatie;functie;e-mail;telefoon;categorieën"
GOOD = [
    "Buurtzorg Koersdam;organisatie;;;info@buurtzorg.example;;zorgaanbieder",
    "Anna de Vries;persoon;Buurtzorg Koersdam;wijkverpleegkundige;anna@example.nl;"
    "06 1234 5678;inwoner",
    "Bert Jansen;;;;bert@example.nl;;mantelzorger",
]
BAD = [
    GOOD[0],
    ";persoon;;;leeg@example.nl;;inwoner",  # row 3: no name
    "Anna de Vries;persoon;Buurtzorg Koersdam;;anna@;06 1234 5678;inwoner",  # row 4: e-mail
    "Bert Jansen;;;;bert@example.nl;12ab;astronaut",  # row 5: phone and category
]


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def csv_file(lines: list[str], encoding: str = "utf-8-sig") -> bytes:
    return ("\r\n".join([HEADER, *lines]) + "\r\n").encode(encoding)


def upload(client, content: bytes, filename: str = "betrokkenen.csv"):
    return client.submit("/stakeholders/import", {"file": (io.BytesIO(content), filename)},
                         content_type="multipart/form-data")


def text(response) -> str:
    return response.get_data(as_text=True)


def stakeholder_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Stakeholder))


def uploads(app) -> list[str]:
    return sorted(entry.key for entry in storage().entries("imports"))


def job_url(response) -> str:
    assert response.status_code == 302, text(response)
    assert re.fullmatch(r"/stakeholders/import/[0-9a-f-]{36}", response.location)
    return response.location


def test_the_upload_page_explains_the_columns(client, login_as):
    login_as("editor")
    page = text(client.get("/stakeholders/import"))
    assert "Import stakeholders" in page and 'enctype="multipart/form-data"' in page
    for header in ("naam", "organisatie", "e-mail", "bewaren_tot"):
        assert f"<code>{header}</code>" in page
    template = client.get("/stakeholders/import/template.csv")
    assert template.status_code == 200 and template.mimetype == "text/csv"
    assert template.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert template.get_data().decode("utf-8-sig").startswith("naam;soort;organisatie")


def test_a_file_with_bad_rows_is_reported_and_nothing_is_imported(app, client, login_as, db):
    login_as("editor")
    before = stakeholder_count(db)
    page = text(client.get(job_url(upload(client, csv_file(BAD)))))
    assert "3 of 4 rows have problems, so nothing has been imported." in page
    rows = re.findall(r"<tr><td class=\"number\">(\d+)</td><td>([^<]*)</td><td>([^<]*)</td>",
                      page)
    assert rows == [
        ("3", "naam", "The name is missing."),
        ("4", "e-mail", "Not a valid e-mail address."),
        ("5", "telefoon", "Not a valid phone number."),
        ("5", "categorieën", "Unknown category: astronaut."),
    ]
    assert "Upload the corrected file" in page and "/confirm" not in page
    assert stakeholder_count(db) == before
    assert uploads(app) == []  # a rejected file's personal data is not kept


def test_a_clean_file_is_checked_then_imported_once_confirmed(app, client, login_as, db):
    editor = login_as("editor")
    check_url = job_url(upload(client, csv_file(GOOD)))
    page = text(client.get(check_url))
    assert ("All 3 rows are ready to import: 2 persons and 1 organisations, with 1 "
            "memberships.") in page
    assert stakeholder_count(db) == 0  # the check imports nothing
    assert len(uploads(app)) == 1

    confirm = client.submit(f"{check_url}/confirm")
    import_url = job_url(confirm)
    assert import_url != check_url
    page = text(client.get(import_url))
    assert "3 stakeholders have been imported" in page
    anna = db.session.scalars(select(Stakeholder).where(Stakeholder.name == "Anna de Vries")).one()
    assert anna.email == "anna@example.nl" and anna.category_codes == ["inwoner"]
    membership = db.session.scalars(select(Membership)).one()
    assert membership.person_id == anna.id and membership.function == "wijkverpleegkundige"
    assert membership.organisation.name == "Buurtzorg Koersdam"
    assert uploads(app) == []  # imported: the file is gone

    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.entity_type.in_(["stakeholders", "stakeholder_imports"]))).all()
    assert sum(e.action == "create" for e in events) == 3
    assert sum(e.action == "add_membership" for e in events) == 1
    assert {e.actor_id for e in events} == {editor.id}
    imported = [e for e in events if e.action == "import"]
    assert len(imported) == 1 and imported[0].actor_id == editor.id
    assert imported[0].changes["rows"]["new"] == 3

    # a second click on the same check page leads to the same import, not a second one
    assert client.submit(f"{check_url}/confirm").location == import_url
    page = text(client.get(check_url))
    assert "See the import of this file" in page and "/confirm" not in page
    assert stakeholder_count(db) == 3
    assert db.session.scalar(select(func.count()).select_from(Job).where(
        Job.kind == "stakeholders.import")) == 1


def test_the_register_changing_after_the_check_is_caught_at_import(client, login_as, db):
    login_as("editor")
    check_url = job_url(upload(client, csv_file(GOOD)))
    services.create(StakeholderData(name="Bert Jansen Sr.", email="bert@example.nl"))
    db.session.commit()
    page = text(client.get(job_url(client.submit(f"{check_url}/confirm"))))
    assert "The register changed after the file was checked." in page
    assert "A stakeholder in the register already has this e-mail address." in page
    assert stakeholder_count(db) == 1


def test_windows_1252_and_xlsx_files_from_excel_import(client, login_as, db):
    login_as("editor")
    lines = ["Zoë Çelik;persoon;;;zoe@example.nl;;inwoner"]
    check_url = job_url(upload(client, csv_file(lines, encoding="cp1252"), "excel.csv"))
    job_url(client.submit(f"{check_url}/confirm"))
    assert db.session.scalars(select(Stakeholder.name)).all() == ["Zoë Çelik"]

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Naam", "E-mail", "Categorieën"])
    sheet.append(["Sanne Smit", "sanne@example.nl", "Vrijwilliger"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    check_url = job_url(upload(client, buffer.getvalue(), "lijst.xlsx"))
    assert "All 1 rows are ready" in text(client.get(check_url))
    job_url(client.submit(f"{check_url}/confirm"))
    sanne = db.session.scalars(select(Stakeholder).where(Stakeholder.name == "Sanne Smit")).one()
    assert sanne.category_codes == ["vrijwilliger"]


@pytest.mark.parametrize(("content", "filename", "message"), [
    (b"naam\r\nAnna\r\n", "lijst.pdf",
     "Only CSV files (.csv) and Excel workbooks (.xlsx) can be imported."),
    (b"", "leeg.csv", "The file is empty"),
    (b"naam;soort\r\nAnna;persoon\r\n", "nep.xlsx", "not a readable Excel workbook"),
])
def test_a_wrong_file_is_refused_at_the_field(app, client, login_as, db, content, filename,
                                             message):
    login_as("editor")
    response = upload(client, content, filename)
    assert response.status_code == 400
    page = text(response)
    assert 'error-summary"' in page and message in page
    assert uploads(app) == [] and stakeholder_count(db) == 0


def test_no_file_chosen_is_a_field_error(client, login_as):
    login_as("editor")
    response = client.submit("/stakeholders/import", {}, content_type="multipart/form-data")
    assert response.status_code == 400 and "Choose a CSV or Excel file." in text(response)


def test_a_wrong_header_is_reported_for_the_file(app, client, login_as, db):
    login_as("editor")
    content = b"naam;geboortedatum\r\nAnna;01-01-1950\r\n"
    page = text(client.get(job_url(upload(client, content))))
    assert "This file cannot be imported; nothing has been imported." in page
    assert "The header row has unknown column(s): geboortedatum." in page
    assert "/confirm" not in page and stakeholder_count(db) == 0 and uploads(app) == []


@pytest.mark.parametrize("app_overrides", [{"KOERS_MAX_IMPORT_MB": 1}])
def test_an_oversized_file_is_refused_with_the_limit(app, client, login_as, db):
    login_as("editor")
    content = csv_file(["Anna de Vries;persoon;;;;;"]) + b"x" * (1024 * 1024)
    response = upload(client, content)
    assert response.status_code == 400
    page = text(response)
    assert "at most 1 MB can be imported at once" in page
    assert uploads(app) == [] and stakeholder_count(db) == 0


@pytest.mark.parametrize("app_overrides", [{"KOERS_MAX_IMPORT_MB": 1}])
def test_an_oversized_file_is_refused_with_its_real_size(app, client, login_as, db):
    """Reading stops just past the limit; the refusal names the size the request declared,
    not where reading stopped (2,0 MB)."""
    login_as("editor")
    content = csv_file(["Anna de Vries;persoon;;;;;"])
    content += b"x" * (5 * 1024 * 1024 // 2 - len(content))  # 2,5 MB
    page = text(upload(client, content))
    assert "The file is 2,5 MB; at most 1 MB can be imported at once" in page
    assert "2,0 MB" not in page and uploads(app) == []


@pytest.mark.parametrize("app_overrides", [{"KOERS_MAX_IMPORT_MB": 1}])
@pytest.mark.parametrize("declared", [None, 1024 * 1024])  # unknown, or less than was read
def test_an_oversized_file_of_unknown_size_is_refused_as_larger_than_the_limit(app, declared):
    from app.stakeholders import transfer

    with pytest.raises(transfer.ImportFileError) as refused:
        transfer.store_upload(io.BytesIO(b"x" * (3 * 1024 * 1024)), "groot.csv", declared)
    # Outside a request: the municipality's language
    assert refused.value.message.startswith("Het bestand is groter dan 1 MB; er kan maximaal")
    assert uploads(app) == []


def test_a_job_is_shown_only_to_whoever_started_it_and_administrators(client, login_as, db):
    login_as("editor")
    check_url = job_url(upload(client, csv_file(GOOD)))
    client.submit("/logout")
    login_as("editor")  # another editor
    assert client.get(check_url).status_code == 404
    assert client.submit(f"{check_url}/confirm").status_code == 404
    client.submit("/logout")
    login_as("admin")
    assert client.get(check_url).status_code == 200
    assert client.get("/stakeholders/import/00000000-0000-0000-0000-000000000000") \
        .status_code == 404


def test_a_check_with_problems_cannot_be_confirmed(client, login_as, db):
    login_as("editor")
    check_url = job_url(upload(client, csv_file(BAD)))
    assert client.submit(f"{check_url}/confirm").status_code == 400
    assert stakeholder_count(db) == 0


def test_the_list_export_follows_the_filters_and_neutralises_formulas(client, login_as, db):
    services.create(StakeholderData(name="=HYPERLINK(\"http://x\")", categories=["inwoner"],
                                    notes="@SUM(A1)"))
    services.create(StakeholderData(name="Zorggroep Noord", kind="organisation",
                                    categories=["zorgaanbieder"]))
    db.session.commit()
    login_as("editor")
    response = client.get("/stakeholders/export.csv?category=inwoner")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    assert re.fullmatch(r'attachment; filename="stakeholders-\d{4}-\d\d-\d\d\.csv"',
                        response.headers["Content-Disposition"])
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")),
                           delimiter=";"))
    assert len(rows) == 2 and rows[0][:2] == ["naam", "soort"]
    assert rows[1][0] == "'=HYPERLINK(\"http://x\")"
    assert rows[1][rows[0].index("notities")] == "'@SUM(A1)"

    response = client.get("/stakeholders/export.xlsx?kind=organisation")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = [[cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    assert [row[0] for row in values] == ["naam", "Zorggroep Noord"]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export")).all()
    assert [e.changes["rows"]["new"] for e in events] == [1, 1]
