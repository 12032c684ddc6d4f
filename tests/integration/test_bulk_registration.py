"""Registering many attendees in one submission: ticked in a search, everyone a search found,
or every member of a category; anyone already registered skipped and counted, erased persons
refused, every new registration audited. Attendance stays one tick list."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEvent
from app.consultations import services as consultations
from app.consultations.models import Registration
from app.consultations.services import ConsultationData
from app.plans import services as plans
from app.plans.services import PlanData
from app.stakeholders import services as register
from app.stakeholders.services import StakeholderData

ATTENDEES = 60


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


@pytest.fixture
def meeting(app, db):
    plan = plans.create_plan(PlanData(title="Samen Krachtig", kind="beleidsplan"))
    created = consultations.create_consultation(plan, ConsultationData(
        title="Werkconferentie", format="werkconferentie",
        starts_at=datetime(2026, 3, 23, 13, tzinfo=UTC)))
    db.session.commit()
    return created


def residents(count: int, *, category: str = "inwoner", prefix: str = "Bewoner"):
    return [register.create(StakeholderData(name=f"{prefix} {n:03d} Visser",
                                            categories=[category]))
            for n in range(1, count + 1)]


def registered(db) -> set[int]:
    return set(db.session.scalars(select(Registration.stakeholder_id)))


def audited(db) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "register")) or 0


def test_sixty_ticked_in_one_submission_duplicates_skipped(client, login_as, db, meeting):
    people = residents(ATTENDEES)
    consultations.register_participant(meeting, people[0])
    db.session.commit()
    before = audited(db)
    login_as("editor")
    page = client.get(f"/consultations/{meeting.id}?q=visser").get_data(as_text=True)
    assert "Register participants" in page
    for person in people:  # the search offers every one of them to tick
        assert f'value="{person.id}"' in page
    response = client.submit(f"/consultations/{meeting.id}/registrations/many", {
        "stakeholder_id": [str(person.id) for person in people], "q": "visser",
        "attended": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    assert registered(db) == {person.id for person in people}
    assert audited(db) - before == ATTENDEES - 1
    page = client.get(response.location).get_data(as_text=True)
    assert "Registered: 59. Already registered, so skipped: 1." in page
    came = db.session.scalar(select(func.count()).select_from(Registration).where(
        Registration.attended.is_(True)))
    assert came == ATTENDEES - 1  # the one registered before is left as they were


def test_every_member_of_a_category_at_once(client, login_as, db, meeting):
    people = residents(ATTENDEES, category="vrijwilliger")
    others = residents(3, category="raadslid", prefix="Raadslid")
    gone = residents(1, category="vrijwilliger", prefix="Gewist")[0]
    register.erase(gone)
    db.session.commit()
    login_as("editor")
    response = client.submit(f"/consultations/{meeting.id}/registrations/many",
                             {"category": "vrijwilliger"})
    assert response.status_code == 302
    assert registered(db) == {person.id for person in people}
    assert not registered(db) & {person.id for person in [*others, gone]}
    # once more: everyone is skipped, nothing new
    response = client.submit(f"/consultations/{meeting.id}/registrations/many",
                             {"category": "vrijwilliger"})
    page = client.get(response.location).get_data(as_text=True)
    assert "Registered: 0. Already registered, so skipped: 60." in page
    assert audited(db) == ATTENDEES


def test_everyone_a_search_found(client, login_as, db, meeting):
    wanted = residents(12, prefix="Jansen")
    residents(5, prefix="Bakker")
    db.session.commit()
    login_as("editor")
    page = client.get(f"/consultations/{meeting.id}?q=jansen").get_data(as_text=True)
    assert "Everyone the search “jansen” found" in page
    response = client.submit(f"/consultations/{meeting.id}/registrations/many",
                             {"q": "jansen", "everyone_found": "y"})
    assert response.status_code == 302
    assert registered(db) == {person.id for person in wanted}
    empty = client.submit(f"/consultations/{meeting.id}/registrations/many",
                          {"q": "", "everyone_found": "y"})
    assert empty.status_code == 400  # without a search, not the whole register


def test_an_erased_person_is_refused_and_nothing_is_registered(client, login_as, db, meeting):
    people = residents(5)
    gone = residents(1, prefix="Gewist")[0]
    register.erase(gone)
    db.session.commit()
    login_as("editor")
    response = client.submit(f"/consultations/{meeting.id}/registrations/many", {
        "stakeholder_id": [str(person.id) for person in [*people, gone]]})
    assert response.status_code == 400
    assert "Choose participants from the list." in response.get_data(as_text=True)
    assert registered(db) == set()


def test_the_service_refuses_an_erased_person(app, db, meeting):
    from app.errors import DomainError

    people = residents(2)
    register.erase(people[1])
    with pytest.raises(DomainError):
        consultations.register_participants(meeting, people)
    db.session.rollback()
    assert registered(db) == set()


def test_nothing_chosen_is_a_field_error(client, login_as, db, meeting):
    login_as("editor")
    response = client.submit(f"/consultations/{meeting.id}/registrations/many", {})
    assert response.status_code == 400
    assert "Choose participants, everyone the search found, or a category." in \
        response.get_data(as_text=True)


def test_viewers_may_not_register_many(client, login_as, db, meeting):
    people = residents(2)
    db.session.commit()
    login_as("viewer")
    response = client.submit(f"/consultations/{meeting.id}/registrations/many",
                             {"stakeholder_id": [str(people[0].id)]})
    assert response.status_code == 403
    assert registered(db) == set()


def test_attendance_is_one_tick_list(client, login_as, db, meeting):
    people = residents(4)
    for person in people:
        consultations.register_participant(meeting, person)
    db.session.commit()
    login_as("editor")
    page = client.get(f"/consultations/{meeting.id}").get_data(as_text=True)
    attendance = page[page.index('/attendance"'):page.index("Save attendance")]
    assert len(re.findall(r'type="checkbox" name="attended"', attendance)) == len(people)


def test_the_role_matrix_covers_the_new_routes(app):
    from app.permissions import Permission, declared_permission

    views = {rule.endpoint: app.view_functions[rule.endpoint]
             for rule in app.url_map.iter_rules()}
    for endpoint in ("consultations.register_many", "consultations.print_letters",
                     "consultations.mark_posted"):
        assert declared_permission(views[endpoint]) == Permission.EDIT.value
