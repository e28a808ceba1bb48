"""Figures for the reports page: pure aggregation over plain rows, so that
they are checked against hand-computed fixtures.

Definitions (the page repeats them):
- volume: tickets created in the range;
- first response: minutes from creation to the first public agent reply,
  counted in the department's business hours (its calendar; 24/7 without
  one), p50 and p90 by nearest rank;
- compliance, for every target the ticket's policy sets (first response,
  next response, resolution): of the targets already decided (met, or
  unmet past the due time), the share met. First response and resolution
  are judged against the ticket's due times, which the timers keep in
  business time with the pauses while it waits for the customer; each
  next response runs from a customer's message that follows an agent's
  reply to the next public agent reply, its target added in business time;
- resolution: business hours from creation to Resuelto, median;
- reopen rate: of the tickets resolved at least once, the share a customer
  or agent reopened;
- CSAT: average 1–5 score and the share of 4s and 5s, by the date rated;
- backlog: tickets neither resolved nor closed at the end of each day.
"""

import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.models import User
from ventanilla.tickets.access import sees_all_departments
from ventanilla.tickets.models import (
    Channel,
    Department,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)

from .calendar import BusinessCalendar, add_business_time, business_seconds
from .models import SatisfactionRating
from .policies import calendar_for, targets_for

GROUPINGS = {
    "departamento": _("Departamento"),
    "agente": _("Agente"),
    "canal": _("Canal"),
    "prioridad": _("Prioridad"),
}
# A quarter at most: the figures are computed from one row per ticket.
MAX_DAYS = 93


@dataclass(frozen=True)
class ReportFilter:
    start: date
    end: date  # inclusive
    department_id: int | None = None
    agent_id: int | None = None
    channel: str = ""
    priority: str = ""
    group_by: str = "departamento"

    def bounds(self, zone) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes in the viewer's time zone."""
        start = datetime.combine(self.start, time.min, tzinfo=zone)
        end = datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone)
        return start, end


@dataclass(frozen=True)
class TicketRow:
    id: int
    created_at: datetime
    department: str
    agent: str
    channel: str
    priority: str
    first_response_at: datetime | None
    first_response_due_at: datetime | None
    resolved_at: datetime | None
    reopened: bool = False
    ever_resolved: bool = False
    resolution_due_at: datetime | None = None
    # When the clocks stopped (the ticket waits for the customer): a due time
    # still ahead of it is not decided yet.
    paused_at: datetime | None = None
    calendar: BusinessCalendar | None = None  # the department's; None: 24/7
    next_response_target: int | None = None  # seconds of business time
    # (customer's message, agent's reply or None) for each next response.
    next_responses: tuple = ()


@dataclass
class GroupFigures:
    key: str
    label: str
    volume: int = 0
    first_response_minutes: list[float] = field(default_factory=list)
    met: int = 0
    missed: int = 0
    next_met: int = 0
    next_missed: int = 0
    resolution_met: int = 0
    resolution_missed: int = 0
    resolution_hours: list[float] = field(default_factory=list)
    resolved_once: int = 0
    reopened: int = 0
    scores: list[int] = field(default_factory=list)

    @property
    def first_response_p50(self) -> float | None:
        return percentile(self.first_response_minutes, 50)

    @property
    def first_response_p90(self) -> float | None:
        return percentile(self.first_response_minutes, 90)

    @property
    def compliance(self) -> float | None:
        """First-response compliance."""
        return _share(self.met, self.missed)

    @property
    def next_response_compliance(self) -> float | None:
        return _share(self.next_met, self.next_missed)

    @property
    def resolution_compliance(self) -> float | None:
        return _share(self.resolution_met, self.resolution_missed)

    @property
    def resolution_median_hours(self) -> float | None:
        return percentile(self.resolution_hours, 50)

    @property
    def reopen_rate(self) -> float | None:
        return round(100 * self.reopened / self.resolved_once, 1) if self.resolved_once else None

    @property
    def csat_average(self) -> float | None:
        return round(sum(self.scores) / len(self.scores), 2) if self.scores else None

    @property
    def csat_satisfied(self) -> float | None:
        if not self.scores:
            return None
        return round(100 * sum(1 for s in self.scores if s >= 4) / len(self.scores), 1)


def _share(met: int, missed: int) -> float | None:
    decided = met + missed
    return round(100 * met / decided, 1) if decided else None


def _decided(done_at: datetime | None, due: datetime | None, *, now: datetime,
             paused_at: datetime | None) -> bool | None:
    """Whether a target was met (True), missed (False) or is not decided
    yet (None): done in time, done late, or not done and past due while its
    clock was running (a paused clock keeps the time it had left)."""
    if due is None:
        return None
    if done_at is not None:
        return done_at <= due
    if due < now and (paused_at is None or due <= paused_at):
        return False
    return None


def _count(figures: "GroupFigures", field: str, outcome: bool | None) -> None:
    if outcome is True:
        setattr(figures, f"{field}met", getattr(figures, f"{field}met") + 1)
    elif outcome is False:
        setattr(figures, f"{field}missed", getattr(figures, f"{field}missed") + 1)


