"""The ticket status machine: the only module that changes Ticket.status.

Abierto    the department is reviewing it (waits for an agent)
Pendiente  waits for the customer
Resuelto   the department marked it solved
Cerrado    closed by the customer, an agent or, after days without a
           customer update, the system; it cannot be replied to

Who may move a ticket from one status to another is the table below; a
customer's reply and an agent's reply move it through the same function.
"""

from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Status, Ticket, TicketEvent


class Role(StrEnum):
    CUSTOMER = "customer"
    AGENT = "agent"
    SYSTEM = "system"


S = Status
TRANSITIONS: dict[tuple[Status, Status], frozenset[Role]] = {
    (S.OPEN, S.PENDING): frozenset({Role.AGENT}),
    (S.OPEN, S.RESOLVED): frozenset({Role.AGENT}),
    (S.OPEN, S.CLOSED): frozenset({Role.CUSTOMER, Role.AGENT}),
    (S.PENDING, S.OPEN): frozenset({Role.CUSTOMER, Role.AGENT}),
    (S.PENDING, S.RESOLVED): frozenset({Role.AGENT}),
    (S.PENDING, S.CLOSED): frozenset({Role.CUSTOMER, Role.AGENT, Role.SYSTEM}),
    (S.RESOLVED, S.OPEN): frozenset({Role.CUSTOMER, Role.AGENT}),
    (S.RESOLVED, S.PENDING): frozenset({Role.AGENT}),
    (S.RESOLVED, S.CLOSED): frozenset({Role.CUSTOMER, Role.AGENT, Role.SYSTEM}),
}

# Statuses of a ticket still being worked (by the department or the customer):
# what "Tickets abiertos" lists anywhere.
OPEN_STATUSES = frozenset({S.OPEN, S.PENDING})

# Statuses in which the ticket waits for the customer: the auto-close clock runs.
AWAITING_CUSTOMER = frozenset({S.PENDING, S.RESOLVED})


class TransitionRefused(PermissionDenied):
    def __init__(self, from_status, to_status, role):
        self.from_status, self.to_status, self.role = from_status, to_status, role
        super().__init__(
            _("No se puede pasar un ticket de %(from)s a %(to)s.")
            % {"from": Status(from_status).label, "to": Status(to_status).label}
        )


def can_transition(from_status: str, to_status: str, role: Role) -> bool:
    return role in TRANSITIONS.get((Status(from_status), Status(to_status)), frozenset())


def allowed_targets(from_status: str, role: Role) -> list[Status]:
    return [to for (frm, to), roles in TRANSITIONS.items() if frm == from_status and role in roles]


def ticket_status_change(ticket: Ticket, *, to: str, role: Role, actor=None, now=None,
                         message=None) -> bool:
    """Move the ticket to status `to` if `role` may; record the event.

    Every move to Resuelto, whoever makes it (the Resolver button, a reply
    sent with status Resuelto, an incident that ends), records the customer's
    Resuelto email with the satisfaction survey, once per move; `message` is
    the agent's reply that resolved it, shown in that email.

    Returns False when the ticket already has that status (nothing to do).
    Callers hold the transaction and save the ticket's fields they changed
    together with the ones listed in STATUS_FIELDS."""
    to = Status(to)
    if ticket.status == to:
        return False
    if not can_transition(ticket.status, to, role):
        raise TransitionRefused(ticket.status, to, role)
    now = now or timezone.now()
    TicketEvent.objects.create(
        ticket=ticket, kind=TicketEvent.Kind.STATUS, actor=actor,
        from_value=ticket.status, to_value=to, created_at=now,
    )
    ticket.status = to
    ticket.status_changed_at = now
    if to in AWAITING_CUSTOMER:
        ticket.awaiting_customer_since = now
        ticket.close_warning_sent_at = None
    else:
        ticket.awaiting_customer_since = None
        ticket.close_warning_sent_at = None
    ticket.closed_at = now if to == S.CLOSED else None
    if to == S.RESOLVED:
        from . import notifications

        notifications.ticket_resolved(ticket.pk, message_id=message.pk if message else None)
    return True


STATUS_FIELDS = [
    "status", "status_changed_at", "awaiting_customer_since", "close_warning_sent_at", "closed_at",
]
