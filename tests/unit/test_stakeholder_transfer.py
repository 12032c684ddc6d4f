"""Reading, checking and writing stakeholder files: encodings and delimiters as Excel writes
them, XLSX, header and row problems, size limits, formula neutralisation and the round trip."""

from __future__ import annotations

import codecs
import csv
import io
import os
import time
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import delete, func, select

from app import spreadsheets
from app.config import build_settings
from app.errors import ConfigError
from app.stakeholders import services, transfer
from app.stakeholders.models import Membership, Stakeholder
from app.stakeholders.services import Filters, StakeholderData
from app.stakeholders.transfer import ImportFileError
from app.storage import storage

HEADER = "naam;soort;organisatie;functie;e-mail;telefoon;categorieën;labels"


@pytest.fixture
def extra_plugins():
    return {"testplugin": "tests.plugins.testplugin"}


@pytest.fixture
def enabled_plugins():
    return ["testplugin"]


def csv_bytes(*lines: str, encoding: str = "utf-8", header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *lines]) + "\r\n").encode(encoding)


def problems(error: pytest.ExceptionInfo[ImportFileError]) -> list[str]:
    return [code for code, _params in error.value.problems]


def issues(report: transfer.Report) -> set[tuple[int, str, str]]:
    return {(issue.row, issue.column, issue.code) for issue in report.issues}


# --- configuration --------------------------------------------------------------------------

def settings_environ(tmp_path, **extra):
    return {"KOERS_INSTANCE_DIR": str(tmp_path / "instance"), "SECRET_KEY": "x" * 32, **extra}


def test_max_import_size_is_an_instance_setting(tmp_path):
    assert build_settings(settings_environ(tmp_path))["KOERS_MAX_IMPORT_MB"] == 20
    config = build_settings(settings_environ(tmp_path, KOERS_MAX_IMPORT_MB="100"))
    assert config["KOERS_MAX_IMPORT_MB"] == 100
    assert config["MAX_CONTENT_LENGTH"] > 100 * 1024 * 1024  # the upload itself gets through
    (tmp_path / "koers.toml").write_text("max_import_mb = 5\n")
    config = build_settings(settings_environ(tmp_path, KOERS_CONFIG=str(tmp_path / "koers.toml")))
    assert config["KOERS_MAX_IMPORT_MB"] == 5
    with pytest.raises(ConfigError) as error:
        build_settings(settings_environ(tmp_path, KOERS_MAX_IMPORT_MB="0"))
    assert error.value.key == "KOERS_MAX_IMPORT_MB"


# --- reading --------------------------------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
@pytest.mark.parametrize("delimiter", [";", ","])
def test_excel_encodings_and_delimiters_are_read(app, encoding, delimiter):
    header = HEADER.replace(";", delimiter)
    line = delimiter.join(["Zoë Çelik-Brontë", "persoon", "", "", "zoe@example.nl",
                           "06 1234 5678", "inwoner", "café"])
    data = csv_bytes(line, encoding=encoding, header=header)
    if encoding == "utf-8-sig":
        assert data.startswith(codecs.BOM_UTF8)
    sheet = transfer.read(data, "betrokkenen.csv")
    assert sheet.headers["name"] == "naam"  # the BOM is not part of the first column's name
    number, row = sheet.rows[0]
    assert number == 2
    assert row["name"] == "Zoë Çelik-Brontë"
    assert row["tags"] == "café"


def test_english_headers_quotes_blank_lines_and_excels_sep_line(app):
    data = (b'sep=,\r\nName,Kind,E-mail Address,Notes\r\n\r\n'
            b'"Vries, Anna de",person,anna@example.nl,"two\r\nlines"\r\n')
    sheet = transfer.read(data, "people.CSV")
    assert set(sheet.headers) == {"name", "kind", "email", "notes"}
    assert sheet.rows == [(4, {"name": "Vries, Anna de", "kind": "person",
                               "email": "anna@example.nl", "notes": "two\r\nlines"})]


