"""iCalendar events for consultations: a meeting, and the last day of a comment period.

Shared by a meeting's own .ics file and a staff member's calendar feed, so an event imported
from one and subscribed to in the other has the same UID and a calendar app shows it once.
Times are written in UTC (the database stores UTC); a last day is an all-day date, the same
in every time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event

from app.consultations.models import Consultation

PRODID = "-//Koers//Consultations//EN"


def new_calendar(name: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    if name:
        calendar.add("x-wr-calname", name)
    return calendar


def meeting_uid(consultation: Consultation, host: str) -> str:
    return f"consultation-{consultation.id}@{host}"


def last_day_uid(consultation: Consultation, host: str) -> str:
    return f"consultation-{consultation.id}-last-day@{host}"


def meeting_event(consultation: Consultation, *, host: str, url: str,
                  description: str | None = None, stamp: datetime | None = None) -> Event:
    """The meeting from its start to its end (or a start only)."""
    assert consultation.starts_at is not None
    event = Event()
    event.add("uid", meeting_uid(consultation, host))
    event.add("dtstamp", stamp or datetime.now(UTC))
    event.add("dtstart", consultation.starts_at.astimezone(UTC))
    if consultation.ends_at is not None:
        event.add("dtend", consultation.ends_at.astimezone(UTC))
    event.add("summary", consultation.title)
    if consultation.location:
        event.add("location", consultation.location)
    if description:
        event.add("description", description)
    event.add("url", url)
    return event


def last_day_event(consultation: Consultation, *, summary: str, host: str, url: str,
                   description: str | None = None, stamp: datetime | None = None) -> Event:
    """The last day for reactions as an all-day event (DTEND is exclusive: the day after)."""
    assert consultation.last_day is not None
    event = Event()
    event.add("uid", last_day_uid(consultation, host))
    event.add("dtstamp", stamp or datetime.now(UTC))
    event.add("dtstart", consultation.last_day)
    event.add("dtend", consultation.last_day + timedelta(days=1))
    event.add("summary", summary)
    if description:
        event.add("description", description)
    event.add("transp", "TRANSPARENT")  # a deadline, not a busy day
    event.add("url", url)
    return event
