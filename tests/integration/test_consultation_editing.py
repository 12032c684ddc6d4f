"""Changing what was recorded: a consultation (a moved comment period recomputes its last day
and its reactions' lateness), delete-or-archive, tables, attendance and registrations, an input
(lateness recomputed from new dates), re-answering with old and new in the audit trail, stale
edits shown as a conflict, and the kennisgeving of a comment period."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.consultations import services
from app.consultations.inputs import answers
from app.consultations.inputs import services as input_services
from app.consultations.inputs.models import Answer, CoSignatory, Input, InputTheme
from app.consultations.inputs.services import InputData
from app.consultations.models import Consultation, ConsultationTable, Registration
from app.consultations.services import ConsultationData
from app.plans import services as plans
from app.plans.programme import services as programme
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def plan(app, db):
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    db.session.commit()
    return plan


@pytest.fixture
def period(db, plan):
    consultation = services.create_consultation(plan, ConsultationData(
        title="Ontwerpbeleidsplan ter inzage", format="ter_inzage",
        published_on=date(2017, 5, 31), location="het gemeentehuis, Kasteel 1",
        legal_basis="Inspraakverordening Coevorden, art. 3"))  # last day: 11 July 2017
    db.session.commit()
    return consultation


@pytest.fixture
def meeting(db, plan):
    consultation = services.create_consultation(plan, ConsultationData(
        title="Werkconferentie", format="werkconferentie", location="De Schouwburg",
        starts_at=datetime(2026, 3, 23, 13, tzinfo=UTC),
        ends_at=datetime(2026, 3, 23, 16, tzinfo=UTC)))
    db.session.commit()
    return consultation


def events(db, action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                   .order_by(AuditEvent.id)))


def fresh(db, model, record_id):
    db.session.expire_all()
    return db.session.get(model, record_id)


def period_form(period, **values) -> dict:
    form = {"title": period.title, "description": "", "location": period.location or "",
            "organiser_id": "", "published_on": period.published_on.isoformat(),
            "legal_basis": period.legal_basis or "", "starts_at": "", "ends_at": "",
            "version": str(period.version)}
    form.update(values)
    return form


# --- the kennisgeving -----------------------------------------------------------------------

def test_a_comment_period_gets_its_kennisgeving_with_the_last_day_in_dutch_words(db, period):
    notice = period.notice
    assert notice is not None
    assert "woensdag 31 mei 2017" in notice and "dinsdag 11 juli 2017" in notice
    assert "Samen Krachtig" in notice and "Gemeente Koersdam" in notice
    assert "het gemeentehuis, Kasteel 1" in notice
    assert "Inspraakverordening Coevorden, art. 3" in notice
    assert "schriftelijk" in notice and "per e-mail" in notice and "op afspraak" in notice


def test_plugins_generate_the_kennisgeving_through_the_plugin_api(db, period):
    from app import plugin_api

    assert "generate_notice" in plugin_api.__all__
    assert plugin_api.generate_notice(period) == period.notice
    meeting = services.create_consultation(period_plan(db, period), ConsultationData(
        title="Bijeenkomst", format="bijeenkomst"))
    assert meeting.notice is None
    with pytest.raises(ValueError):
        plugin_api.generate_notice(meeting)


def period_plan(db, period):
    from app.plans.models import Plan

    return db.session.get(Plan, period.plan_id)


def test_the_kennisgeving_is_shown_edited_and_generated_again(client, login_as, db, period):
    login_as("viewer")
    page = text(client.get(f"/consultations/{period.id}"))
    assert "<pre" in page and "dinsdag 11 juli 2017" in page and "<textarea" not in page
    assert client.submit(f"/consultations/{period.id}/notice", {
        "notice": "x", "version": str(period.version)}).status_code == 403
    client.submit("/logout")

    login_as("editor")
    page = text(client.get(f"/consultations/{period.id}"))
    assert re.search(r'<textarea[^>]*name="notice"[^>]*>[^<]*dinsdag 11 juli 2017', page)
    own = period.notice.replace("Reageren", "Zo reageert u")
    response = client.submit(f"/consultations/{period.id}/notice", {
        "notice": own, "version": str(period.version)})
    assert response.status_code == 302
    assert "Zo reageert u" in fresh(db, Consultation, period.id).notice
    assert [event.entity_id for event in events(db, "update_notice")] == [str(period.id)]

    # a stale save shows the conflict page and overwrites nothing
    stale = client.submit(f"/consultations/{period.id}/notice", {
        "notice": "Mijn oude versie", "version": "1"})
    assert stale.status_code == 409 and "Someone else changed this" in text(stale)
    assert "Mijn oude versie" not in fresh(db, Consultation, period.id).notice

    # the period moves: the page warns that the text names the old last day
    current = fresh(db, Consultation, period.id)
    response = client.submit(f"/consultations/{period.id}/edit", period_form(
        current, published_on="2017-06-07"))
    assert response.status_code == 302
    current = fresh(db, Consultation, period.id)
    assert current.last_day == date(2017, 7, 18)
    page = text(client.get(f"/consultations/{period.id}"))
    assert "does not name the current last day" in page
    assert client.submit(f"/consultations/{period.id}/notice/regenerate").status_code == 302
    current = fresh(db, Consultation, period.id)
    assert "dinsdag 18 juli 2017" in current.notice and "Zo reageert u" not in current.notice
    assert "does not name the current last day" not in text(
        client.get(f"/consultations/{period.id}"))
    assert len(events(db, "regenerate_notice")) == 1


# --- a consultation -------------------------------------------------------------------------

def test_moving_a_comment_period_recomputes_the_lateness_of_its_reactions(client, login_as, db,
                                                                          period):
    on_time, late = input_services.add_inputs(period, [
        InputData(original_text="Op tijd", kind="zienswijze", channel="brief",
                  received_on=date(2017, 7, 11)),
        InputData(original_text="Te laat", kind="zienswijze", channel="brief",
                  received_on=date(2017, 7, 14))])
    db.session.commit()
    assert (on_time.late, late.late) == (False, True)
    login_as("editor")
    page = text(client.get(f"/consultations/{period.id}/edit"))
    assert 'value="2017-05-31"' in page and 'name="format"' not in page
    response = client.submit(f"/consultations/{period.id}/edit", period_form(
        period, published_on="2017-06-07"))
    assert response.status_code == 302
    assert fresh(db, Input, late.id).late is False
    update = events(db, "update")[-1]
    assert update.changes["last_day"] == {"old": "2017-07-11", "new": "2017-07-18"}
    assert update.changes["late"]["new"] == "[2]"  # the numbers of the reactions
    refused = client.submit(f"/consultations/{period.id}/edit", period_form(
        fresh(db, Consultation, period.id), published_on=""))
    assert refused.status_code == 400
    assert "Enter the date the draft is laid open." in text(refused)


def test_a_meeting_is_edited_and_a_stale_edit_shows_the_conflict(client, login_as, db,
                                                                 meeting):
    seen = meeting.version  # the version this editor saw
    login_as("editor")
    page = text(client.get(f"/consultations/{meeting.id}/edit"))
    assert 'value="2026-03-23T14:00"' in page  # 13:00 UTC shown in Amsterdam time
    form = {"title": "Werkconferentie Meedoen", "description": "Met tafels per thema",
            "starts_at": "2026-03-23T14:00", "ends_at": "2026-03-23T18:00",
            "location": "Het Dorpshuis", "organiser_id": "", "channels": ["website"],
            "published_on": "", "legal_basis": "", "version": str(meeting.version)}
    assert client.submit(f"/consultations/{meeting.id}/edit", form).status_code == 302
    saved = fresh(db, Consultation, meeting.id)
    assert (saved.title, saved.location, saved.channels) == (
        "Werkconferentie Meedoen", "Het Dorpshuis", ["website"])
    assert saved.ends_at == datetime(2026, 3, 23, 17, tzinfo=UTC)
    assert events(db, "update")[-1].changes["location"] == {
        "old": "De Schouwburg", "new": "Het Dorpshuis"}

    backwards = client.submit(f"/consultations/{meeting.id}/edit", {
        **form, "ends_at": "2026-03-23T12:00", "version": str(saved.version)})
    assert backwards.status_code == 400
    assert "The meeting ends before it starts." in text(backwards)
    assert 'value="Het Dorpshuis"' in text(backwards)

    stale = client.submit(f"/consultations/{meeting.id}/edit", {
        **form, "title": "Mijn titel", "version": str(seen)})
    assert stale.status_code == 409
    page = text(stale)
    assert "Someone else changed this" in page and "Mijn titel" in page
    assert f'name="version" value="{saved.version}"' in page
    assert fresh(db, Consultation, meeting.id).title == "Werkconferentie Meedoen"
    # saving over it is a deliberate second step with the current version
    assert client.submit(f"/consultations/{meeting.id}/edit", {
        **form, "title": "Mijn titel", "version": str(saved.version)}).status_code == 302
    assert fresh(db, Consultation, meeting.id).title == "Mijn titel"


def test_a_consultation_without_input_is_deleted_and_one_with_input_archived(
        client, login_as, db, plan, meeting, period):
    services.add_table(meeting, "Armoede")
    services.register_participant(meeting, register.create(StakeholderData(name="Els")))
    input_services.add_input(period, InputData(original_text="Bezwaar", kind="zienswijze",
                                               channel="brief", received_on=date(2017, 6, 1)))
    db.session.commit()
    login_as("editor")
    response = client.submit(f"/consultations/{meeting.id}/delete")
    assert response.status_code == 302 and response.location.endswith(f"/plan/{plan.id}")
    assert fresh(db, Consultation, meeting.id) is None
    assert db.session.scalars(select(ConsultationTable)).all() == []
    assert db.session.scalars(select(Registration)).all() == []
    response = client.submit(f"/consultations/{period.id}/delete", follow_redirects=True)
    assert "archived instead of deleted" in text(response)
    assert fresh(db, Consultation, period.id).archived is True
    assert "(archived)" in text(client.get(f"/consultations/plan/{plan.id}"))
    assert db.session.scalars(select(Input)).one().consultation_id == period.id
    assert [event.action for event in events(db, "delete")] == ["delete"]
    assert len(events(db, "archive")) == 1


# --- tables and registrations ---------------------------------------------------------------

def test_tables_are_edited_and_removed_unless_input_came_from_them(client, login_as, db, plan,
                                                                   meeting):
    theme = programme.add_theme(plan, "Armoede")
    used = services.add_table(meeting, "Eenzaamheid")
    spare = services.add_table(meeting, "Vervoer")
    input_services.add_input(meeting, InputData(original_text="Meer bankjes", kind="idee",
                                                table_id=used.id))
    db.session.commit()
    login_as("editor")
    page = text(client.get(f"/consultations/{meeting.id}"))
    assert f"/consultations/tables/{used.id}/edit" in page
    response = client.submit(f"/consultations/tables/{used.id}/edit", {
        "topic": "Eenzaamheid onder ouderen", "facilitator_id": "",
        "theme_id": str(theme.id), "version": str(used.version)})
    assert response.status_code == 302
    saved = fresh(db, ConsultationTable, used.id)
    assert (saved.topic, saved.theme_id) == ("Eenzaamheid onder ouderen", theme.id)
    assert events(db, "update_table")[-1].changes["topic"]["new"] == "Eenzaamheid onder ouderen"
    assert client.submit(f"/consultations/tables/{used.id}/edit", {
        "topic": " ", "version": str(saved.version)}).status_code == 400
    refused = client.submit(f"/consultations/tables/{used.id}/delete", follow_redirects=True)
    assert "Input was recorded at this table" in text(refused)
    assert fresh(db, ConsultationTable, used.id) is not None
    assert client.submit(f"/consultations/tables/{spare.id}/delete").status_code == 302
    assert fresh(db, ConsultationTable, spare.id) is None
    assert [e.action for e in events(db, "remove_table")] == ["remove_table"]


def test_attendance_is_ticked_per_registration_and_a_registration_removed(client, login_as,
                                                                          db, meeting):
    came = register.create(StakeholderData(name="Henk de Vries"))
    stayed_away = register.create(StakeholderData(name="Ria Bos"))
    first = services.register_participant(meeting, came)
    second = services.register_participant(meeting, stayed_away, attended=True)
    db.session.commit()
    login_as("editor")
    page = text(client.get(f"/consultations/{meeting.id}"))
    assert f'name="attended" value="{first.id}"' in page
    response = client.submit(f"/consultations/{meeting.id}/attendance", {
        "attended": [str(first.id)],
        "versions": f"{first.id}:{first.version} {second.id}:{second.version}"})
    assert response.status_code == 302
    assert fresh(db, Registration, first.id).attended is True
    assert fresh(db, Registration, second.id).attended is False
    assert events(db, "attendance")[-1].changes["attended"]["new"] == 1
    response = client.submit(f"/consultations/registrations/{second.id}/delete")
    assert response.status_code == 302
    assert fresh(db, Registration, second.id) is None
    assert [e.changes["stakeholder"]["old"] for e in events(db, "unregister")] == [
        stayed_away.id]


# --- an input and its answer ----------------------------------------------------------------

def test_editing_an_input_recomputes_its_lateness_and_keeps_a_stale_edit_out(
        client, login_as, db, plan, period):
    signer = register.create(StakeholderData(name="Anna de Vries"))
    item = input_services.add_input(period, InputData(
        original_text="Ik maak bezwaar.", kind="zienswijze", channel="brief",
        received_on=date(2017, 7, 14), co_signatory_ids=[signer.id]))
    db.session.commit()
    assert item.late is True
    login_as("editor")
    page = text(client.get(f"/consultations/inputs/{item.id}"))
    assert "Anna de Vries" in page and f"/consultations/inputs/{item.id}/edit" in page
    form = {"summary": "Bezwaar tegen de bezuiniging", "kind": "zienswijze",
            "participant_group": "inwoner", "received_on": "2017-07-14",
            "postmarked_on": "2017-07-11", "co_signatory_ids": [str(signer.id)],
            "version": str(item.version)}
    response = client.submit(f"/consultations/inputs/{item.id}/edit", form,
                             follow_redirects=True)
    assert "Reaction 1 has been saved. It is on time." in text(response)
    saved = fresh(db, Input, item.id)
    assert (saved.late, saved.summary, saved.participant_group) == (
        False, "Bezwaar tegen de bezuiniging", "inwoner")
    update = events(db, "update")[-1]
    assert update.entity_type == "consultation_inputs"
    assert update.changes["late"] == {"old": True, "new": False}
    assert update.changes["summary"] == {}  # a resident's matter: that it changed, no more

    stale = client.submit(f"/consultations/inputs/{item.id}/edit", {
        **form, "summary": "Mijn samenvatting"})
    assert stale.status_code == 409 and "Mijn samenvatting" in text(stale)
    assert fresh(db, Input, item.id).summary == "Bezwaar tegen de bezuiniging"

    # removing the co-signatory alone is a change too, with a new version
    version = fresh(db, Input, item.id).version
    assert client.submit(f"/consultations/inputs/{item.id}/edit", {
        **form, "co_signatory_ids": [], "version": str(version)}).status_code == 302
    assert db.session.scalars(select(CoSignatory)).all() == []
    assert fresh(db, Input, item.id).version > version

    bad = client.submit(f"/consultations/inputs/{item.id}/edit", {
        **form, "postmarked_on": "2017-07-20", "version": str(fresh(db, Input, item.id).version)})
    assert bad.status_code == 400
    assert "The postmark date lies after the received date." in text(bad)
    assert 'value="2017-07-20"' in text(bad)


def test_themes_of_an_input_are_changed(client, login_as, db, plan, meeting):
    themes = [programme.add_theme(plan, "Armoede"), programme.add_theme(plan, "Vervoer")]
    item = input_services.add_input(meeting, InputData(original_text="Idee", kind="idee"))
    db.session.commit()
    login_as("editor")
    assert client.submit(f"/consultations/inputs/{item.id}/edit", {
        "summary": "", "kind": "advies", "participant_group": "partner",
        "received_on": "", "postmarked_on": "", "theme_ids": [str(themes[1].id)],
        "version": str(item.version)}).status_code == 302
    assert db.session.scalars(select(InputTheme.theme_id)).all() == [themes[1].id]
    assert fresh(db, Input, item.id).kind == "advies"


def test_re_answering_keeps_old_and_new_in_the_audit_trail(client, login_as, db, plan,
                                                           period):
    section = plans.add_section(plan, "Dagbesteding", "Tekst")
    first, second = input_services.add_inputs(period, [
        InputData(original_text="Bezwaar A", kind="zienswijze", channel="brief",
                  received_on=date(2017, 6, 1)),
        InputData(original_text="Bezwaar B", kind="zienswijze", channel="brief",
                  received_on=date(2017, 6, 2))])
    answer = answers.answer([first, second], "Wij handhaven het besluit.",
                            "niet_overgenomen")
    db.session.commit()
    login_as("editor")
    page = text(client.get(f"/consultations/inputs/{first.id}"))
    assert f"/consultations/answers/{answer.id}/edit" in page
    form = {"text": "Wij passen de tekst aan.", "decision": "overgenomen",
            "changed_section_id": str(section.id), "version": str(answer.version)}
    assert client.submit(f"/consultations/answers/{answer.id}/edit", form).status_code == 302
    saved = fresh(db, Answer, answer.id)
    assert (saved.text, saved.decision, saved.changed_section_id) == (
        "Wij passen de tekst aan.", "overgenomen", section.id)
    assert fresh(db, Input, second.id).used is True
    event = events(db, "reanswer")[-1]
    assert event.changes["text"] == {"old": "Wij handhaven het besluit.",
                                     "new": "Wij passen de tekst aan."}
    assert event.changes["decision"] == {"old": "niet_overgenomen", "new": "overgenomen"}
    assert event.changes["section"] == {"old": None, "new": section.id}
    assert event.changes["inputs"]["new"] == "[1, 2]"

    stale = client.submit(f"/consultations/answers/{answer.id}/edit", {
        **form, "text": "Mijn antwoord"})
    assert stale.status_code == 409 and "Mijn antwoord" in text(stale)
    assert fresh(db, Answer, answer.id).text == "Wij passen de tekst aan."
    empty = client.submit(f"/consultations/answers/{answer.id}/edit", {
        **form, "text": " ", "version": str(saved.version)})
    assert empty.status_code == 400 and "Enter the answer." in text(empty)


# --- who may -------------------------------------------------------------------------------

def editing_paths(db, meeting, period):
    table = services.add_table(meeting, "Vervoer")
    registration = services.register_participant(
        meeting, register.create(StakeholderData(name="Els")))
    item = input_services.add_input(period, InputData(original_text="Bezwaar", kind="zienswijze",
                                                      channel="brief",
                                                      received_on=date(2017, 6, 1)))
    answer = answers.answer([item], "Antwoord", "al_voorzien")
    db.session.commit()
    paths = [f"/consultations/{meeting.id}/edit", f"/consultations/{meeting.id}/delete",
             f"/consultations/tables/{table.id}/edit", f"/consultations/tables/{table.id}/delete",
             f"/consultations/{meeting.id}/attendance",
             f"/consultations/registrations/{registration.id}/delete",
             f"/consultations/{period.id}/notice", f"/consultations/{period.id}/notice/regenerate",
             f"/consultations/inputs/{item.id}/edit",
             f"/consultations/inputs/{item.id}/attachments",
             f"/consultations/answers/{answer.id}/edit"]
    return paths, item


def test_viewers_may_look_but_not_change(client, login_as, db, plan, meeting, period):
    paths, item = editing_paths(db, meeting, period)
    login_as("viewer")
    assert client.get(f"/consultations/inputs/{item.id}").status_code == 200
    page = text(client.get(f"/consultations/{meeting.id}"))
    assert f"/consultations/{meeting.id}/edit" not in page
    for path in paths:
        assert client.submit(path, {}).status_code == 403, path


def test_a_read_only_plan_refuses_every_change(client, login_as, db, plan, meeting, period):
    paths, _item = editing_paths(db, meeting, period)
    plans.set_archived(plan, True)
    db.session.commit()
    login_as("editor")
    for path in paths:
        assert client.submit(path, {}).status_code == 409, path
    assert fresh(db, Consultation, meeting.id) is not None
    assert client.get("/consultations/inputs/9999").status_code == 404
