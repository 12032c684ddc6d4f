"""A staff member's personal calendar feed: made on the own profile page, shown once, public
behind its secret token, replaced or revoked at once; holds the meetings and last days of the
plans the staff member owns and nothing a resident wrote; bounded queries; audited."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.audit.models import AuditEvent
from app.consultations import services
from app.consultations.inputs import services as input_services
from app.consultations.inputs.services import InputData
from app.consultations.models import CalendarFeed
from app.consultations.services import ConsultationData
from app.plans import services as plans
from app.plans.services import PlanData

FEED_URL = re.compile(r'value="(http://[^"]+/consultations/calendar/([A-Za-z0-9_-]+)\.ics)"')


@pytest.fixture(autouse=True)
def english(client):
    client.set_cookie("koers_language", "en")


def text(response) -> str:
    return response.get_data(as_text=True)


def make_feed(client) -> tuple[str, str]:
    """Make (or replace) the signed-in user's feed; (full URL, path) as shown once."""
    response = client.submit("/consultations/calendar-feed")
    assert response.status_code == 200
    found = FEED_URL.search(text(response))
    assert found, text(response)
    return found.group(1), found.group(1).removeprefix("http://localhost")


def events(response) -> list:
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    return list(Calendar.from_ical(response.get_data()).walk("VEVENT"))


def plan_of(db, user, title: str, *, meetings: int = 1, archived: bool = False):
    plan = plans.create_plan(PlanData(title=title, kind="beleidsplan", owner_id=user.id))
    soon = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    for number in range(meetings):
        services.create_consultation(plan, ConsultationData(
            title=f"Werkconferentie {title} {number + 1}", format="werkconferentie",
            location="De Schouwburg", starts_at=soon + timedelta(days=number),
            ends_at=soon + timedelta(days=number, hours=3),
            description="Mevrouw Jansen (Dorpsstraat 1) komt ook"))
    plan.archived = archived
    db.session.commit()
    return plan


def test_the_profile_offers_a_feed_and_shows_its_address_once(client, login_as, db):
    user = login_as("viewer")
    page = text(client.get("/profile"))
    assert page.count('id="calendar-feed-title"') == 1
    assert "You have no calendar feed." in page and "Make a feed address" in page
    url, _path = make_feed(client)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) >= 43  # secrets.token_urlsafe(32)
    stored = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    page = text(client.get("/profile"))
    assert token not in page  # shown once, never again
    assert "Revoke the feed" in page and "Make a new feed address" in page
    assert "You have no calendar feed." not in page


def test_the_feed_holds_the_meetings_and_last_days_of_own_plans_only(app, client, login_as,
                                                                        make_user, db):
    user = login_as("editor")
    plan = plan_of(db, user, "Samen Krachtig")
    published = date.today() - timedelta(days=7)
    period = services.create_consultation(plan, ConsultationData(
        title="Ontwerp ter inzage", format="ter_inzage", published_on=published))
    input_services.add_input(period, InputData(original_text="Geheime zienswijze van Jan Smit",
                                               summary="Samenvatting van Jan Smit",
                                               kind="zienswijze", received_on=published))
    plan_of(db, user, "Gearchiveerd plan", archived=True)
    plan_of(db, make_user("editor"), "Plan van een ander")
    gone = services.create_consultation(plan, ConsultationData(
        title="Afgelast", format="bijeenkomst",
        starts_at=datetime.now(UTC) + timedelta(days=3)))
    gone.archived = True
    db.session.commit()
    _url, path = make_feed(client)
    response = app.test_client().get(path)  # no session: as a calendar app
    found = {str(event["SUMMARY"]): event for event in events(response)}
    # in the user's own language: none chosen, so the municipality's (Dutch)
    assert set(found) == {"Werkconferentie Samen Krachtig 1",
                          "Laatste dag voor reacties: Ontwerp ter inzage"}
    meeting = found["Werkconferentie Samen Krachtig 1"]
    assert str(meeting["LOCATION"]) == "De Schouwburg"
    assert "Samen Krachtig" in str(meeting["DESCRIPTION"])
    assert meeting.decoded("DTSTART").tzinfo is not None
    assert meeting.decoded("DTSTART").utcoffset() == timedelta(0)  # UTC
    assert "DTSTAMP" in meeting
    last_day = found["Laatste dag voor reacties: Ontwerp ter inzage"]
    assert last_day.decoded("DTSTART") == period.last_day  # an all-day date
    assert last_day.decoded("DTEND") == period.last_day + timedelta(days=1)
    assert str(meeting["UID"]) != str(last_day["UID"])
    body = text(response)
    assert "Jan Smit" not in body and "Jansen" not in body and "Dorpsstraat" not in body
    assert "Set-Cookie" not in response.headers


