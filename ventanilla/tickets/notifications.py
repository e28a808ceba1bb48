"""Emails to customers about their tickets, and to agents about new
tickets and customers' replies.

Services call these inside their transaction: each records an outbox row
(ventanilla.mail.outbound.notification_record) that commits with the
change or not at all. Once committed, a job builds the email and logs it as
an OutboundEmail; another job sends it, retrying with backoff. A build or a
send that dies is redone by the sweep, so neither rendering nor a slow or
broken mail server slows a page, and no notification is lost or doubled.
(Called outside a transaction, a row is written at once: still recorded.)"""

from ventanilla.mail import outbound
from ventanilla.tickets.models import Message


def _record(kind: str, *, ticket_id: int | None = None, message_id: int | None = None,
            actor_id: int | None = None) -> None:
    if ticket_id is None and message_id is not None:
        ticket_id = Message.objects.filter(pk=message_id).values_list("ticket_id", flat=True).first()
    outbound.notification_record(kind, ticket_id=ticket_id, message_id=message_id,
                                 actor_id=actor_id)


def ticket_created(ticket_id: int, actor_id: int | None = None, *, acknowledge: bool = True) -> None:
    """The customer's acknowledgement (unless `acknowledge` is False) and
    the agents' emails."""
    if acknowledge:
        _record("created", ticket_id=ticket_id)
    _record("agent_new_ticket", ticket_id=ticket_id, actor_id=actor_id)


def agent_replied(message_id: int, *, ticket_id: int | None = None) -> None:
    _record("reply", ticket_id=ticket_id, message_id=message_id)


def ticket_resolved(ticket_id: int, *, message_id: int | None = None) -> None:
    """The Resuelto email with the satisfaction survey (recorded by the
    status machine on every move to Resuelto); `message_id`: the agent's
    reply that resolved the ticket, quoted in it instead of a second email."""
    _record("resolved", ticket_id=ticket_id, message_id=message_id)


def ticket_closed(ticket_id: int) -> None:
    """Closed by the customer or an agent (not the auto-close)."""
    _record("closed", ticket_id=ticket_id)


def ticket_close_warning(ticket_id: int) -> None:
    _record("close_warning", ticket_id=ticket_id)


def ticket_auto_closed(ticket_id: int) -> None:
    _record("auto_closed", ticket_id=ticket_id)


def agents_customer_replied(message_id: int, *, ticket_id: int | None = None) -> None:
    """The assignee's (or the department's) email about a customer's reply."""
    _record("agent_customer_reply", ticket_id=ticket_id, message_id=message_id)
