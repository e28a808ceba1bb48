"""The periodic sweep: warning and breach notifications, exactly once, to
the assignee and the department's supervisors, in the console and by email."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from ventanilla.mail.models import OutboundEmail
from ventanilla.sla.models import AgentAlert, Escalation, SlaPolicy
from ventanilla.sla.services import sla_sweep
from ventanilla.sla.tasks import sla_sweep_tick
from ventanilla.tickets import services
from ventanilla.tickets.models import Priority, Ticket

from ..conftest import make_agent

START = datetime(2026, 10, 7, 8, 0, tzinfo=UTC)


def minutes(n):
    return timedelta(minutes=n)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    def _sweep():
        with django_capture_on_commit_callbacks(execute=True):
            return sla_sweep()
    return _sweep


@pytest.fixture
def assigned(clock, alice_ticket, carla, sofia):
    services.ticket_assign(alice_ticket, actor=carla, assignee=carla)
    mail.outbox.clear()
    return alice_ticket


def alert_users(level):
    return sorted(a.user.email for a in AgentAlert.objects.filter(escalation__level=level))


def test_nothing_happens_before_the_warning(clock, assigned, sweep):
    clock.shift(minutes(7))
    assert sweep() == 0
    assert not AgentAlert.objects.exists()


def test_the_warning_reaches_the_assignee_and_the_supervisors_once(clock, assigned, sweep):
    clock.shift(minutes(8))
    assert sweep() == 1
    clock.shift(minutes(1))
    assert sweep() == 0

    assert alert_users(Escalation.Level.WARNING) == ["carla@example.com", "sofia@example.com"]
    emails = OutboundEmail.objects.filter(kind="sla_aviso")
    assert sorted(e.to for e in emails) == ["carla@example.com", "sofia@example.com"]
    assert sorted(m.to[0] for m in mail.outbox) == ["carla@example.com", "sofia@example.com"]
    assert f"#{assigned.number}" in mail.outbox[0].subject


def test_the_breach_is_notified_once_however_often_the_sweep_runs(clock, assigned, sweep):
    clock.shift(minutes(8))
    sweep()
    clock.shift(minutes(2))
    sweep()
    sweep()
    clock.shift(minutes(30))
    sweep_tick_result = sla_sweep_tick.call_local()
    assert sweep_tick_result is None

    assert Escalation.objects.filter(level=Escalation.Level.BREACH).count() == 1
    assert alert_users(Escalation.Level.BREACH) == ["carla@example.com", "sofia@example.com"]
    assert OutboundEmail.objects.filter(kind="sla_vencido").count() == 2
    assert Ticket.objects.get(pk=assigned.pk).sla_check_at is None


def test_a_late_sweep_sends_only_the_breach(clock, assigned, sweep):
    clock.shift(minutes(45))
    sweep()
    assert Escalation.objects.filter(level=Escalation.Level.WARNING).count() == 1
    assert not OutboundEmail.objects.filter(kind="sla_aviso").exists()
    assert OutboundEmail.objects.filter(kind="sla_vencido").count() == 2


def test_an_answered_ticket_is_not_escalated(clock, assigned, carla, sweep):
    clock.shift(minutes(5))
    services.ticket_agent_reply(assigned, agent=carla, body="Hola")
    clock.shift(minutes(60))
    assert sweep() == 0


def test_supervisors_of_other_departments_are_not_told(clock, alice_ticket, facturacion, sweep):
    make_agent("fede@example.com", "Fede", [facturacion], supervisor=True)
    make_agent("sara@example.com", "Sara", [alice_ticket.department], supervisor=True)
    clock.shift(minutes(9))
    sweep()
    assert alert_users(Escalation.Level.WARNING) == ["sara@example.com"]


def test_a_policy_may_raise_the_priority_on_breach(clock, assigned, sweep):
    SlaPolicy.objects.filter(channel="portal", priority="regular").update(
        breach_action=SlaPolicy.BreachAction.RAISE_PRIORITY)
    clock.shift(minutes(11))
    sweep()
    ticket = Ticket.objects.get(pk=assigned.pk)
    assert ticket.priority == Priority.HIGH
    assert Escalation.objects.get(level=Escalation.Level.BREACH).action == "subir_prioridad"
    clock.shift(minutes(5))
    sweep()
    assert Escalation.objects.filter(level=Escalation.Level.BREACH).count() == 1


def test_a_policy_may_return_the_ticket_to_the_queue_on_breach(clock, assigned, sweep):
    SlaPolicy.objects.filter(channel="portal", priority="regular").update(
        breach_action=SlaPolicy.BreachAction.UNASSIGN)
    clock.shift(minutes(11))
    sweep()
    assert Ticket.objects.get(pk=assigned.pk).assignee is None
    assert "carla@example.com" in alert_users(Escalation.Level.BREACH)


def test_a_new_customer_message_starts_a_new_run_with_its_own_notifications(
        clock, alice, assigned, carla, sweep):
    clock.shift(minutes(2))
    services.ticket_agent_reply(assigned, agent=carla, body="Hola")
    clock.shift(minutes(10))
    services.ticket_customer_reply(assigned, author=alice.user, body="Sigue")
    clock.shift(minutes(61))
    sweep()
    breach = Escalation.objects.get(level=Escalation.Level.BREACH)
    assert breach.timer == "siguiente"
    assert breach.started_at == START + minutes(12)


def test_the_sweep_reads_only_due_tickets(clock, alice, make_ticket, django_assert_num_queries):
    for _ in range(20):
        make_ticket(alice)
    clock.shift(minutes(1))
    with django_assert_num_queries(1):  # the indexed range
        assert sla_sweep() == 0