def test_xlsx_first_sheet_with_dates_numbers_and_gaps(app):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Naam", "Telefoon", "Bewaren tot", "Categorieën", None])
    sheet.append(["Zoë Çelik", 612345678, date(2030, 1, 31), "Mantelzorger"])
    sheet.append([])
    sheet.append(["Stichting Welzijn", "050 123 4567", "31-12-2029", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = transfer.read(buffer.getvalue(), "lijst.xlsx")
    assert [number for number, _ in read.rows] == [2, 4]
    assert read.rows[0][1]["retention_until"] == date(2030, 1, 31)
    assert read.rows[0][1]["phone"] == "612345678"
    assert read.rows[1][1]["name"] == "Stichting Welzijn"
    report = transfer.check(read)
    assert report.issues == []
    assert report.rows[0].data.categories == ["mantelzorger"]
    assert report.rows[1].data.retention_until == date(2029, 12, 31)


@pytest.mark.parametrize(("header", "codes", "named"), [
    ("e-mail;telefoon", ["missing_columns"], "naam"),
    ("naam;geboortedatum;BSN", ["unknown_columns"], "geboortedatum, BSN"),
    ("naam;name;e-mail", ["repeated_columns"], "name"),
    ("geboortedatum", ["missing_columns", "unknown_columns"], "geboortedatum"),
])
def test_a_wrong_header_names_the_columns(app, header, codes, named):
    with pytest.raises(ImportFileError) as error:
        transfer.read(csv_bytes("x;y;z", header=header), "x.csv")
    assert problems(error) == codes
    assert named in error.value.message


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 4,  # a binary file: 0x81 is neither UTF-8 nor Windows-1252
    b"naam;e-mail\r\nJan\x81\x8d;jan@example.nl\r\n",
    "naam;e-mail\r\nJan;jan@example.nl\r\n".encode("utf-16"),  # Excel's "Unicode text"
    b"naam\x00;e-mail\r\n",
])
def test_a_file_that_is_not_text_is_refused(app, data):
    with pytest.raises(ImportFileError) as error:
        transfer.read(data, "x.csv")
    assert problems(error) == ["encoding"]
    assert "CSV" in error.value.message


@pytest.mark.parametrize(("data", "name", "code"), [
    (b"", "x.csv", "empty"),
    (b"  \r\n", "x.csv", "empty"),
    (b"naam;e-mail\r\n", "x.csv", "no_rows"),
    (b"naam\r\nJan\r\n", "x.txt", "file_type"),
    (b"naam\r\nJan\r\n", "x.xlsx", "not_xlsx"),
    (b"PK\x03\x04 this is no zip", "x.xlsx", "not_xlsx"),
])
def test_empty_mistyped_and_damaged_files_are_refused(app, data, name, code):
    with pytest.raises(ImportFileError) as error:
        transfer.read(data, name)
    assert problems(error) == [code]


def test_an_oversized_file_is_refused_before_it_is_parsed(app, monkeypatch):
    app.config["KOERS_MAX_IMPORT_MB"] = 1
    data = csv_bytes(*["Jan;;;;;;;"] * 120_000)
    assert len(data) > 1024 * 1024
    with pytest.raises(ImportFileError) as error:
        transfer.read(data, "groot.csv")
    assert problems(error) == ["too_large"]
    assert "1 MB" in error.value.message

    relative = f"{transfer.UPLOAD_FOLDER}/big.csv"
    storage().write(relative, data)
    monkeypatch.setattr(transfer, "read", lambda *a: pytest.fail("parsed an oversized file"))
    with pytest.raises(ImportFileError) as error:
        transfer.read_stored(relative)
    assert problems(error) == ["too_large"]


