"""Business-hours arithmetic: pure functions, no database.

A target of "10 minutes" counts only the time the department works: with a
24/7 calendar (None) it is wall-clock time; with business hours it skips
nights, weekends and holidays, in the calendar's own time zone (so a
CET/CEST calendar follows the daylight-saving change).

All arithmetic is done in UTC: Python subtracts two aware datetimes of the
same zoneinfo zone by wall clock, which is an hour off across a DST change.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Enough days to find any target: a target longer than this many calendar
# days of closed time means the calendar has no open hours at all.
MAX_DAYS = 800


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours per weekday (0 = Monday), each a tuple of (opens,
    closes) local times, plus closed dates. A day absent from `hours` is
    closed."""

    time_zone: str
    hours: dict[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)
    holidays: frozenset[date] = frozenset()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def __hash__(self):
        return hash((self.time_zone, tuple(sorted(self.hours.items())), self.holidays))


def _local_day_intervals(calendar: BusinessCalendar, day: date) -> list[tuple[datetime, datetime]]:
    """The day's open intervals as UTC datetimes."""
    if day in calendar.holidays:
        return []
    zone = calendar.zone
    intervals = []
    for opens, closes in calendar.hours.get(day.weekday(), ()):
        start = datetime.combine(day, opens, tzinfo=zone).astimezone(UTC)
        # "closes" at midnight (00:00) means the end of the day.
        end_day = day + timedelta(days=1) if closes <= opens else day
        end = datetime.combine(end_day, closes, tzinfo=zone).astimezone(UTC)
        if end > start:
            intervals.append((start, end))
    return intervals


def open_intervals(calendar: BusinessCalendar, start: datetime, *,
                   backwards: bool = False) -> Iterator[tuple[datetime, datetime]]:
    """Open intervals from `start` on (or back from it), clipped to it."""
    start = start.astimezone(UTC)
    day = start.astimezone(calendar.zone).date()
    step = timedelta(days=-1 if backwards else 1)
    # Begin a day early: a local day's interval may straddle `start`.
    day -= step
    for _ in range(MAX_DAYS):
        intervals = _local_day_intervals(calendar, day)
        for opens, closes in (reversed(intervals) if backwards else intervals):
            if backwards:
                if opens >= start:
                    continue
                yield opens, min(closes, start)
            else:
                if closes <= start:
                    continue
                yield max(opens, start), closes
        day += step


def add_business_time(start: datetime, seconds: float,
                      calendar: BusinessCalendar | None) -> datetime:
    """The moment `seconds` of open time after `start` (before it, when
    negative). With no calendar (24/7) it is plain addition."""
    if calendar is None:
        return start + timedelta(seconds=seconds)
    backwards = seconds < 0
    left = abs(seconds)
    if left == 0:
        return start
    for opens, closes in open_intervals(calendar, start, backwards=backwards):
        length = (closes - opens).total_seconds()
        if length >= left:
            moment = closes - timedelta(seconds=left) if backwards else opens + timedelta(seconds=left)
            return moment.astimezone(start.tzinfo)
        left -= length
    raise ValueError("the calendar has no open hours")


def business_seconds(start: datetime, end: datetime, calendar: BusinessCalendar | None) -> float:
    """Open time between two moments; negative when `end` is before `start`."""
    if end < start:
        return -business_seconds(end, start, calendar)
    if calendar is None:
        return (end - start).total_seconds()
    end = end.astimezone(UTC)
    total = 0.0
    for opens, closes in open_intervals(calendar, start):
        if opens >= end:
            break
        total += (min(closes, end) - opens).total_seconds()
    return total


def is_open(moment: datetime, calendar: BusinessCalendar | None) -> bool:
    if calendar is None:
        return True
    for opens, closes in open_intervals(calendar, moment):
        return opens <= moment.astimezone(UTC) < closes
    return False
