"""Auto-close: a ticket that waits for the customer is warned one day before
and closed after SiteSettings.auto_close_days without a customer update; a
ticket that waits for an agent never is. Time travels with time-machine."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from ventanilla.core.models import SiteSettings
from ventanilla.tickets import services
from ventanilla.tickets.models import Message, Status, Ticket, TicketEvent

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run the periodic job's work with its emails sent."""

    def _sweep():
        with django_capture_on_commit_callbacks(execute=True):
            return services.tickets_auto_close()

    return _sweep


@pytest.fixture
def pending_ticket(clock, alice_ticket, carla):
    services.ticket_agent_reply(alice_ticket, agent=carla, body="¿Puedes enviarnos el error?")
    return alice_ticket


def status_of(ticket) -> str:
    return Ticket.objects.get(pk=ticket.pk).status


def test_it_closes_a_pendiente_ticket_after_three_days_without_the_customer(
    pending_ticket, clock, sweep, mailoutbox
):
    clock.shift(3 * DAY + MINUTE)
    assert sweep() == (0, 1)

    ticket = Ticket.objects.get(pk=pending_ticket.pk)
    assert ticket.status == Status.CLOSED
    assert ticket.closed_at == START + 3 * DAY + MINUTE
    system = ticket.messages.filter(kind=Message.Kind.SYSTEM).get()
    assert "3 días" in system.body
    event = ticket.events.filter(kind=TicketEvent.Kind.STATUS).latest("id")
    assert (event.from_value, event.to_value, event.actor) == (Status.PENDING, Status.CLOSED, None)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["alice@example.com"]
    assert mailoutbox[0].subject.startswith(f"[#{ticket.number}]")
    assert "cerr" in mailoutbox[0].subject.lower()


def test_it_does_not_close_before_the_days_have_passed(pending_ticket, clock, sweep):
    clock.shift(3 * DAY - MINUTE)
    sweep()
    assert status_of(pending_ticket) == Status.PENDING


def test_it_warns_the_customer_once_a_day_before(pending_ticket, clock, sweep, mailoutbox):
    clock.shift(2 * DAY + MINUTE)
    assert sweep() == (1, 0)
    assert status_of(pending_ticket) == Status.PENDING
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["alice@example.com"]
    assert "mañana" in mailoutbox[0].subject

    clock.shift(2 * 60 * MINUTE)
    assert sweep() == (0, 0)
    assert len(mailoutbox) == 1
    assert pending_ticket.events.filter(kind=TicketEvent.Kind.CLOSE_WARNING).count() == 1


def test_a_customer_reply_after_the_warning_stops_the_clock(
    pending_ticket, clock, sweep, alice, carla
):
    clock.shift(2 * DAY + MINUTE)
    sweep()
    services.ticket_customer_reply(pending_ticket, author=alice.user, body="Aquí va el error.")
    ticket = Ticket.objects.get(pk=pending_ticket.pk)
    assert ticket.status == Status.OPEN
    assert ticket.close_warning_sent_at is None

    clock.shift(30 * DAY)
    assert sweep() == (0, 0)
    assert status_of(pending_ticket) == Status.OPEN

    # The next question starts a new clock and a new warning.
    services.ticket_agent_reply(pending_ticket, agent=carla, body="¿Y ahora?")
    clock.shift(2 * DAY + MINUTE)
    assert sweep() == (1, 0)


def test_it_closes_a_resuelto_ticket_too(clock, alice_ticket, carla, sweep, mailoutbox):
    services.ticket_agent_reply(alice_ticket, agent=carla, body="Listo.", status=Status.RESOLVED)
    clock.shift(3 * DAY + MINUTE)
    assert sweep() == (0, 1)
    assert status_of(alice_ticket) == Status.CLOSED
    assert len(mailoutbox) == 1


def test_it_never_closes_a_ticket_that_waits_for_an_agent(clock, alice_ticket, sweep, mailoutbox):
    clock.shift(30 * DAY)
    assert sweep() == (0, 0)
    assert status_of(alice_ticket) == Status.OPEN
    assert not alice_ticket.messages.filter(kind=Message.Kind.SYSTEM).exists()
    assert mailoutbox == []


def test_it_never_closes_a_ticket_the_customer_reopened(pending_ticket, clock, alice, sweep):
    clock.shift(DAY)
    services.ticket_customer_reply(pending_ticket, author=alice.user, body="Sigue igual.")
    clock.shift(30 * DAY)
    assert sweep() == (0, 0)
    assert status_of(pending_ticket) == Status.OPEN


def test_the_days_are_configurable(pending_ticket, clock, sweep):
    site = SiteSettings.load()
    site.auto_close_days = 5
    site.save()

    clock.shift(3 * DAY + MINUTE)
    assert sweep() == (0, 0)
    clock.shift(DAY)  # four days: the day before
    assert sweep() == (1, 0)
    clock.shift(DAY)  # five days
    assert sweep() == (0, 1)
    ticket = Ticket.objects.get(pk=pending_ticket.pk)
    assert ticket.status == Status.CLOSED
    assert "5 días" in ticket.messages.filter(kind=Message.Kind.SYSTEM).get().body


def test_a_new_public_reply_of_the_agent_restarts_the_clock(pending_ticket, clock, carla, sweep):
    clock.shift(2 * DAY)
    services.ticket_agent_reply(pending_ticket, agent=carla, body="¿Pudiste revisarlo?")
    ticket = Ticket.objects.get(pk=pending_ticket.pk)
    assert ticket.status == Status.PENDING
    assert ticket.awaiting_customer_since == START + 2 * DAY

    clock.shift(DAY + MINUTE)  # three days since the first reply, one since the last
    assert sweep() == (0, 0)
    clock.shift(2 * DAY)
    assert sweep() == (0, 1)


def test_an_internal_note_does_not_restart_the_clock(pending_ticket, clock, carla, sweep):
    clock.shift(2 * DAY)
    services.ticket_agent_reply(pending_ticket, agent=carla, body="Esperando", internal=True)
    clock.shift(DAY + MINUTE)
    assert sweep() == (0, 1)


def test_a_reply_after_the_warning_clears_it(pending_ticket, clock, carla, sweep, mailoutbox):
    clock.shift(2 * DAY + MINUTE)
    sweep()
    services.ticket_agent_reply(pending_ticket, agent=carla, body="Te recordamos...")
    assert Ticket.objects.get(pk=pending_ticket.pk).close_warning_sent_at is None
    clock.shift(2 * DAY + MINUTE)
    assert sweep() == (1, 0)