# --- uploads --------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "content", "code"), [
    ("lijst.txt", b"naam\r\nJan\r\n", "file_type"),
    ("lijst", b"naam\r\nJan\r\n", "file_type"),
    ("lijst.xlsx", b"naam\r\nJan\r\n", "not_xlsx"),
    ("lijst.csv", b"PK\x03\x04\x14\x00", "encoding"),
    ("lijst.csv", b"MZ\x90\x00\x03\x00", "encoding"),
    ("lijst.csv", b"", "empty"),
])
def test_uploads_are_checked_for_type_and_content(app, name, content, code):
    with pytest.raises(ImportFileError) as error:
        transfer.store_upload(io.BytesIO(content), name)
    assert problems(error) == [code]
    assert list(storage().entries(transfer.UPLOAD_FOLDER)) == []


def test_an_oversized_upload_is_refused_and_not_kept(app):
    app.config["KOERS_MAX_IMPORT_MB"] = 1
    with pytest.raises(ImportFileError) as error:
        transfer.store_upload(io.BytesIO(b"naam\r\n" + b"x" * (1024 * 1024)), "lijst.csv")
    assert problems(error) == ["too_large"]
    assert list(storage().entries(transfer.UPLOAD_FOLDER)) == []


def test_a_stored_upload_stays_inside_the_upload_folder(app):
    relative = transfer.store_upload(io.BytesIO(csv_bytes("Jan;;;;;;;")), "Lijst.CSV")
    assert relative.startswith("imports/") and relative.endswith(".csv")
    assert transfer.read_stored(relative).rows[0][1]["name"] == "Jan"
    for sneaky in ("imports/../../koers.sqlite", "../imports/x.csv", "/etc/passwd",
                   "imports/x.py", "elders/x.csv"):
        with pytest.raises(ImportFileError) as error:
            transfer.read_stored(sneaky)
        assert problems(error) == ["file_gone"]


def test_stale_uploads_are_removed(app):
    old = transfer.store_upload(io.BytesIO(csv_bytes("Jan;;;;;;;")), "a.csv")
    new = transfer.store_upload(io.BytesIO(csv_bytes("Piet;;;;;;;")), "b.csv")
    long_ago = time.time() - 3 * 24 * 3600
    os.utime(Path(app.config["KOERS_STORAGE_DIR"]) / old, (long_ago, long_ago))
    assert transfer.remove_stale_uploads() == 1
    assert not storage().exists(old) and storage().exists(new)


# --- checking -------------------------------------------------------------------------------

def test_labels_codes_and_plugin_categories_are_recognised(app):
    sheet = transfer.read(csv_bytes(
        "Anna;;;;;;Maatschappelijke partner, mantelzorger|Wijkteam;",
        "Bert;;;;;;community partner|RESIDENT;",
        "Stichting;organisatie;;;;;zorgaanbieder;"), "x.csv")
    report = transfer.check(sheet)
    assert report.issues == []
    assert report.rows[0].data.categories == ["maatschappelijke_partner", "mantelzorger",
                                              "wijkteam"]
    assert report.rows[1].data.categories == ["inwoner", "maatschappelijke_partner"]
    assert report.rows[2].data.kind == "organisation"


@pytest.mark.parametrize(("text", "expected"), [
    ("31-12-2027", date(2027, 12, 31)), ("1-2-2027", date(2027, 2, 1)),
    ("31/12/2027", date(2027, 12, 31)), ("2027-12-31", date(2027, 12, 31)),
    ("2027-12-31 00:00:00", date(2027, 12, 31)), ("", None),
])
def test_dates_dutch_and_iso(text, expected):
    assert transfer.parse_date(text) == expected


@pytest.mark.parametrize("text", ["31-02-2027", "12/2027", "morgen", "2027-13-01", "27-1-1"])
def test_bad_dates(text):
    with pytest.raises(ValueError):
        transfer.parse_date(text)