def test_uids_are_stable_and_match_the_meeting_file(client, login_as, db):
    user = login_as("editor")
    plan_of(db, user, "Samen Krachtig")
    _url, path = make_feed(client)
    first = [str(event["UID"]) for event in events(client.get(path))]
    second = [str(event["UID"]) for event in events(client.get(path))]
    assert first == second and len(first) == 1
    meeting_id = int(re.search(r"consultation-(\d+)@", first[0]).group(1))
    single = events(client.get(f"/consultations/{meeting_id}.ics"))
    assert str(single[0]["UID"]) == first[0]


def test_a_new_address_invalidates_the_old_one_and_revoking_ends_it(client, login_as, db):
    user = login_as("viewer")
    _url, old = make_feed(client)
    assert client.get(old).status_code == 200
    _url, new = make_feed(client)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    response = client.submit("/consultations/calendar-feed/revoke")
    assert response.status_code == 302 and response.location.startswith("/profile")
    assert client.get(new).status_code == 404
    assert db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id)) \
        is None
    actions = db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.entity_type == "users", AuditEvent.entity_id == str(user.id),
        AuditEvent.action.like("calendar_feed.%")).order_by(AuditEvent.id)).all()
    assert actions == ["calendar_feed.created", "calendar_feed.regenerated",
                       "calendar_feed.revoked"]


def test_an_unknown_token_or_deactivated_user_gets_a_bare_404(app, client, login_as, db):
    user = login_as("viewer")
    _url, path = make_feed(client)
    client = app.test_client()  # as a calendar app
    guess = "/consultations/calendar/" + "x" * 43 + ".ics"
    unknown = client.get(guess)
    assert unknown.status_code == 404
    plain = client.get("/no-such-page")  # the 404 of any missing page

    def normal(response, path: str) -> str:
        return re.sub(r'value="[^"]*"', "", text(response).replace(path, "PATH"))

    assert normal(unknown, guess) == normal(plain, "/no-such-page")
    user.active = False
    db.session.commit()
    assert client.get(path).status_code == 404


def test_the_feed_notes_when_it_was_last_used(client, login_as, db):
    user = login_as("viewer")
    _url, path = make_feed(client)
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))
    assert feed.last_used_at is None
    client.get(path)
    db.session.refresh(feed)
    assert feed.last_used_at is not None
    assert "Not yet" not in text(client.get("/profile"))


def test_the_feed_takes_the_same_number_of_queries_for_1_and_many_meetings(
        client, login_as, db, count_queries):
    user = login_as("viewer")
    plan_of(db, user, "Eerste plan", meetings=1)
    _url, path = make_feed(client)
    client.get(path)  # warm up
    with count_queries() as small:
        assert len(events(client.get(path))) == 1
    for number in range(5):
        plan_of(db, user, f"Plan {number}", meetings=12)
    db.session.expire_all()
    with count_queries() as large:
        assert len(events(client.get(path))) == 61
    assert large.count == small.count


def test_signed_out_visitors_cannot_make_or_revoke_a_feed(client):
    assert client.submit("/consultations/calendar-feed").status_code == 302
    assert client.submit("/consultations/calendar-feed/revoke").status_code == 302
