"""The status machine: who may move a ticket from which status to which,
directly and through the services that move it as a side effect."""

import pytest

from ventanilla.tickets import services
from ventanilla.tickets.models import Message, Status, Ticket, TicketEvent
from ventanilla.tickets.services import TicketClosedError
from ventanilla.tickets.status import (
    STATUS_FIELDS,
    TRANSITIONS,
    Role,
    TransitionRefused,
    allowed_targets,
    ticket_status_change,
)

S = Status
# The policy of the issue, written out independently of the module's table.
EXPECTED = {
    Role.CUSTOMER: {
        (S.PENDING, S.OPEN), (S.RESOLVED, S.OPEN),
        (S.OPEN, S.CLOSED), (S.PENDING, S.CLOSED), (S.RESOLVED, S.CLOSED),
    },
    Role.AGENT: {
        (S.OPEN, S.PENDING), (S.OPEN, S.RESOLVED), (S.OPEN, S.CLOSED),
        (S.PENDING, S.OPEN), (S.PENDING, S.RESOLVED), (S.PENDING, S.CLOSED),
        (S.RESOLVED, S.OPEN), (S.RESOLVED, S.PENDING), (S.RESOLVED, S.CLOSED),
    },
    Role.SYSTEM: {(S.PENDING, S.CLOSED), (S.RESOLVED, S.CLOSED)},
}
PAIRS = [(frm, to) for frm in Status for to in Status if frm != to]


def put_in(ticket: Ticket, status: str) -> Ticket:
    """Bring a new (Abierto) ticket to `status` the way an agent would."""
    if status != Status.OPEN:
        services.ticket_status_set(ticket, actor=None, role=Role.AGENT, status=status)
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def actors(alice, carla):
    return {Role.CUSTOMER: alice.user, Role.AGENT: carla, Role.SYSTEM: None}


def test_the_table_is_the_policy_of_the_issue():
    for role, pairs in EXPECTED.items():
        assert {pair for pair, roles in TRANSITIONS.items() if role in roles} == pairs


def test_nobody_can_take_a_ticket_out_of_cerrado():
    for role in Role:
        assert allowed_targets(Status.CLOSED, role) == []


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("from_status", "to_status"), PAIRS)
def test_it_applies_allowed_transitions_and_refuses_the_others(
    from_status, to_status, role, alice_ticket, actors
):
    ticket = put_in(alice_ticket, from_status)
    events_before = ticket.events.count()
    actor = actors[role]

    if (from_status, to_status) in EXPECTED[role]:
        assert ticket_status_change(ticket, to=to_status, role=role, actor=actor) is True
        ticket.save(update_fields=STATUS_FIELDS)
        ticket.refresh_from_db()
        assert ticket.status == to_status
        event = ticket.events.latest("id")
        assert (event.kind, event.from_value, event.to_value) == (
            TicketEvent.Kind.STATUS, from_status, to_status)
        assert event.actor == actor
        assert ticket.events.count() == events_before + 1
    else:
        with pytest.raises(TransitionRefused):
            ticket_status_change(ticket, to=to_status, role=role, actor=actor)
        assert ticket.status == from_status
        ticket.refresh_from_db()
        assert ticket.status == from_status
        assert ticket.events.count() == events_before


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("from_status", "to_status"), PAIRS)
def test_the_status_service_saves_allowed_transitions_only(
    from_status, to_status, role, alice_ticket, actors
):
    ticket = put_in(alice_ticket, from_status)
    if (from_status, to_status) in EXPECTED[role]:
        services.ticket_status_set(ticket, actor=actors[role], role=role, status=to_status)
        assert Ticket.objects.get(pk=ticket.pk).status == to_status
    else:
        with pytest.raises(TransitionRefused):
            services.ticket_status_set(ticket, actor=actors[role], role=role, status=to_status)
        assert Ticket.objects.get(pk=ticket.pk).status == from_status


@pytest.mark.parametrize("status", list(Status))
def test_it_does_nothing_when_the_status_does_not_change(status, alice_ticket):
    ticket = put_in(alice_ticket, status)
    events = ticket.events.count()
    assert ticket_status_change(ticket, to=status, role=Role.AGENT) is False
    assert ticket.events.count() == events


