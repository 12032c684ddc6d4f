"""The nota van beantwoording's due date: set on a comment period (never before the draft is
laid open), audited, shown on the consultation page, and the answering progress on the groups
page and the answer workspace counted against it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.consultations import services
from app.consultations.inputs import services as inputs
from app.consultations.inputs.services import InputData
from app.consultations.services import ConsultationData
from app.errors import DomainError


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def period_form(period, **values) -> dict:
    form = {"title": period.title, "description": "", "location": "", "organiser_id": "",
            "published_on": period.published_on.isoformat(), "legal_basis": "",
            "starts_at": "", "ends_at": "", "nota_due_on": "", "version": str(period.version)}
    form.update(values)
    return form


def test_a_new_comment_period_takes_its_nota_due_date(client, login_as, db, plan):
    login_as("editor")
    response = client.submit(f"/consultations/plan/{plan.id}/new", {
        "title": "Ontwerp ter inzage", "format": "ter_inzage", "description": "",
        "starts_at": "", "ends_at": "", "location": "", "organiser_id": "",
        "published_on": "2017-05-31", "nota_due_on": "2017-09-05", "legal_basis": ""})
    assert response.status_code == 302, text(response)[:2000]
    page = text(client.get(response.location))
    assert re.search(r"Nota van beantwoording due on</dt><dd>5 September 2017<", page)


def test_editing_the_due_date_is_audited_and_refused_before_the_draft_is_laid_open(
        client, login_as, db, period):
    login_as("editor")
    refused = client.submit(f"/consultations/{period.id}/edit",
                            period_form(period, nota_due_on="2017-05-30"))
    assert refused.status_code == 400
    assert re.search(r'id="nota_due_on-error">[^<]*cannot be due before the draft is laid open',
                     text(refused))
    db.session.refresh(period)
    assert period.nota_due_on is None
    response = client.submit(f"/consultations/{period.id}/edit",
                             period_form(period, nota_due_on="2017-09-05"))
    assert response.status_code == 302, text(response)[:2000]
    db.session.refresh(period)
    assert period.nota_due_on == date(2017, 9, 5)
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "update", AuditEvent.entity_id == str(period.id))
        .order_by(AuditEvent.id.desc())).first()
    assert event.changes["nota_due_on"]["new"] in ("2017-09-05", date(2017, 9, 5))
    page = text(client.get(f"/consultations/{period.id}/edit"))
    assert re.search(r'name="nota_due_on"[^>]*value="2017-09-05"', page)


def test_a_meeting_has_no_nota_due_date(db, meeting):
    services.update_consultation(meeting, ConsultationData(
        title=meeting.title, format="", nota_due_on=date(2017, 9, 5)))
    assert meeting.nota_due_on is None
    with pytest.raises(DomainError) as refused:
        ConsultationData(title="X", format="ter_inzage", published_on=date(2017, 5, 31),
                         nota_due_on=date(2017, 5, 1)).cleaned()
    assert refused.value.field == "nota_due_on"


@pytest.mark.parametrize("offset, words", [
    (12, "Nota due on {day}: 12 days left."),
    (1, "Nota due on {day}: 1 day left."),
    (0, "Nota due on {day}: today."),
    (-3, "Nota due on {day}: 3 days overdue."),
])
def test_progress_is_shown_against_the_nota_due_date(client, login_as, db, period, offset,
                                                    words):
    with current_app.test_request_context():
        today = current_app.config["KOERS_MUNICIPALITY"].today()
    due = today + timedelta(days=offset)
    period.nota_due_on = due
    for n in range(3):
        inputs.add_input(period, InputData(original_text=f"Reactie {n}", kind="zienswijze",
                                           channel="e-mail", received_on=date(2017, 6, 1)))
    db.session.commit()
    login_as("editor")
    expected = words.format(day=due.strftime("%d-%m-%Y"))
    for url in (f"/consultations/{period.id}/groups", f"/consultations/{period.id}/workspace"):
        page = text(client.get(url))
        assert "0 of 3 inputs answered" in page, url
        assert expected in page, (url, expected)


def test_without_a_due_date_the_pages_offer_to_set_one(client, login_as, db, period):
    login_as("editor")
    page = text(client.get(f"/consultations/{period.id}/groups"))
    assert "No due date is set for the nota." in page
    assert f'href="/consultations/{period.id}/edit"' in page
