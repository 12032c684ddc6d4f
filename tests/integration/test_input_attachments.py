"""Attachments of input (scanned letters) and co-signatories on the written-reaction form: a
file is accepted by its content and size, never its name; a refused file records nothing and
the rest of the form comes back filled; downloads are for signed-in staff, as attachments with
the checked type; removing one removes the file; an erased sender's attachments stay."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.consultations.inputs import attachments
from app.consultations.inputs import services as input_services
from app.consultations.inputs.models import Attachment, CoSignatory, Input
from app.consultations.inputs.services import InputData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData
from app.storage import storage

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 16


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def reaction(**values) -> dict:
    form = {"original_text": "Ik maak bezwaar tegen de bezuiniging.", "kind": "zienswijze",
            "channel": "brief", "stakeholder_id": "", "participant_group": "",
            "received_on": "2017-07-10", "postmarked_on": "2017-07-08",
            "summary": "Bezwaar tegen de bezuiniging op de dagbesteding"}
    form.update(values)
    return form


def stored_files(app) -> list[str]:
    """The names of the stored attachments, whichever back-end holds them."""
    return sorted(entry.key.removeprefix("attachments/")
                  for entry in storage().entries("attachments"))


@pytest.mark.parametrize(("head", "content_type"), [
    (PDF, "application/pdf"), (PNG, "image/png"), (b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
    (b"II*\x00rest", "image/tiff"), (b"MM\x00*rest", "image/tiff"),
    (b"GIF89a....", "image/gif"), (WEBP, "image/webp"),
    (b"<html><script>", None), (b"PK\x03\x04docx", None), (b"MZ\x90\x00", None),
    (b"RIFF\x24\x00\x00\x00WAVEfmt ", None)])
def test_files_are_recognised_by_their_first_bytes(head, content_type):
    assert attachments.sniff(head) == content_type


def test_a_written_reaction_with_a_scanned_letter_and_co_signatories(client, login_as, db,
                                                                     app, period):
    sender = register.create(StakeholderData(name="Jan de Vries"))
    second = register.create(StakeholderData(name="Anna de Vries"))
    third = register.create(StakeholderData(name="Piet Jansen"))
    db.session.commit()
    login_as("editor")
    page = text(client.get(f"/consultations/{period.id}/inputs/new?q=vries"))
    assert 'enctype="multipart/form-data"' in page
    assert re.search(rf'name="co_signatory_ids"[^>]*value="{second.id}"', page)
    response = client.submit(f"/consultations/{period.id}/inputs/new", {
        **reaction(stakeholder_id=str(sender.id), q="vries"),
        "co_signatory_ids": [str(second.id), str(sender.id)],
        # The name and the browser's type claim a text file; the content is a PDF.
        "attachment": (io.BytesIO(PDF), "brief Jan.txt", "text/plain")})
    assert response.status_code == 302, text(response)
    item = db.session.scalars(select(Input)).one()
    assert list(db.session.scalars(select(CoSignatory.stakeholder_id))) == [second.id]
    record = db.session.scalars(select(Attachment)).one()
    assert (record.input_id, record.content_type, record.size) == (
        item.id, "application/pdf", len(PDF))
    assert record.original_name == "brief Jan.txt"
    assert "Jan" not in record.stored_name
    assert stored_files(app) == [record.stored_name]
    assert storage().read(f"attachments/{record.stored_name}") == PDF
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "add_attachment")).one()
    assert "brief Jan" not in json.dumps(event.changes)

    shown = text(client.get(f"/consultations/inputs/{item.id}"))
    assert "Anna de Vries" in shown and "brief Jan.txt" in shown
    assert "Piet Jansen" not in shown and third.id
    listing = text(client.get(f"/consultations/{period.id}/inputs"))
    assert "and 1 co-signatory" in listing
    assert f"/consultations/inputs/{item.id}" in listing


def test_a_file_that_is_no_pdf_or_image_records_nothing_and_keeps_the_rest(client, login_as,
                                                                           db, app, period):
    sender = register.create(StakeholderData(name="Jan de Vries"))
    second = register.create(StakeholderData(name="Anna de Vries"))
    db.session.commit()
    login_as("editor")
    response = client.submit(f"/consultations/{period.id}/inputs/new", {
        **reaction(stakeholder_id=str(sender.id), q="vries"),
        "co_signatory_ids": [str(second.id)],
        # Called a PDF and sent as one, but it is a web page.
        "attachment": (io.BytesIO(b"<html><script>alert(1)</script>"), "brief.pdf",
                       "application/pdf")})
    assert response.status_code == 400
    page = text(response)
    assert "The file is not a PDF or an image" in page
    assert "choose it again" in page
    assert db.session.scalars(select(Input)).all() == []
    assert stored_files(app) == []
    # nothing typed is lost: text, summary, dates, sender and co-signatory come back
    assert "Ik maak bezwaar tegen de bezuiniging." in page
    assert "Bezwaar tegen de bezuiniging op de dagbesteding" in page
    assert 'value="2017-07-10"' in page and 'value="2017-07-08"' in page
    assert re.search(rf'checked[^>]*id="stakeholder_id-\d+"[^>]*value="{sender.id}"|'
                     rf'value="{sender.id}"[^>]*checked|checked[^>]*value="{sender.id}"', page)
    assert re.search(rf'name="co_signatory_ids"[^>]*value="{second.id}"|'
                     rf'value="{second.id}"[^>]*name="co_signatory_ids"', page)
    signer_box = re.search(rf'<input[^>]*name="co_signatory_ids"[^>]*value="{second.id}"[^>]*>',
                           page)
    assert signer_box and "checked" in signer_box.group(0)


@pytest.mark.parametrize("app_overrides", [{"KOERS_MAX_ATTACHMENT_MB": 1}])
def test_a_file_over_the_limit_records_nothing_and_keeps_the_rest(client, login_as, db, app,
                                                                  period):
    login_as("editor")
    too_big = PDF + b"0" * (1024 * 1024)
    response = client.submit(f"/consultations/{period.id}/inputs/new", {
        **reaction(), "attachment": (io.BytesIO(too_big), "scan.pdf", "application/pdf")})
    assert response.status_code == 400
    page = text(response)
    assert "The file is larger than 1 MB" in page and "choose it again" in page
    assert "Ik maak bezwaar tegen de bezuiniging." in page
    assert db.session.scalars(select(Input)).all() == []
    assert stored_files(app) == []
    # the same file within the limit is taken
    response = client.submit(f"/consultations/{period.id}/inputs/new", {
        **reaction(), "attachment": (io.BytesIO(PDF), "scan.pdf", "application/pdf")})
    assert response.status_code == 302


def test_another_error_asks_for_the_file_again(client, login_as, db, period):
    login_as("editor")
    response = client.submit(f"/consultations/{period.id}/inputs/new", {
        **reaction(original_text=""), "attachment": (io.BytesIO(PDF), "scan.pdf")})
    assert response.status_code == 400
    page = text(response)
    assert "Enter the text of the input." in page
    assert "choose the file again" in page
    assert "Bezwaar tegen de bezuiniging op de dagbesteding" in page


def record_with_attachment(db, period, stakeholder_id=None):
    item = input_services.add_input(period, InputData(
        original_text="Zie de bijgevoegde brief.", kind="zienswijze", channel="brief",
        received_on=date(2017, 7, 1), stakeholder_id=stakeholder_id))
    record = attachments.add_attachment(item, attachments.Upload(
        data=PNG, content_type="image/png", original_name="scan <Jan>.png"))
    db.session.commit()
    return item, record


def test_downloads_are_attachments_with_the_checked_type_and_never_sniffed(client, login_as,
                                                                            db, period):
    item, record = record_with_attachment(db, period)
    url = f"/consultations/attachments/{record.id}"
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    login_as("viewer")
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    assert client.get("/consultations/attachments/9999").status_code == 404
    # a viewer sees the file but cannot add or remove one
    page = text(client.get(f"/consultations/inputs/{item.id}"))
    assert url in page and f"{url}/delete" not in page
    assert client.submit(f"{url}/delete").status_code == 403
    assert client.submit(f"/consultations/inputs/{item.id}/attachments", {
        "attachment": (io.BytesIO(PDF), "x.pdf")}).status_code == 403


def test_an_editor_adds_and_removes_attachments_on_the_input_page(client, login_as, db, app,
                                                                  period):
    item, record = record_with_attachment(db, period)
    login_as("editor")
    page = text(client.get(f"/consultations/inputs/{item.id}"))
    assert f"/consultations/attachments/{record.id}/delete" in page
    refused = client.submit(f"/consultations/inputs/{item.id}/attachments", {
        "attachment": (io.BytesIO(b"#!/bin/sh\nrm -rf /"), "scan.pdf")})
    assert refused.status_code == 400 and "The file is not a PDF or an image" in text(refused)
    assert client.submit(f"/consultations/inputs/{item.id}/attachments", {
        "attachment": (io.BytesIO(WEBP), "foto.webp")}).status_code == 302
    assert len(stored_files(app)) == 2
    key = attachments.key_of(record)
    response = client.submit(f"/consultations/attachments/{record.id}/delete")
    assert response.status_code == 302
    assert not storage().exists(key) and len(stored_files(app)) == 1
    assert db.session.scalars(select(Attachment.id)).all() == [record.id + 1]
    assert db.session.scalar(select(AuditEvent.id).where(
        AuditEvent.action == "remove_attachment")) is not None


def test_an_erased_senders_attachments_stay_and_the_export_lists_them(client, login_as, db,
                                                                      app, period):
    sender = register.create(StakeholderData(name="Jan de Vries"))
    db.session.commit()
    item, record = record_with_attachment(db, period, stakeholder_id=sender.id)
    exported = register.export_person(sender)
    assert exported["linked"]["consultation_attachments"][0]["original_name"] == \
        "scan <Jan>.png"
    register.erase(sender)
    db.session.commit()
    assert db.session.get(Attachment, record.id) is not None
    assert storage().exists(attachments.key_of(record))
    login_as("viewer")
    page = text(client.get(f"/consultations/inputs/{item.id}"))
    assert "Jan de Vries" not in page and "Erased person" in page
    # the file stays, its name (which named the sender) does not
    assert "scan &lt;Jan&gt;" not in page and f"bijlage-{record.id}.png" in page


def test_the_input_page_takes_the_same_queries_for_one_and_thirty_files_and_signers(
        client, login_as, db, period, count_queries):
    people = [register.create(StakeholderData(name=f"Ondertekenaar {n}")) for n in range(31)]
    db.session.commit()
    pages = {}
    for size in (1, 30):
        item = input_services.add_input(period, InputData(
            original_text="Brief", kind="zienswijze", channel="brief",
            received_on=date(2017, 7, 1), stakeholder_id=people[0].id,
            co_signatory_ids=[person.id for person in people[1:size + 1]]))
        for n in range(size):
            attachments.add_attachment(item, attachments.Upload(
                data=PNG, content_type="image/png", original_name=f"scan {n}.png"))
        db.session.commit()
        pages[size] = item.id
    login_as("viewer")
    counts = {}
    for size, input_id in pages.items():
        client.get(f"/consultations/inputs/{input_id}")  # warm up
        with count_queries() as counter:
            page = text(client.get(f"/consultations/inputs/{input_id}"))
        assert page.count("/consultations/attachments/") == size
        assert page.count("Ondertekenaar ") == size + 1
        counts[size] = counter.count
    assert counts[1] == counts[30], counts
