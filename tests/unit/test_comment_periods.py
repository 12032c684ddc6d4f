"""The term computation of a ter-inzage period: Awb counting, Algemene termijnenwet
extensions (weekends, the Atw's own holiday list including 5 May every year and Good Friday,
decreed bridge days), the switch that turns the extension off, and lateness (Awb art. 6:9)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.consultations.periods import (
    DECREED_EQUAL_DAYS,
    DayOff,
    atw_holidays,
    comment_period,
    day_off,
    is_on_time,
    local_date,
)


def test_coevorden_six_weeks_from_wednesday_31_may_2017_end_tuesday_11_july():
    period = comment_period(date(2017, 5, 31))
    assert period.nominal_last_day == date(2017, 7, 11) == period.last_day
    assert not period.extended and period.extensions == ()


def test_a_period_ending_on_a_weekend_runs_to_monday():
    period = comment_period(date(2026, 1, 4), weeks=6)  # nominal end Saturday 14 February
    assert period.nominal_last_day == date(2026, 2, 14)
    assert period.last_day == date(2026, 2, 16)
    assert [(e.day, e.reason) for e in period.extensions] == [
        (date(2026, 2, 14), DayOff.SATURDAY), (date(2026, 2, 15), DayOff.SUNDAY)]


def test_5_may_counts_every_year_not_only_in_lustrum_years():
    assert date(2026, 5, 5).weekday() == 1  # a Tuesday, and 2026 is no lustrum year
    assert day_off(date(2026, 5, 5)) == DayOff.LIBERATION_DAY
    period = comment_period(date(2026, 3, 25))  # nominal end Tuesday 5 May 2026
    assert period.nominal_last_day == date(2026, 5, 5)
    assert period.last_day == date(2026, 5, 6)


def test_a_decreed_bridge_day_after_ascension_extends_over_the_weekend():
    # Ascension Thursday 14 May 2026, the decreed Friday 15 May, then the weekend.
    period = comment_period(date(2026, 4, 3))  # nominal end Thursday 14 May
    assert period.last_day == date(2026, 5, 18)
    assert [e.reason for e in period.extensions] == [
        DayOff.ASCENSION_DAY, DayOff.DECREED, DayOff.SATURDAY, DayOff.SUNDAY]
    without_decree = comment_period(date(2026, 4, 3), decreed=())
    assert without_decree.last_day == date(2026, 5, 15)


def test_good_friday_and_easter_run_on_to_tuesday():
    # Easter 2026 is 5 April: Good Friday 3 April through Easter Monday 6 April.
    period = comment_period(date(2026, 2, 21))  # nominal end Friday 3 April
    assert period.last_day == date(2026, 4, 7)
    assert [e.reason for e in period.extensions] == [
        DayOff.GOOD_FRIDAY, DayOff.SATURDAY, DayOff.SUNDAY, DayOff.EASTER_MONDAY]


def test_the_extension_can_be_switched_off():
    period = comment_period(date(2026, 1, 4), apply_termijnenwet=False)
    assert period.last_day == period.nominal_last_day == date(2026, 2, 14)
    assert not period.termijnenwet_applied and period.extensions == ()


@pytest.mark.parametrize(("year", "day", "reason"), [
    (2026, date(2026, 1, 1), DayOff.NEW_YEAR),
    (2026, date(2026, 4, 6), DayOff.EASTER_MONDAY),
    (2026, date(2026, 4, 27), DayOff.KINGS_DAY),
    (2025, date(2025, 4, 26), DayOff.KINGS_DAY),  # 27 April 2025 is a Sunday
    (2026, date(2026, 5, 25), DayOff.WHIT_MONDAY),
    (2026, date(2026, 12, 25), DayOff.CHRISTMAS_DAY),
    (2026, date(2026, 12, 26), DayOff.BOXING_DAY),
    (2026, date(2026, 1, 2), DayOff.DECREED),
    (2027, date(2027, 5, 7), DayOff.DECREED),
])
def test_the_atw_holiday_list(year, day, reason):
    assert atw_holidays(year)[day] == reason


def test_kings_day_is_not_moved_when_the_27th_is_no_sunday():
    assert date(2025, 4, 27) not in atw_holidays(2025)
    assert date(2026, 4, 26) not in atw_holidays(2026)


def test_a_municipality_adds_later_decrees():
    later = date(2030, 5, 31)  # a Friday after Ascension 30 May 2030
    assert day_off(later) is None
    assert day_off(later, decreed=(*DECREED_EQUAL_DAYS, later)) == DayOff.DECREED


def test_periods_are_at_least_a_week():
    with pytest.raises(ValueError):
        comment_period(date(2026, 1, 5), weeks=0)


LAST = date(2017, 7, 11)


@pytest.mark.parametrize(("received", "postmarked", "on_time"), [
    (date(2017, 7, 11), None, True),  # on the last day
    (date(2017, 7, 12), None, False),  # a day late, no postmark
    (date(2017, 7, 14), date(2017, 7, 11), True),  # posted in time, received within a week
    (date(2017, 7, 18), date(2017, 7, 11), True),  # exactly a week after the last day
    (date(2017, 7, 19), date(2017, 7, 10), False),  # posted in time, but arrived too late
    (date(2017, 7, 13), date(2017, 7, 12), False),  # posted after the last day
])
def test_on_time_or_late(received, postmarked, on_time):
    assert is_on_time(LAST, received, postmarked) is on_time


def test_received_moments_count_by_their_amsterdam_date():
    # 22:30 UTC on 11 July is 00:30 on 12 July in Amsterdam (summer time): late.
    assert local_date(datetime(2017, 7, 11, 22, 30, tzinfo=UTC)) == date(2017, 7, 12)
    assert not is_on_time(LAST, datetime(2017, 7, 11, 22, 30, tzinfo=UTC))
    assert is_on_time(LAST, datetime(2017, 7, 11, 21, 30, tzinfo=UTC))
    with pytest.raises(ValueError):
        local_date(datetime(2017, 7, 11, 12, 0))


def test_a_postmark_after_receipt_is_refused():
    with pytest.raises(ValueError, match="postmark"):
        is_on_time(LAST, date(2017, 7, 10), postmarked=date(2017, 7, 11))


def test_a_municipalitys_settings_weeks_switch_and_extra_decrees(tmp_path):
    from app.consultations.periods import municipal_period
    from app.errors import ConfigError
    from app.municipality import load_municipality

    folder = tmp_path / "wijkdorp"
    folder.mkdir()
    (folder / "municipality.toml").write_text(
        '[municipality]\nname = "Gemeente Wijkdorp"\n\n[procedure]\ninspection_weeks = 4\n'
        "apply_termijnenwet = true\natw_equal_days = [2030-05-31]\n", encoding="utf-8")
    municipality = load_municipality(folder)
    assert municipality.atw_equal_days == (date(2030, 5, 31),)
    period = municipal_period(municipality, date(2030, 5, 3))  # nominal end Thursday 30 May
    assert period.weeks == 4 and period.nominal_last_day == date(2030, 5, 30)
    assert [e.reason for e in period.extensions] == [
        DayOff.ASCENSION_DAY, DayOff.DECREED, DayOff.SATURDAY, DayOff.SUNDAY]
    assert period.last_day == date(2030, 6, 3)

    (folder / "municipality.toml").write_text(
        '[municipality]\nname = "Gemeente Wijkdorp"\n\n[procedure]\n'
        'atw_equal_days = ["31-05-2030"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="atw_equal_days"):
        load_municipality(folder)
