"""The reaction import: e-mails (.eml, .msg, zip) and spreadsheets → the dry run, listing every
row and message with its problems and what will happen → confirm → one transaction. Senders
are matched (e-mail, then name and postcode), new ones added once, namesakes flagged for the
merge; the same message is never imported twice; bad input is reported and nothing imported."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.consultations.inputs.models import Attachment, CoSignatory, Input, InputTheme
from app.plans.programme import services as programme
from app.stakeholders import services as register
from app.stakeholders.models import Stakeholder
from app.stakeholders.services import StakeholderData
from app.storage import storage
from tests.mail import PDF, eml, zipped

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "reactions"


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def upload(client, consultation, files: list[tuple[str, bytes]]):
    return client.submit(f"/consultations/{consultation.id}/inputs/import",
                         {"files": [(io.BytesIO(data), name) for name, data in files]},
                         content_type="multipart/form-data")


def check_url(response) -> str:
    assert response.status_code == 302, text(response)
    assert re.fullmatch(r"/consultations/\d+/inputs/import/[0-9a-f]{32}", response.location)
    return response.location


def inputs_of(db, consultation) -> list[Input]:
    return list(db.session.scalars(select(Input).where(
        Input.consultation_id == consultation.id).order_by(Input.number)))


def stored_uploads(app) -> list[str]:
    """The uploads in the file storage that still hold files (an imported one keeps only its
    meta.json, with numbers and no values)."""
    return sorted({entry.key.split("/")[1] for entry in storage().entries("reaction-imports")
                   if not entry.key.endswith("/meta.json")})


def stakeholder_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Stakeholder))


def test_editors_find_the_import_on_the_input_list_and_the_page_explains_it(
        client, login_as, period):
    login_as("editor")
    assert f"/consultations/{period.id}/inputs/import" in text(
        client.get(f"/consultations/{period.id}/inputs"))
    assert f"/consultations/{period.id}/inputs/import" in text(
        client.get(f"/consultations/{period.id}"))
    page = text(client.get(f"/consultations/{period.id}/inputs/import"))
    assert 'enctype="multipart/form-data"' in page and "<code>afzender</code>" in page
    assert "multiple" in page
    login_as("viewer")
    assert client.get(f"/consultations/{period.id}/inputs/import").status_code == 403


def test_emails_are_checked_then_imported_in_one_go(app, client, login_as, db, period):
    known = register.create(StakeholderData(name="Petra Bos", email="petra@example.nl"))
    db.session.commit()
    login_as("editor")
    msg = (FIXTURES / "zienswijze.msg").read_bytes()
    files = [("1.eml", eml(message_id="m1@x", attachment=("scan.pdf", PDF))),
             ("2.eml", eml(message_id="m2@x", date_header="Wed, 12 Jul 2017 10:00:00 +0200",
                            body="Nog een punt.")),
             ("petra.eml", eml("Petra Bos <PETRA@example.nl>", message_id="m3@x")),
             ("post.zip", zipped({"outlook/zienswijze.msg": msg}))]
    url = check_url(upload(client, period, files))
    page = text(client.get(url))
    assert "4 reactions are ready to import." in page
    assert "Senders found in the register: 1." in page
    assert "New senders added to the register: 2." in page  # Jan once, Karin
    for label in ("1.eml", "2.eml", "petra.eml", "post.zip: outlook/zienswijze.msg"):
        assert f'<th scope="row">{label}</th>' in page
    assert inputs_of(db, period) == [] and len(stored_uploads(app)) == 1

    response = client.submit(f"{url}/confirm")
    assert response.status_code == 302 and response.location == url
    page = text(client.get(url))
    assert "4 reactions have been imported, numbered 1 to 4." in page
    items = inputs_of(db, period)
    assert [(i.kind, i.channel, i.received_on, i.late) for i in items] == [
        ("zienswijze", "e-mail", date(2017, 7, 3), False),
        ("zienswijze", "e-mail", date(2017, 7, 12), True),  # after the last day, 11 July
        ("zienswijze", "e-mail", date(2017, 7, 3), False),
        ("zienswijze", "e-mail", date(2017, 7, 4), False)]
    jan = db.session.scalars(select(Stakeholder).where(Stakeholder.email == "jan@example.nl")).one()
    assert jan.legal_ground == "public_task" and jan.name == "Jan de Vries"
    assert [i.stakeholder_id for i in items[:3]] == [jan.id, jan.id, known.id]
    assert items[0].source_ref == "mid:m1@x"
    assert items[3].original_text.startswith("Geachte heer, mevrouw,")
    files_kept = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert [(f.input_id, f.original_name, f.content_type) for f in files_kept] == [
        (items[0].id, "scan.pdf", "application/pdf"), (items[3].id, "brief.pdf",
                                                        "application/pdf")]
    assert stored_uploads(app) == []  # the personal data of the upload is gone
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "add_input")) == 4

    again = check_url(upload(client, period, files))  # the same messages once more
    page = text(client.get(again))
    assert "There is nothing new to import" in page
    assert page.count("Already imported as reaction") == 4 and "/confirm" not in page


def test_a_spreadsheet_is_imported_with_themes_co_signatories_and_matched_senders(
        client, login_as, db, period, plan):
    theme = programme.add_theme(plan, "Armoede")
    known = register.create(StakeholderData(name="Anna de Vries", postcode="9679 AB"))
    db.session.commit()
    login_as("editor")
    sheet = ("afzender;e-mail;adres;postcode;woonplaats;ontvangen op;poststempel;kanaal;"
             "tekst;samenvatting;thema's;medeondertekenaars\r\n"
             "anna de  vries;;Dorpsstraat 1;9679ab;Scheemda;10-07-2017;;brief;Tekst een;;"
             "armoede;\"Kees Bakker; lies@example.nl\"\r\n"
             "Kees Bakker;;;;;12-07-2017;11-07-2017;Letter;;Samenvatting twee;;\r\n")
    url = check_url(upload(client, period, [("post.csv", sheet.encode("utf-8"))]))
    page = text(client.get(url))
    assert "2 reactions are ready to import." in page
    assert "New senders added to the register: 2." in page  # Kees (once), lies@
    client.submit(f"{url}/confirm")
    first, second = inputs_of(db, period)
    assert first.stakeholder_id == known.id and first.channel == "brief"
    assert db.session.scalars(select(InputTheme.theme_id).where(
        InputTheme.input_id == first.id)).all() == [theme.id]
    kees = db.session.scalars(select(Stakeholder).where(Stakeholder.name == "Kees Bakker")).one()
    signers = set(db.session.scalars(select(CoSignatory.stakeholder_id).where(
        CoSignatory.input_id == first.id)))
    assert kees.id in signers and len(signers) == 2
    assert second.stakeholder_id == kees.id and second.original_text == "Samenvatting twee"
    assert second.late is False  # posted on the last day


def test_a_namesake_is_created_but_flagged_with_a_link_to_the_merge(client, login_as, db,
                                                                     period):
    other = register.create(StakeholderData(name="Jan de Vries", email="jan@elders.nl"))
    db.session.commit()
    login_as("editor")
    url = check_url(upload(client, period, [("1.eml", eml(message_id="n1@x"))]))
    page = text(client.get(url))
    assert "New senders with a namesake in the register, to check afterwards: 1." in page
    assert "the register has someone of the same name (Jan de Vries)" in page
    client.submit(f"{url}/confirm")
    new = db.session.scalars(select(Stakeholder).where(Stakeholder.email == "jan@example.nl")).one()
    page = text(client.get(url))
    assert f"/stakeholders/{new.id}/merge/{other.id}" in page


BAD_SHEET = ("naam;e-mail;ontvangen op;tekst;thema's\r\n"
             "Een;een@example.nl;;Zonder datum;\r\n"
             "Twee;twee@example.nl;01-07-2017;Onbekend thema;Ruimte\r\n"
             "Drie;drie@;01-07-2017;Fout adres;\r\n"
             "Vier;vier@example.nl;{future};Te vroeg;\r\n"
             "Vijf;vijf@example.nl;01-07-2017;In orde;\r\n")


def test_a_bad_spreadsheet_is_reported_per_row_and_nothing_is_imported(client, login_as, db,
                                                                         period):
    login_as("editor")
    future = (date.today() + timedelta(days=3)).strftime("%d-%m-%Y")
    before = stakeholder_count(db)
    url = check_url(upload(client, period, [
        ("post.csv", BAD_SHEET.format(future=future).encode())]))
    response = client.get(url)
    page = text(response)
    assert "4 of 5 rows or messages have problems, so nothing will be imported." in page
    rows = dict(re.findall(r'<th scope="row">(Row \d)</th>.*?<td>\s*(.*?)\s*</td>\s*</tr>',
                           page, re.S))
    assert "The received date is missing." in rows["Row 2"]
    assert "Unknown theme: Ruimte." in rows["Row 3"]
    assert "is not a valid e-mail address" in rows["Row 4"]
    assert f"The date {future} lies after today." in rows["Row 5"]
    assert "Problem" not in rows["Row 6"]
    assert "/confirm" not in page
    refused = client.submit(f"{url}/confirm")  # confirming anyway imports nothing
    assert refused.status_code == 400
    assert inputs_of(db, period) == [] and stakeholder_count(db) == before


def test_bad_emails_are_reported_per_message_and_nothing_is_imported(app, client, login_as, db,
                                                                      period):
    login_as("editor")
    files = [("good.eml", eml(message_id="g@x")),
             ("anonymous.eml", eml(sender=None, message_id="a@x")),
             ("undated.eml", eml(date_header=None, message_id="u@x")),
             ("fake.msg", b"This is a text file renamed to .msg"),
             ("disguised.eml", eml(message_id="d@x", attachment=("brief.pdf", b"MZ\x90\0exe"))),
             ("paths.zip", zipped({"../../evil.eml": eml()})),
             ("nested.zip", zipped({"inner.zip": zipped({"a.eml": eml()})}))]
    before = stakeholder_count(db)
    page = text(client.get(check_url(upload(client, period, files))))
    assert "paths.zip: The zip file holds names that point outside it" in page
    assert "nested.zip: The zip file holds another zip file (inner.zip)" in page
    assert "No sender" in page and "No date" in page
    assert "This is not an Outlook message (.msg)." in page
    assert "Attachment “brief.pdf”: The file is not a PDF or an image" in page
    assert "/confirm" not in page
    assert inputs_of(db, period) == [] and stakeholder_count(db) == before


def test_two_new_messages_of_one_sender_in_a_zip_make_one_stakeholder(client, login_as, db,
                                                                      period):
    login_as("editor")
    url = check_url(upload(client, period, [("post.zip", zipped({
        "a.eml": eml("Mia <mia@example.nl>", message_id="a@x"),
        "b.eml": eml("Mia Jansen <Mia@Example.nl>", message_id="b@x"),
        "c.eml": eml("Mia <mia@example.nl>", message_id="a@x")}))]))  # the same as a.eml
    page = text(client.get(url))
    assert "2 reactions are ready to import." in page
    assert "The same message is in the upload twice" in page
    client.submit(f"{url}/confirm")
    assert db.session.scalar(select(func.count()).select_from(Stakeholder).where(
        func.lower(Stakeholder.email) == "mia@example.nl")) == 1
    assert len(inputs_of(db, period)) == 2


def test_an_upload_is_only_for_whoever_uploaded_it_and_can_be_discarded(
        app, client, login_as, db, period):
    login_as("editor")
    url = check_url(upload(client, period, [("1.eml", eml(message_id="z@x"))]))
    login_as("editor", email="other@koersdam.nl")
    assert client.get(url).status_code == 404
    assert client.submit(f"{url}/confirm").status_code == 404
    login_as("admin")
    assert client.get(url).status_code == 200
    assert client.get(url.replace(url[-32:], "0" * 32)).status_code == 404
    response = client.submit(f"{url}/discard")
    assert response.status_code == 302 and stored_uploads(app) == []
    assert client.get(url).status_code == 404


def test_unknown_file_types_are_refused_at_upload(client, login_as, period):
    login_as("editor")
    response = upload(client, period, [("virus.exe", b"MZ")])
    assert response.status_code == 400
    assert "Only .eml, .msg and .zip files, CSV files and Excel workbooks" in text(response)


def test_the_dry_run_page_runs_the_same_queries_for_5_and_50_messages(
        client, login_as, db, period, count_queries):
    register.create(StakeholderData(name="Bekende", email="bekend0@example.nl"))
    db.session.commit()
    login_as("editor")

    def measure(count: int) -> int:
        members = {f"{n}.eml": eml(f"Persoon {n} <bekend{n % 3}@example.nl>" if n % 2 else
                                   f"Nieuw {n} <nieuw{n}@example.nl>", message_id=f"q{count}-{n}")
                   for n in range(count)}
        url = check_url(upload(client, period, [("post.zip", zipped(members))]))
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    assert measure(5) == measure(50) <= 25


def test_two_hundred_emails_take_two_submissions(client, login_as, db, period):
    """The adviser's day: 200 e-mailed reactions cost an upload and a confirm."""
    login_as("editor")
    members = {f"{n}.eml": eml(f"Inwoner {n} <inwoner{n}@example.nl>", message_id=f"d{n}@x")
               for n in range(200)}
    url = check_url(upload(client, period, [("week27.zip", zipped(members))]))
    assert "200 reactions are ready to import." in text(client.get(url))
    assert client.submit(f"{url}/confirm").status_code == 302
    assert len(inputs_of(db, period)) == 200
