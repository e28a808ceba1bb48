"""The rules of incidents and component states, as pure functions.

An incident moves investigando → identificado → monitorizando → resuelto
(back and forth before it is resolved; a resolved incident stays resolved:
a recurrence is a new incident). A maintenance moves programado → en curso
→ completado, or is cancelled before it starts.

A component's state is the worst impact among the incidents open on it (a
maintenance counts while en curso); the 90-day history is, per day, the
worst state of any incident that overlapped that day."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from .models import ComponentState, Incident

S = Incident.Status
K = Incident.Kind

TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    K.INCIDENT: {
        S.INVESTIGATING: frozenset({S.IDENTIFIED, S.MONITORING, S.RESOLVED}),
        S.IDENTIFIED: frozenset({S.INVESTIGATING, S.MONITORING, S.RESOLVED}),
        S.MONITORING: frozenset({S.INVESTIGATING, S.IDENTIFIED, S.RESOLVED}),
        S.RESOLVED: frozenset(),
    },
    K.MAINTENANCE: {
        S.SCHEDULED: frozenset({S.IN_PROGRESS, S.CANCELLED}),
        S.IN_PROGRESS: frozenset({S.COMPLETED}),
        S.COMPLETED: frozenset(),
        S.CANCELLED: frozenset(),
    },
}
INITIAL = {K.INCIDENT: S.INVESTIGATING, K.MAINTENANCE: S.SCHEDULED}
FINAL_STATUSES = frozenset({S.RESOLVED, S.COMPLETED, S.CANCELLED})
OPEN_STATUSES = frozenset(set(S.values) - FINAL_STATUSES)
# Statuses in which the incident affects its components now.
ACTIVE_STATUSES = frozenset({S.INVESTIGATING, S.IDENTIFIED, S.MONITORING, S.IN_PROGRESS})

SEVERITY = {state: rank for rank, state in enumerate(ComponentState.values)}


def allowed_statuses(kind: str, current: str) -> list[str]:
    """Where an incident of this kind may go from `current` (an update may
    also keep the status)."""
    targets = TRANSITIONS[kind].get(current, frozenset())
    return [status for status in TRANSITIONS[kind] if status in targets]


def can_transition(kind: str, current: str, target: str) -> bool:
    return target == current and current not in FINAL_STATUSES or (
        target in TRANSITIONS[kind].get(current, frozenset()))


def worst(states: Iterable[str]) -> str:
    return max(states, key=SEVERITY.__getitem__, default=ComponentState.OPERATIONAL)


@dataclass(frozen=True)
class Span:
    """An incident's effect: this state on these components over [start, end)
    (end None: still going)."""

    state: str
    component_ids: frozenset[int]
    start: datetime
    end: datetime | None


def current_states(component_ids: Iterable[int], spans: Iterable[Span]) -> dict[int, str]:
    states: dict[int, list[str]] = {pk: [] for pk in component_ids}
    for span in spans:
        if span.end is None:
            for pk in span.component_ids & states.keys():
                states[pk].append(span.state)
    return {pk: worst(found) for pk, found in states.items()}


def daily_history(component_ids: Iterable[int], spans: Iterable[Span], *, today: date,
                  days: int, tz, now: datetime) -> dict[int, list[tuple[date, str]]]:
    """For each component, `days` (date, worst state) pairs ending today, in
    the given time zone."""
    first = today - timedelta(days=days - 1)
    worst_by_day: dict[int, dict[date, str]] = {pk: {} for pk in component_ids}
    for span in spans:
        start = timezone.localtime(span.start, tz).date()
        end = timezone.localtime(span.end or now, tz).date()
        day = max(start, first)
        while day <= min(end, today):
            for pk in span.component_ids & worst_by_day.keys():
                seen = worst_by_day[pk].get(day, ComponentState.OPERATIONAL)
                worst_by_day[pk][day] = worst([seen, span.state])
            day += timedelta(days=1)
    return {
        pk: [(first + timedelta(days=i),
              by_day.get(first + timedelta(days=i), ComponentState.OPERATIONAL))
             for i in range(days)]
        for pk, by_day in worst_by_day.items()
    }
