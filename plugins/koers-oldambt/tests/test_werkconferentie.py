"""Werkconferentie support: the tables' insights, connections and advice on the conference's
page, the kernadviezen, and the feitenblad as HTML and as a one-page PDF."""

from __future__ import annotations

import io
import re

from koers_oldambt.models import KeyAdvice
from oldambt_helpers import inputs_of, koers_plan, text, werkconferentie
from pypdf import PdfReader
from sqlalchemy import select


def conference_with_tables(client, db):
    """A werkconferentie with two tables and their post-its; signed in as an editor."""
    plan = koers_plan(client, db)
    meeting = werkconferentie(client, db, plan)
    for topic in ("Armoede", "Ouderen"):
        assert client.submit(f"/consultations/{meeting.id}/tables",
                             {"topic": topic}).status_code == 302
    page = text(client.get(f"/consultations/{meeting.id}/inputs/bulk"))
    assert "Insight" in page or "Inzicht" in page  # the plugin's kinds are offered
    tables = dict(re.findall(r'<option value="(\d+)">(Armoede|Ouderen)<', page))
    by_topic = {topic: table_id for table_id, topic in tables.items()}
    for topic, kind, group, line in [
            ("Armoede", "oldambt.inzicht", "inwoner", "Regelingen zijn te ingewikkeld"),
            ("Armoede", "oldambt.verbinding", "partner", "Corporatie meldt huurachterstand"),
            ("Armoede", "advies", "inwoner", "Eén formulier voor alle regelingen"),
            ("Ouderen", "advies", "partner", "Huiskamers in de wijk")]:
        response = client.submit(f"/consultations/{meeting.id}/inputs/bulk", {
            "lines": line, "table_id": by_topic[topic], "participant_group": group,
            "kind": kind})
        assert response.status_code == 302, text(response)
    return meeting


def test_the_conference_page_sorts_each_tables_yield(client, login_as, db):
    client.set_cookie("koers_language", "en")
    login_as("editor")
    meeting = conference_with_tables(client, db)
    page = text(client.get(f"/consultations/{meeting.id}"))
    panel = page[page.index('id="kernadviezen"'):]
    armoede = panel[panel.index("<h3>Armoede</h3>"):panel.index("<h3>Ouderen</h3>")]
    assert armoede.index("Insights") < armoede.index("Regelingen zijn te ingewikkeld")
    assert armoede.index("Connections") < armoede.index("Corporatie meldt")
    assert armoede.index("Advice") < armoede.index("Eén formulier")


def test_kernadviezen_are_marked_audited_and_on_the_feitenblad(client, login_as, db):
    client.set_cookie("koers_language", "en")
    login_as("editor")
    meeting = conference_with_tables(client, db)
    advice = {item.original_text: item for item in inputs_of(db, meeting)}
    chosen = [advice["Eén formulier voor alle regelingen"].id,
              advice["Huiskamers in de wijk"].id]
    response = client.submit(f"/p/oldambt/consultations/{meeting.id}/kernadviezen",
                             {"kernadvies": [str(i) for i in chosen]}, follow_redirects=True)
    assert "2 marked, 0 unmarked" in text(response)
    assert sorted(db.session.scalars(select(KeyAdvice.input_id))) == sorted(chosen)

    sheet = text(client.get(f"/p/oldambt/consultations/{meeting.id}/feitenblad"))
    key_part = sheet[sheet.index("Kernadviezen"):]
    assert "Eén formulier voor alle regelingen" in key_part
    assert "Regelingen zijn te ingewikkeld" not in key_part  # an insight, not marked

    pdf = client.get(f"/p/oldambt/consultations/{meeting.id}/feitenblad.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.data))
    assert len(reader.pages) == 1  # a feitenblad is one page
    content = reader.pages[0].extract_text()
    for expected in ("Feitenblad", "Armoede", "Ouderen", "Huiskamers in de wijk",
                     "Eén formulier voor alle regelingen"):
        assert expected in content, expected

    # unmarking one leaves the other; another conference's input is refused
    client.submit(f"/p/oldambt/consultations/{meeting.id}/kernadviezen",
                  {"kernadvies": [str(chosen[0])]})
    assert list(db.session.scalars(select(KeyAdvice.input_id))) == [chosen[0]]
    history = text(client.get(f"/admin/audit/?entity_type=consultations&entity_id={meeting.id}"))
    assert "kernadviezen" in history


def test_a_viewer_reads_the_feitenblad_but_marks_nothing(client, login_as, db):
    login_as("editor")
    meeting = conference_with_tables(client, db)
    client.submit("/logout")
    login_as("viewer")
    page = text(client.get(f"/consultations/{meeting.id}"))
    assert 'name="kernadvies"' not in page
    assert client.get(f"/p/oldambt/consultations/{meeting.id}/feitenblad").status_code == 200
    assert client.submit(f"/p/oldambt/consultations/{meeting.id}/kernadviezen",
                         {"kernadvies": []}).status_code == 403


def test_the_feitenblad_is_only_for_conferences(client, login_as, db):
    login_as("editor")
    plan = koers_plan(client, db)
    response = client.submit(f"/consultations/plan/{plan.id}/new", {
        "format": "ter_inzage", "title": "Ter inzage", "published_on": "2023-05-31"})
    assert response.status_code == 302
    period_id = int(response.location.rstrip("/").split("/")[-1])
    assert client.get(f"/p/oldambt/consultations/{period_id}/feitenblad").status_code == 404
    assert 'id="kernadviezen"' not in text(client.get(f"/consultations/{period_id}"))
