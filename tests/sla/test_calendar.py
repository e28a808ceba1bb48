"""Business-hours arithmetic, without a database."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from ventanilla.sla.calendar import BusinessCalendar, add_business_time, business_seconds, is_open

MADRID = ZoneInfo("Europe/Madrid")
NINE_TO_SIX = ((time(9), time(18)),)
OFFICE = BusinessCalendar(
    time_zone="Europe/Madrid",
    hours={day: NINE_TO_SIX for day in range(5)},  # Monday to Friday
    holidays=frozenset({date(2026, 10, 12)}),  # Monday, Fiesta Nacional
)
MINUTE = 60
HOUR = 3600


def madrid(*args):
    return datetime(*args, tzinfo=MADRID)


def test_24_7_is_plain_addition():
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert add_business_time(start, 10 * MINUTE, None) == start + timedelta(minutes=10)
    assert business_seconds(start, start + timedelta(hours=2), None) == 2 * HOUR


def test_it_adds_within_the_same_day():
    assert add_business_time(madrid(2026, 10, 7, 10, 0), 10 * MINUTE, OFFICE) == madrid(2026, 10, 7, 10, 10)


def test_a_ticket_after_hours_counts_from_the_next_opening():
    assert add_business_time(madrid(2026, 10, 7, 20, 0), 10 * MINUTE, OFFICE) == madrid(2026, 10, 8, 9, 10)


def test_it_skips_the_weekend():
    # Friday 17:55 + 10 min: 5 min on Friday, 5 on Monday.
    assert add_business_time(madrid(2026, 10, 2, 17, 55), 10 * MINUTE, OFFICE) == madrid(2026, 10, 5, 9, 5)


def test_it_skips_the_weekend_and_a_holiday_monday():
    # Friday 9 October 17:55; Monday 12 October is a holiday.
    due = add_business_time(madrid(2026, 10, 9, 17, 55), 10 * MINUTE, OFFICE)
    assert due == madrid(2026, 10, 13, 9, 5)
    assert business_seconds(madrid(2026, 10, 9, 17, 55), due, OFFICE) == 10 * MINUTE


def test_it_counts_across_the_cest_to_cet_change():
    # Friday 23 October 17:00 CEST (15:00 UTC) + 2 h: 1 h Friday, 1 h on
    # Monday 26 October from 09:00 CET (08:00 UTC): clocks went back on Sunday.
    due = add_business_time(madrid(2026, 10, 23, 17, 0), 2 * HOUR, OFFICE)
    assert due.astimezone(UTC) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    assert due.astimezone(MADRID).hour == 10


def test_a_24_7_calendar_day_across_the_spring_change_has_23_hours():
    always = BusinessCalendar(time_zone="Europe/Madrid",
                              hours={d: ((time(0), time(0)),) for d in range(7)})
    start, end = madrid(2026, 3, 29, 0, 0), madrid(2026, 3, 30, 0, 0)
    assert business_seconds(start, end, always) == 23 * HOUR
    assert add_business_time(madrid(2026, 3, 29, 1, 30), HOUR, always) == madrid(2026, 3, 29, 3, 30)


def test_it_subtracts_backwards_over_closed_time():
    # Monday 9:05 − 10 min of open time → Friday 17:55.
    assert add_business_time(madrid(2026, 10, 5, 9, 5), -10 * MINUTE, OFFICE) == madrid(2026, 10, 2, 17, 55)


def test_business_seconds_is_zero_over_a_weekend_and_negative_backwards():
    saturday, sunday = madrid(2026, 10, 3, 10, 0), madrid(2026, 10, 4, 10, 0)
    assert business_seconds(saturday, sunday, OFFICE) == 0
    assert business_seconds(madrid(2026, 10, 7, 11, 0), madrid(2026, 10, 7, 10, 0), OFFICE) == -HOUR


def test_split_shifts_and_opening_state():
    split = BusinessCalendar(time_zone="Europe/Madrid",
                             hours={0: ((time(9), time(14)), (time(16), time(19)))})
    assert add_business_time(madrid(2026, 10, 5, 13, 30), HOUR, split) == madrid(2026, 10, 5, 16, 30)
    assert is_open(madrid(2026, 10, 5, 10), split)
    assert not is_open(madrid(2026, 10, 5, 15), split)
    assert is_open(madrid(2026, 10, 6, 10), None)


def test_a_calendar_without_hours_cannot_promise_anything():
    with pytest.raises(ValueError):
        add_business_time(madrid(2026, 10, 5, 9), MINUTE, BusinessCalendar(time_zone="UTC"))