def test_every_bad_row_and_every_reason_is_reported(app, db):
    services.create(StakeholderData(name="Bestaand", email="bestaand@example.nl"))
    services.create(StakeholderData(name="Sportclub", kind="organisation"))
    services.create(StakeholderData(name="Dubbel", kind="organisation"))
    services.create(StakeholderData(name="dubbel", kind="organisation"))
    header = ("naam;soort;organisatie;functie;e-mail;telefoon;categorieën;labels;grondslag;"
              "toestemming_doel;toestemming_datum;toestemming_bron;bewaren_tot")
    rows = [
        "Goed;;;;goed@example.nl;06 1234 5678;inwoner;;;;;;31-12-2030",  # 2: fine
        ";;;;geen-adres;12ab;astronaut;;;;;;",  # 3: four reasons
        "Kim;alien;;;;;;;;;;;",  # 4: kind
        "Lex;;;;;;;;misschien;;;;",  # 5: legal ground
        "Mo;;;;;;;;toestemming;nieuwsbrief;;;",  # 6: consent incomplete
        "Nel;;;;;;;;toestemming;nieuwsbrief;31-02-2026;formulier;1-1-3000x",  # 7: two dates
        "Ot;;;;;;;" + ",".join(f"t{i}" for i in range(25)) + ";;;;;",  # 8: too many tags
        "Piet;;;;GOED@example.nl;;;;;;;;",  # 9: same e-mail as row 2
        "Bestaande;;;;bestaand@example.nl;;;;;;;;",  # 10: e-mail in the register
        "Buurthuis;organisatie;;;;;;;;;;;",  # 11: fine
        "Ria;;Buurthuis;voorzitter;;;;;;;;;",  # 12: fine (organisation in the file)
        "ria;;buurthuis;;;;;;;;;;",  # 13: same name and organisation as row 12
        "Buurthuis;organisatie;;;;;;;;;;;",  # 14: same organisation as row 11
        "Sportclub;organisatie;;;;;;;;;;;",  # 15: organisation in the register
        "Sam;;Onbekend;;;;;;;;;;",  # 16: unknown organisation
        "Tom;;Dubbel;;;;;;;;;;",  # 17: two such organisations in the register
        "Club;organisatie;Buurthuis;;;;;;;;;;",  # 18: organisation as a member
        "Uma;;Sportclub;a|b;;;;;;;;;",  # 19: more functions than organisations
        "Vera;;Sportclub|Buurthuis;|penningmeester;;;;;;;;;",  # 20: fine
    ]
    report = transfer.check(transfer.read(csv_bytes(*rows, header=header), "x.csv"))
    assert issues(report) == {
        (3, "naam", "name_missing"), (3, "e-mail", "email_invalid"),
        (3, "telefoon", "phone_invalid"), (3, "categorieën", "category_unknown"),
        (4, "soort", "kind_unknown"),
        (5, "grondslag", "legal_ground_unknown"),
        (6, "grondslag", "consent_incomplete"),
        (7, "toestemming_datum", "date_invalid"), (7, "bewaren_tot", "date_invalid"),
        (8, "labels", "too_many_tags"),
        (9, "e-mail", "duplicate_email_in_file"),
        (10, "e-mail", "duplicate_email_in_register"),
        (13, "naam", "duplicate_name_in_file"),
        (14, "naam", "duplicate_organisation_in_file"),
        (15, "naam", "duplicate_organisation_in_register"),
        (16, "organisatie", "organisation_unknown"),
        (17, "organisatie", "organisation_ambiguous"),
        (18, "organisatie", "member_not_person"),
        (19, "functie", "functions_without_organisation"),
    }
    assert report.total == 19 and report.bad_rows == 15 and report.ready == 4
    by_code = {issue.code: issue for issue in report.issues}
    assert by_code["duplicate_email_in_file"].params == {"row": 2}
    assert by_code["duplicate_name_in_file"].params == {"row": 12}
    assert by_code["category_unknown"].params == {"values": "astronaut"}
    # Messages are stored as codes and shown in the reader's language; no personal values.
    result = report.as_result()
    assert result["state"] == "invalid" and result["issues_total"] == len(report.issues)
    assert "geen-adres" not in str(result) and "12ab" not in str(result)
    with app.test_request_context():
        assert transfer.message("duplicate_email_in_file", {"row": 2}).endswith("2.")
    vera = report.rows[-1]
    assert [(source, function) for source, _ref, function in vera.links] == [
        ("file", None), ("file", "penningmeester")]


