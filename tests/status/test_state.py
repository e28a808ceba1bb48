"""The pure rules: which status follows which, and the 90-day history."""

from datetime import UTC, date, datetime, timedelta

import pytest

from ventanilla.status import state
from ventanilla.status.models import ComponentState, Incident

S, K = Incident.Status, Incident.Kind


@pytest.mark.parametrize("current,target,allowed", [
    (S.INVESTIGATING, S.IDENTIFIED, True),
    (S.IDENTIFIED, S.MONITORING, True),
    (S.MONITORING, S.INVESTIGATING, True),  # it came back
    (S.MONITORING, S.RESOLVED, True),
    (S.INVESTIGATING, S.INVESTIGATING, True),  # an update that keeps the status
    (S.RESOLVED, S.INVESTIGATING, False),  # a recurrence is a new incident
    (S.RESOLVED, S.RESOLVED, False),
    (S.INVESTIGATING, S.IN_PROGRESS, False),  # a maintenance status
])
def test_incident_transitions(current, target, allowed):
    assert state.can_transition(K.INCIDENT, current, target) is allowed


@pytest.mark.parametrize("current,target,allowed", [
    (S.SCHEDULED, S.IN_PROGRESS, True),
    (S.SCHEDULED, S.CANCELLED, True),
    (S.IN_PROGRESS, S.COMPLETED, True),
    (S.IN_PROGRESS, S.CANCELLED, False),
    (S.COMPLETED, S.IN_PROGRESS, False),
    (S.SCHEDULED, S.RESOLVED, False),
])
def test_maintenance_transitions(current, target, allowed):
    assert state.can_transition(K.MAINTENANCE, current, target) is allowed


def test_the_worst_state_wins():
    assert state.worst([]) == ComponentState.OPERATIONAL
    assert state.worst(["mantenimiento", "degradado"]) == "degradado"
    assert state.worst(["total", "parcial", "operativo"]) == "total"


def test_the_history_marks_each_day_an_incident_overlapped_with_its_worst_state():
    now = datetime(2025, 6, 30, 12, tzinfo=UTC)
    spans = [
        state.Span("parcial", frozenset({1}), now - timedelta(days=3, hours=2), now - timedelta(days=2)),
        state.Span("degradado", frozenset({1, 2}), now - timedelta(days=2, hours=1), now - timedelta(days=2)),
        state.Span("total", frozenset({2}), now - timedelta(hours=1), None),
        state.Span("total", frozenset({1}), now - timedelta(days=200), now - timedelta(days=199)),
    ]
    history = state.daily_history([1, 2, 3], spans, today=date(2025, 6, 30), days=90, tz=UTC, now=now)
    one = dict(history[1])
    assert len(history[1]) == 90 and history[1][-1][0] == date(2025, 6, 30)
    assert one[date(2025, 6, 27)] == "parcial" and one[date(2025, 6, 28)] == "parcial"
    assert one[date(2025, 6, 29)] == "operativo"
    assert dict(history[2])[date(2025, 6, 28)] == "degradado"
    assert dict(history[2])[date(2025, 6, 30)] == "total"
    assert {s for _d, s in history[3]} == {"operativo"}
    assert state.current_states([1, 2, 3], spans) == {1: "operativo", 2: "total", 3: "operativo"}
