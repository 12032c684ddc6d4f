"""Statutory periods of a ter-inzage procedure: the last day of a comment period, and whether
a reaction came in on time.

* **Counting** follows the Awb: day 1 is the day the draft is laid open, so six weeks from
  Wednesday 31 May 2017 end on Tuesday 11 July 2017.
* **Algemene termijnenwet** (Atw): a period set by law that ends on a Saturday, a Sunday or a
  day the Atw treats as a holiday ends on the next day that is none of these. Its own list
  (art. 3) differs from the days off in general calendars: 5 May counts every year, not only
  in lustrum years, and Good Friday counts too; so do the days a royal decree makes equal
  (bridge days, published in the Staatscourant every few years: :data:`DECREED_EQUAL_DAYS`,
  which a municipality extends in its configuration). The extension can be switched off for
  periods that only a local by-law sets.
* **On time** (Awb art. 6:9): received — by its Europe/Amsterdam date — on or before the last
  day, or posted on or before the last day and received within a week after it. Late
  reactions are kept and flagged, never refused; that is the caller's rule.

Pure Python: no Flask and no database, so the rules are tested on their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from dateutil.easter import easter

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class DayOff(StrEnum):
    """Why a day does not count as the last day of a period under the Atw."""

    SATURDAY = "saturday"
    SUNDAY = "sunday"
    NEW_YEAR = "new_year"
    GOOD_FRIDAY = "good_friday"
    EASTER_MONDAY = "easter_monday"
    KINGS_DAY = "kings_day"
    LIBERATION_DAY = "liberation_day"
    ASCENSION_DAY = "ascension_day"
    WHIT_MONDAY = "whit_monday"
    CHRISTMAS_DAY = "christmas_day"
    BOXING_DAY = "boxing_day"
    DECREED = "decreed"  # made equal to a holiday by royal decree


#: Days a royal decree made equal to a holiday under Atw art. 3(2) (Staatscourant), for
#: 2026-2028. A municipality adds later decrees in ``[procedure] atw_equal_days``.
DECREED_EQUAL_DAYS: tuple[date, ...] = (
    date(2026, 1, 2), date(2026, 5, 15), date(2027, 5, 7), date(2028, 4, 28),
    date(2028, 5, 26),
)


def atw_holidays(year: int, decreed: Iterable[date] = DECREED_EQUAL_DAYS) -> dict[date, DayOff]:
    """The days of ``year`` the Atw treats as holidays, with the reason for each."""
    easter_sunday = easter(year)
    kings_day = date(year, 4, 27)
    if kings_day.weekday() == 6:  # celebrated on the 26th when the 27th is a Sunday
        kings_day = date(year, 4, 26)
    days = {
        date(year, 1, 1): DayOff.NEW_YEAR,
        easter_sunday - timedelta(days=2): DayOff.GOOD_FRIDAY,
        easter_sunday + timedelta(days=1): DayOff.EASTER_MONDAY,
        kings_day: DayOff.KINGS_DAY,
        date(year, 5, 5): DayOff.LIBERATION_DAY,
        easter_sunday + timedelta(days=39): DayOff.ASCENSION_DAY,
        easter_sunday + timedelta(days=50): DayOff.WHIT_MONDAY,
        date(year, 12, 25): DayOff.CHRISTMAS_DAY,
        date(year, 12, 26): DayOff.BOXING_DAY,
    }
    for day in decreed:
        if day.year == year:
            days.setdefault(day, DayOff.DECREED)
    return days


def day_off(day: date, decreed: Iterable[date] = DECREED_EQUAL_DAYS) -> DayOff | None:
    """Why ``day`` cannot be the last day of a statutory period, or None if it can."""
    if day.weekday() == 5:
        return DayOff.SATURDAY
    if day.weekday() == 6:
        return DayOff.SUNDAY
    return atw_holidays(day.year, decreed).get(day)


@dataclass(frozen=True)
class Extension:
    """A day the period was extended past, and why."""

    day: date
    reason: DayOff


@dataclass(frozen=True)
class CommentPeriod:
    """A computed comment period, with how it was computed — for the page that shows it."""

    first_day: date
    weeks: int
    nominal_last_day: date  # day 1 counted, before any Atw extension
    last_day: date
    extensions: tuple[Extension, ...] = field(default_factory=tuple)
    termijnenwet_applied: bool = True

    @property
    def extended(self) -> bool:
        return self.last_day != self.nominal_last_day


def comment_period(first_day: date, weeks: int = 6, *, apply_termijnenwet: bool = True,
                   decreed: Iterable[date] = DECREED_EQUAL_DAYS) -> CommentPeriod:
    """The period that starts on ``first_day`` (the draft is laid open that day: day 1)."""
    if weeks < 1:
        raise ValueError("a comment period lasts at least one week")
    decreed = tuple(decreed)
    nominal = first_day + timedelta(weeks=weeks) - timedelta(days=1)
    last = nominal
    extensions: list[Extension] = []
    if apply_termijnenwet:
        while (reason := day_off(last, decreed)) is not None:
            extensions.append(Extension(last, reason))
            last += timedelta(days=1)
    return CommentPeriod(first_day, weeks, nominal, last, tuple(extensions),
                         apply_termijnenwet)


def local_date(moment: datetime | date) -> date:
    """The Europe/Amsterdam date of a moment (a plain date stays as it is)."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return moment.astimezone(AMSTERDAM).date()
    return moment


#: A letter posted in time counts when it arrives at most this long after the last day.
POSTAL_GRACE = timedelta(weeks=1)


def is_on_time(last_day: date, received: datetime | date,
               postmarked: date | None = None) -> bool:
    """Awb art. 6:9: received by the last day, or posted by the last day and received within
    a week after it. A postmark after the received date is a mistake in the input."""
    received_on = local_date(received)
    if postmarked is not None and postmarked > received_on:
        raise ValueError("the postmark date lies after the received date")
    if received_on <= last_day:
        return True
    return postmarked is not None and postmarked <= last_day \
        and received_on <= last_day + POSTAL_GRACE


def municipal_period(municipality: object, first_day: date) -> CommentPeriod:
    """:func:`comment_period` with a municipality's settings: its number of weeks, whether it
    applies the Atw, and the decreed days it added to the core's list."""
    return comment_period(
        first_day, getattr(municipality, "inspection_weeks", 6),
        apply_termijnenwet=getattr(municipality, "apply_termijnenwet", True),
        decreed=(*DECREED_EQUAL_DAYS, *getattr(municipality, "atw_equal_days", ())))