def test_residents_may_share_a_name_but_not_an_e_mail_address(app):
    report = transfer.check(transfer.read(csv_bytes(
        "Jan de Vries;;;;jan1@example.nl;;;", "Jan de Vries;;;;jan2@example.nl;;;",
        "Jan de Vries;;;;;;;"), "x.csv"))
    assert report.issues == []


def test_erased_persons_do_not_count_as_duplicates(app, db):
    gone = services.create(StakeholderData(name="Weg", email="weg@example.nl"))
    services.erase(gone)
    report = transfer.check(transfer.read(csv_bytes("Weg;;;;weg@example.nl;;;"), "x.csv"))
    assert report.issues == []


def test_a_long_list_of_problems_is_capped_in_the_result(app):
    report = transfer.check(transfer.read(csv_bytes(*[";persoon;;;;;;"] * 1200), "x.csv"))
    result = report.as_result()
    assert result["issues_total"] == 1200 and len(result["issues"]) == transfer.MAX_LISTED_ISSUES


# --- formula neutralisation -----------------------------------------------------------------

@pytest.mark.parametrize("value", [
    "=HYPERLINK(\"http://evil\")", "+31 6 1234 5678", "-2+3", "@SUM(A1)", "  =1+1",
    " @cmd", "\t=1+1", "\tanything", "\rdata", "\uff1d1+1",
])
def test_dangerous_cells_are_neutralised(value):
    assert spreadsheets.neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Jan", "'s-Hertogenbosch", "jan@example.nl", "06-1234",
                                   "", "a=b", 42, None, date(2027, 1, 1)])
def test_harmless_cells_stay_as_they_are(value):
    assert spreadsheets.neutralise(value) == value


# (Leading spaces, tabs and returns are trimmed when saved; neutralise() covers them above.)
DANGEROUS_NOTES = ["=cmd|' /C calc'!A0", "+1", "-1", "@A1", "=1+1\n=2"]


def test_exports_neutralise_every_dangerous_prefix(app, db):
    for index, note in enumerate(DANGEROUS_NOTES):
        services.create(StakeholderData(name=f"Persoon {index}", notes=note,
                                        phone="+31 6 1234 567" + str(index)))
    db.session.flush()
    rows = list(transfer.export_rows(Filters()))
    notes = {row[transfer.HEADERS.index("notities")] for row in rows[1:]}
    assert notes == {"'" + note for note in DANGEROUS_NOTES}
    assert all(row[transfer.HEADERS.index("telefoon")].startswith("'+31") for row in rows[1:])

    parsed = list(csv.reader(io.StringIO(transfer.export_csv(rows).decode("utf-8-sig"),
                                         newline=""), delimiter=";"))
    assert {row[transfer.HEADERS.index("notities")] for row in parsed[1:]} == notes

    sheet = load_workbook(io.BytesIO(transfer.export_xlsx(rows))).active
    cells = [row[transfer.HEADERS.index("notities")] for row in sheet.iter_rows(min_row=2)]
    assert {cell.value for cell in cells} == notes
    assert {cell.data_type for cell in cells} == {"s"}  # text, never a formula


# --- round trip -----------------------------------------------------------------------------