def percentile(values: list[float], p: int) -> float | None:
    """Nearest rank: the smallest value with at least p % of values at or
    below it."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return round(ordered[rank - 1], 1)


def group_key(row, group_by: str) -> str:
    return {
        "departamento": row.department,
        "agente": row.agent,
        "canal": row.channel,
        "prioridad": row.priority,
    }[group_by]


def aggregate(rows: Iterable[TicketRow], ratings: Iterable, *, group_by: str, now: datetime,
              labels: dict[str, str] | None = None) -> tuple[list[GroupFigures], GroupFigures]:
    """Per-group figures and the total. `ratings` are (group key values
    object with .department/.agent/.channel/.priority, score)."""
    labels = labels or {}
    groups: dict[str, GroupFigures] = {}
    total = GroupFigures(key="", label=str(_("Total")))

    def bucket(key: str) -> GroupFigures:
        if key not in groups:
            groups[key] = GroupFigures(key=key, label=labels.get(key, key) or str(_("(ninguno)")))
        return groups[key]

    for row in rows:
        first = _decided(row.first_response_at, row.first_response_due_at, now=now,
                         paused_at=row.paused_at)
        resolution = _decided(row.resolved_at, row.resolution_due_at, now=now,
                              paused_at=row.paused_at)
        next_outcomes = []
        if row.next_response_target:
            for since, answered in row.next_responses:
                due = add_business_time(since, row.next_response_target, row.calendar)
                next_outcomes.append(_decided(answered, due, now=now, paused_at=row.paused_at))
        first_minutes = (business_seconds(row.created_at, row.first_response_at, row.calendar) / 60
                         if row.first_response_at is not None else None)
        resolution_hours = (business_seconds(row.created_at, row.resolved_at, row.calendar) / 3600
                            if row.resolved_at is not None else None)
        for figures in (bucket(group_key(row, group_by)), total):
            figures.volume += 1
            if first_minutes is not None:
                figures.first_response_minutes.append(first_minutes)
            _count(figures, "", first)
            _count(figures, "resolution_", resolution)
            for outcome in next_outcomes:
                _count(figures, "next_", outcome)
            if resolution_hours is not None:
                figures.resolution_hours.append(resolution_hours)
            if row.ever_resolved:
                figures.resolved_once += 1
                figures.reopened += int(row.reopened)
    for rating in ratings:
        for figures in (bucket(group_key(rating, group_by)), total):
            figures.scores.append(rating.score)
    ordered = sorted(groups.values(), key=lambda g: (-g.volume, g.label))
    return ordered, total


def backlog_series(spans: Iterable[tuple[datetime, datetime | None]], days: list[date],
                   zone) -> list[tuple[date, int]]:
    """For each day, the tickets created by its end and not yet finished
    (resolved or closed) at its end. `spans` are (created, finished), with
    finished never before created."""
    created, finished = [], []
    for start, end in spans:
        created.append(start)
        if end is not None:
            finished.append(end)
    created.sort()
    finished.sort()
    series = []
    for day in days:
        end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
        series.append((day, bisect_left(created, end) - bisect_left(finished, end)))
    return series


def day_range(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


# --- From the database ------------------------------------------------------

def may_see_reports(user) -> bool:
    return user.is_authenticated and (user.is_agent or user.is_superuser)


def effective_filter(user, report_filter: ReportFilter) -> ReportFilter:
    """Agents see only their own tickets; supervisors and admins, anyone's."""
    if sees_all_departments(user):
        return report_filter
    from dataclasses import replace

    return replace(report_filter, agent_id=user.pk)


def _ticket_filter(f: ReportFilter) -> Q:
    condition = Q()
    if f.department_id:
        condition &= Q(department_id=f.department_id)
    if f.agent_id:
        condition &= Q(assignee_id=f.agent_id)
    if f.channel:
        condition &= Q(channel=f.channel)
    if f.priority:
        condition &= Q(priority=f.priority)
    return condition


@dataclass
class Report:
    filter: ReportFilter
    groups: list[GroupFigures]
    total: GroupFigures
    backlog: list[tuple[date, int]]
    volume_by_day: list[tuple[date, int]]
    score_counts: list[tuple[int, int]]