def test_the_waiting_clock_runs_only_while_the_ticket_waits_for_the_customer(alice_ticket):
    assert alice_ticket.awaiting_customer_since is None
    for status, waits in [(S.PENDING, True), (S.OPEN, False), (S.RESOLVED, True),
                          (S.CLOSED, False)]:
        ticket = services.ticket_status_set(alice_ticket, actor=None, role=Role.AGENT,
                                            status=status)
        assert (ticket.awaiting_customer_since is not None) is waits
    assert Ticket.objects.get(pk=alice_ticket.pk).closed_at is not None


# --- through the services ------------------------------------------------


def test_an_agent_public_reply_makes_it_pendiente(alice_ticket, carla):
    services.ticket_agent_reply(alice_ticket, agent=carla, body="¿Qué error te aparece?")
    ticket = Ticket.objects.get(pk=alice_ticket.pk)
    assert ticket.status == Status.PENDING
    event = ticket.events.filter(kind=TicketEvent.Kind.STATUS).get()
    assert (event.from_value, event.to_value, event.actor) == (S.OPEN, S.PENDING, carla)


def test_an_agent_can_pick_another_status_for_the_reply(alice_ticket, carla):
    services.ticket_agent_reply(alice_ticket, agent=carla, body="Listo.", status=Status.RESOLVED)
    assert Ticket.objects.get(pk=alice_ticket.pk).status == Status.RESOLVED


def test_an_agent_can_reply_and_keep_it_abierto(alice_ticket, carla):
    services.ticket_agent_reply(alice_ticket, agent=carla, body="Lo revisamos.",
                                status=Status.OPEN)
    ticket = Ticket.objects.get(pk=alice_ticket.pk)
    assert ticket.status == Status.OPEN
    assert not ticket.events.filter(kind=TicketEvent.Kind.STATUS).exists()


@pytest.mark.parametrize("status", [S.OPEN, S.PENDING, S.RESOLVED])
def test_an_internal_note_keeps_the_status(status, alice_ticket, carla):
    ticket = put_in(alice_ticket, status)
    message = services.ticket_agent_reply(ticket, agent=carla, body="Nota", internal=True)
    assert message.kind == Message.Kind.NOTE
    assert Ticket.objects.get(pk=ticket.pk).status == status


@pytest.mark.parametrize("status", [S.PENDING, S.RESOLVED])
def test_a_customer_reply_reopens_a_ticket_that_waits_for_them(status, alice, alice_ticket):
    ticket = put_in(alice_ticket, status)
    services.ticket_customer_reply(ticket, author=alice.user, body="Sigue fallando.")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.awaiting_customer_since is None
    event = ticket.events.latest("id")
    assert (event.from_value, event.to_value, event.actor) == (status, S.OPEN, alice.user)


def test_a_customer_reply_on_abierto_keeps_it_abierto(alice, alice_ticket):
    services.ticket_customer_reply(alice_ticket, author=alice.user, body="Un dato más.")
    ticket = Ticket.objects.get(pk=alice_ticket.pk)
    assert ticket.status == Status.OPEN
    assert not ticket.events.filter(kind=TicketEvent.Kind.STATUS).exists()


def test_nobody_can_reply_to_a_closed_ticket(alice, alice_ticket, carla):
    ticket = put_in(alice_ticket, Status.CLOSED)
    messages = ticket.messages.count()
    with pytest.raises(TicketClosedError):
        services.ticket_customer_reply(ticket, author=alice.user, body="Hola")
    with pytest.raises(TicketClosedError):
        services.ticket_agent_reply(ticket, agent=carla, body="Hola")
    with pytest.raises(TicketClosedError):
        services.ticket_agent_reply(ticket, agent=carla, body="Nota", internal=True)
    assert ticket.messages.count() == messages


@pytest.mark.parametrize("status", [S.OPEN, S.PENDING, S.RESOLVED])
def test_a_customer_can_close_a_ticket_that_is_not_closed(status, alice, alice_ticket):
    ticket = put_in(alice_ticket, status)
    services.ticket_status_set(ticket, actor=alice.user, role=Role.CUSTOMER,
                               status=Status.CLOSED)
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
    assert ticket.closed_at is not None
    event = ticket.events.latest("id")
    assert (event.from_value, event.to_value, event.actor) == (status, S.CLOSED, alice.user)


def test_a_customer_cannot_mark_a_ticket_resuelto(alice, alice_ticket):
    with pytest.raises(TransitionRefused):
        services.ticket_status_set(alice_ticket, actor=alice.user, role=Role.CUSTOMER,
                                   status=Status.RESOLVED)
    assert Ticket.objects.get(pk=alice_ticket.pk).status == Status.OPEN