def make_register(db) -> dict[str, Stakeholder]:
    council = services.create(StakeholderData(
        name="Adviesraad Sociaal Domein", kind="organisation", email="adviesraad@example.nl",
        website="https://adviesraad.example.nl", categories=["adviesraad"]))
    club = services.create(StakeholderData(name="Voetbalclub, Koersdam", kind="organisation"))
    anna = services.create(StakeholderData(
        name="Zoë Çelik", email="zoe@example.nl", phone="+31 6 1234 5678",
        address="Dorpsstraat 1", postcode="9999 AA", place="Koersdam",
        categories=["inwoner", "mantelzorger"], tags=["ouderen", "wijk noord"],
        notes="=niet uitvoeren\nTweede regel", legal_ground="consent",
        consent_purpose="Nieuwsbrief", consent_date=date(2026, 3, 1),
        consent_source="Formulier", retention_until=date(2030, 12, 31)))
    services.add_membership(anna, council, function="Voorzitter")
    services.add_membership(anna, club)
    bert = services.create(StakeholderData(name="Bert Bakker", email="bert@example.nl"))
    services.add_membership(bert, club, function="Trainer")
    gone = services.create(StakeholderData(name="Wilma Weg", email="wilma@example.nl"))
    services.erase(gone)
    db.session.flush()
    return {"council": council, "club": club, "anna": anna, "bert": bert}


def snapshot(db) -> list[tuple]:
    people = db.session.scalars(select(Stakeholder).where(
        Stakeholder.anonymised_at.is_(None)).order_by(Stakeholder.sort_name)).all()
    result = []
    for s in people:
        memberships = sorted((m.organisation.name, m.function) for m in db.session.scalars(
            select(Membership).where(Membership.person_id == s.id)))
        result.append((s.name, s.kind, s.email, s.phone, s.address, s.postcode, s.place,
                       s.website, s.notes, s.category_codes, s.tag_names, s.legal_ground,
                       s.consent_purpose, s.consent_date, s.consent_source, s.retention_until,
                       memberships))
    return result


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_imports_again_unchanged(app, db, file_format):
    make_register(db)
    before = snapshot(db)
    content, count = transfer.export(Filters(), file_format)
    assert count == 4  # the erased person is not exported
    assert b"Wilma" not in content
    if file_format == "csv":
        assert content.startswith(codecs.BOM_UTF8)
        assert content.decode("utf-8-sig").splitlines()[0] == ";".join(transfer.HEADERS)

    db.session.execute(delete(Membership))
    db.session.execute(delete(Stakeholder))
    db.session.flush()
    report = transfer.check(transfer.read(content, f"export.{file_format}"))
    assert report.issues == []
    counts = transfer.import_rows(report)
    assert counts == {"created": 4, "persons": 2, "organisations": 2, "memberships": 3}
    db.session.flush()
    db.session.expire_all()
    assert snapshot(db) == before
    # imported stakeholders are found like any other, by name, e-mail and organisation
    assert [s.name for s in db.session.scalars(services.list_query(Filters(q="voetbal")))] == [
        "Bert Bakker", "Voetbalclub, Koersdam", "Zoë Çelik"]
    assert db.session.scalar(select(func.count()).select_from(
        services.list_query(Filters(q="zoe@example")).subquery())) == 1


def test_export_follows_the_list_filters(app, db):
    make_register(db)
    services.create(StakeholderData(name="Archief", categories=["inwoner"]))
    rows = list(transfer.export_rows(Filters(category="inwoner")))
    assert [row[0] for row in rows[1:]] == ["Archief", "Zoë Çelik"]
    rows = list(transfer.export_rows(Filters(kind="organisation")))
    assert [row[0] for row in rows[1:]] == ["Adviesraad Sociaal Domein", "Voetbalclub, Koersdam"]
    rows = list(transfer.export_rows(Filters(tag="Ouderen")))
    assert [row[0] for row in rows[1:]] == ["Zoë Çelik"]
    rows = list(transfer.export_rows(Filters(q="bakker")))
    assert [row[0] for row in rows[1:]] == ["Bert Bakker"]


def test_the_template_is_an_empty_import_file(app):
    content = transfer.template_csv()
    assert content.startswith(codecs.BOM_UTF8)
    with pytest.raises(ImportFileError) as error:
        transfer.read(content, "template.csv")
    assert problems(error) == ["no_rows"]