def build_report(f: ReportFilter, *, now: datetime | None = None) -> Report:
    now = now or timezone.now()
    zone = timezone.get_current_timezone()
    start, end = f.bounds(zone)
    condition = _ticket_filter(f)
    created = Ticket.objects.filter(condition, created_at__gte=start, created_at__lt=end)
    values = list(created.values_list(
        "id", "created_at", "department_id", "assignee_id", "channel", "priority",
        "first_response_at", "first_response_due_at", "resolved_at", "resolution_due_at",
        "sla_paused_at"))
    ids = [v[0] for v in values]
    resolved_ids, reopened_ids = set(), set()
    if ids:
        events = (TicketEvent.objects.filter(ticket_id__in=created.values("id"),
                                             kind=TicketEvent.Kind.STATUS)
                  .filter(Q(to_value=Status.RESOLVED) | Q(from_value=Status.RESOLVED,
                                                          to_value=Status.OPEN))
                  .values_list("ticket_id", "to_value"))
        for ticket_id, to_value in events:
            (resolved_ids if to_value == Status.RESOLVED else reopened_ids).add(ticket_id)
    departments = dict(Department.objects.values_list("id", "name"))
    agent_ids = {v[3] for v in values if v[3]}
    rating_qs = SatisfactionRating.objects.filter(created_at__gte=start, created_at__lt=end)
    rating_condition = Q()
    if f.department_id:
        rating_condition &= Q(department_id=f.department_id)
    if f.agent_id:
        rating_condition &= Q(agent_id=f.agent_id)
    if f.channel:
        rating_condition &= Q(channel=f.channel)
    if f.priority:
        rating_condition &= Q(priority=f.priority)
    rating_values = list(rating_qs.filter(rating_condition).values_list(
        "department_id", "agent_id", "channel", "priority", "score"))
    agent_ids |= {r[1] for r in rating_values if r[1]}
    agents = {u.pk: u.get_full_name() for u in User.objects.filter(pk__in=agent_ids)}

    calendars = {department_id: calendar_for(department_id)
                 for department_id in {v[2] for v in values}}
    next_targets = {key: targets_for(*key).next_response for key in {(v[4], v[5]) for v in values}}
    cycles = _next_response_cycles([v[0] for v in values if next_targets[(v[4], v[5])]])
    rows = [
        TicketRow(
            id=v[0], created_at=v[1], department=str(v[2] or ""), agent=str(v[3] or ""),
            channel=v[4], priority=v[5], first_response_at=v[6], first_response_due_at=v[7],
            resolved_at=v[8], ever_resolved=v[0] in resolved_ids, reopened=v[0] in reopened_ids,
            resolution_due_at=v[9], paused_at=v[10], calendar=calendars[v[2]],
            next_response_target=next_targets[(v[4], v[5])], next_responses=cycles.get(v[0], ()),
        )
        for v in values
    ]
    ratings = [_Rated(str(r[0] or ""), str(r[1] or ""), r[2], r[3], r[4]) for r in rating_values]
    labels = {
        "departamento": {str(k): v for k, v in departments.items()},
        "agente": {str(k): v for k, v in agents.items()} | {"": str(_("Sin asignar"))},
        "canal": {k: str(v) for k, v in Channel.choices},
        "prioridad": {k: str(v) for k, v in Priority.choices},
    }[f.group_by]
    groups, total = aggregate(rows, ratings, group_by=f.group_by, now=now, labels=labels)

    days = day_range(f.start, f.end)
    spans = (
        Ticket.objects.filter(condition, created_at__lt=end)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__gte=start))
        .exclude(status__in=[Status.RESOLVED, Status.CLOSED], resolved_at__lt=start)
        .values_list("created_at", "resolved_at", "closed_at")
    )
    finished_spans = [(c, _finished(r, cl)) for c, r, cl in spans]
    volume = defaultdict(int)
    for v in values:
        volume[timezone.localtime(v[1], zone).date()] += 1
    scores = defaultdict(int)
    for r in ratings:
        scores[r.score] += 1
    return Report(
        filter=f, groups=groups, total=total,
        backlog=backlog_series(finished_spans, days, zone),
        volume_by_day=[(day, volume[day]) for day in days],
        score_counts=[(score, scores[score]) for score in range(1, 6)],
    )


def _next_response_cycles(ticket_ids: list[int]) -> dict[int, tuple]:
    """Each ticket's next responses, as the timers run them: from a
    customer's message that follows an agent's public reply (while no other
    is running) to the next public agent reply (None: not answered yet)."""
    cycles: dict[int, list] = defaultdict(list)
    answered_once: set[int] = set()
    running: dict[int, datetime] = {}
    for start in range(0, len(ticket_ids), 500):
        chunk = ticket_ids[start:start + 500]
        messages = (Message.objects.filter(ticket_id__in=chunk,
                                           kind__in=[Message.Kind.CUSTOMER, Message.Kind.REPLY])
                    .order_by("ticket_id", "created_at", "id")
                    .values_list("ticket_id", "kind", "created_at"))
        for ticket_id, kind, created_at in messages:
            if kind == Message.Kind.REPLY:
                answered_once.add(ticket_id)
                if ticket_id in running:
                    cycles[ticket_id].append((running.pop(ticket_id), created_at))
            elif ticket_id in answered_once and ticket_id not in running:
                running[ticket_id] = created_at
    for ticket_id, since in running.items():
        cycles[ticket_id].append((since, None))
    return {ticket_id: tuple(found) for ticket_id, found in cycles.items()}


def _finished(resolved_at, closed_at):
    moments = [m for m in (resolved_at, closed_at) if m is not None]
    return min(moments) if moments else None


@dataclass(frozen=True)
class _Rated:
    department: str
    agent: str
    channel: str
    priority: str
    score: int
