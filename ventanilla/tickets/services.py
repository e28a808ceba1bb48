"""Every change to a ticket goes through these functions.

The portal form, the agent console and (later) email, chat and the API all
end here. Each function runs in one transaction, records what it changed in
the event log, records the notifications it owes in the same transaction
(an outbox row, tickets.notifications) and queues other side effects with
transaction.on_commit.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ventanilla.accounts.models import Customer, Service
from ventanilla.core.models import SiteSettings
from ventanilla.core.sensitive import mask_sensitive
from ventanilla.integrations.events import emit, message_payload, ticket_payload
from ventanilla.sla import services as sla

from . import notifications, search
from .attachments import check_uploads
from .models import (
    Attachment,
    Category,
    Channel,
    Department,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)
from .status import AWAITING_CUSTOMER, STATUS_FIELDS, Role, ticket_status_change


class TicketClosedError(ValidationError):
    def __init__(self):
        super().__init__(
            _("Este ticket está cerrado y ya no admite respuestas. Abre un ticket nuevo."),
            code="ticket_closed",
        )


# ticket_update_fields: "leave this field as it is" (None means "clear it").
UNCHANGED = object()


@dataclass(frozen=True)
class IncidentDetails:
    """What a critical (Alta) ticket must carry, validated by the caller's form."""

    server_ip: str | None
    order_number: str
    service_name: str
    started_at: datetime
    time_zone: str
    diagnostics: str


def _add_attachments(message: Message, files: Sequence, checked=None) -> None:
    """`checked`: what check_uploads(files) returned, when the caller
    validated them before its transaction."""
    if not files:
        return
    if checked is None:
        checked = check_uploads(files)
    for upload, info in zip(files, checked, strict=True):
        attachment = Attachment(
            message=message, original_name=info.name[:255], content_type=info.content_type,
            size=info.size,
        )
        attachment.file.save(info.name, upload, save=False)
        attachment.save()


def _event(ticket, kind, actor, from_value="", to_value="", now=None):
    TicketEvent.objects.create(
        ticket=ticket, kind=kind, actor=actor, from_value=str(from_value or ""),
        to_value=str(to_value or ""), created_at=now or timezone.now(),
    )


def ticket_create(
    *,
    customer: Customer,
    requester=None,
    subject: str,
    body: str,
    department: Department,
    category: Category | None = None,
    service: Service | None = None,
    priority: str = Priority.REGULAR,
    channel: str = Channel.PORTAL,
    incident: IncidentDetails | None = None,
    files: Sequence = (),
    follow_up_of: Ticket | None = None,
    actor=None,
    then: Callable[[Ticket], object] | None = None,
    acknowledge: bool = True,
) -> Ticket:
    """A new ticket. `actor` is the agent who opened it for the customer
    (a chat conversion), if any: the agents' email is not sent to them.
    `acknowledge=False`: no "ticket created" email to the customer (an
    email from a mailing list or a program, RFC 3834); agents are told.
    `then(ticket)` runs inside the creating transaction (what must be
    stored with the ticket or not at all, e.g. its category's field values).

    Everything that does not need the transaction is computed before it
    starts: on SQLite the transaction holds the database's write lock."""
    if priority == Priority.HIGH and incident is None:
        raise ValidationError(_("Un ticket de prioridad Alta necesita los datos del incidente."))
    if service is not None and service.customer_id != customer.pk:
        raise ValidationError(_("Ese servicio no pertenece a tu cuenta."))
    if category is not None and category.department_id != department.pk:
        raise ValidationError(_("La categoría no pertenece al departamento elegido."))
    # Passwords and card numbers are hidden whatever the channel (portal,
    # email, API, chat): the original is never stored.
    subject, body = mask_sensitive(subject).text, mask_sensitive(body).text
    # Validated before the transaction: a refused file costs no write (and,
    # on SQLite, no time holding the write lock).
    checked = check_uploads(files) if files else []
    now = timezone.now()
    fields = dict(
        subject=subject.strip()[:200], customer=customer, requester=requester,
        department=department, category=category, service=service, priority=priority,
        channel=channel, created_at=now, updated_at=now, status_changed_at=now,
        last_customer_message_at=now, follow_up_of=follow_up_of,
        **sla.timers_for_new_ticket(department_id=department.pk, channel=channel,
                                    priority=priority, created_at=now),
    )
    if incident is not None:
        fields.update(
            incident_server_ip=incident.server_ip or None,
            incident_order_number=incident.order_number,
            incident_service_name=incident.service_name,
            incident_started_at=incident.started_at,
            incident_time_zone=incident.time_zone,
            incident_diagnostics=incident.diagnostics,
        )
    document = search.prepared({"subject": fields["subject"], "body": body})
    with transaction.atomic():
        ticket = _create_with_unique_number(fields)
        message = Message.objects.create(
            ticket=ticket, kind=Message.Kind.CUSTOMER, author=requester, body=body, created_at=now,
            channel=channel,
        )
        _add_attachments(message, files, checked)
        _event(ticket, TicketEvent.Kind.CREATED, requester, to_value=channel, now=now)
        search.index_ticket(ticket.pk, document, new=True)
        if then is not None:
            then(ticket)
        # Recorded with the ticket (an outbox row): notified once it commits.
        notifications.ticket_created(ticket.pk, actor.pk if actor is not None else None,
                                     acknowledge=acknowledge)
        emit("ticket.created", ticket_payload(ticket))
    return ticket


def _create_with_unique_number(fields: dict, attempts: int = 5) -> Ticket:
    """Numbers are random (Ticket.number's default): on the rare collision,
    roll back the savepoint and draw again."""
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return Ticket.objects.create(**fields)
        except IntegrityError:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def ticket_customer_reply(ticket: Ticket, *, author, body: str, files: Sequence = (),
                          channel: str = Channel.PORTAL) -> Message:
    """A customer writes: a ticket waiting for them goes back to Abierto.
    Passwords and card numbers in `body` are hidden, whatever the channel."""
    body = mask_sensitive(body).text
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.is_closed:
        raise TicketClosedError()
    now = timezone.now()
    message = Message.objects.create(
        ticket=ticket, kind=Message.Kind.CUSTOMER, author=author, body=body, created_at=now,
        channel=channel,
    )
    _add_attachments(message, files)
    if ticket.status in AWAITING_CUSTOMER:
        ticket_status_change(ticket, to=Status.OPEN, role=Role.CUSTOMER, actor=author, now=now)
    ticket.last_customer_message_at = now
    ticket.updated_at = now
    sla_fields = sla.timers_on_customer_message(ticket, now=now)
    ticket.save(update_fields=[*STATUS_FIELDS, "last_customer_message_at", "updated_at", *sla_fields])
    search.index_ticket(ticket.pk)
    notifications.agents_customer_replied(message.pk, ticket_id=ticket.pk)
    emit("message.created", message_payload(message))
    return message


@transaction.atomic
def ticket_agent_reply(ticket: Ticket, *, agent, body: str, files: Sequence = (),
                       internal: bool = False, status: str | None = None,
                       channel: str = Channel.PORTAL) -> Message:
    """An agent's public reply (→ Pendiente unless `status` says otherwise)
    or internal note (status unchanged unless `status` is given)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.is_closed:
        raise TicketClosedError()
    now = timezone.now()
    message = Message.objects.create(
        ticket=ticket, kind=Message.Kind.NOTE if internal else Message.Kind.REPLY,
        author=agent, body=body, created_at=now, channel=channel,
    )
    _add_attachments(message, files)
    if status is None and not internal:
        status = Status.PENDING
    changed = False
    if status:
        changed = ticket_status_change(ticket, to=status, role=Role.AGENT, actor=agent, now=now,
                                       message=None if internal else message)
        if not changed and not internal and ticket.status in AWAITING_CUSTOMER:
            # A new question restarts the customer's time to answer.
            ticket.awaiting_customer_since = now
            ticket.close_warning_sent_at = None
    if not internal:
        ticket.last_agent_message_at = now
    ticket.updated_at = now
    sla_fields = sla.timers_on_agent_message(ticket, public=not internal, now=now)
    ticket.save(update_fields=[*STATUS_FIELDS, "last_agent_message_at", "updated_at", *sla_fields])
    search.index_ticket(ticket.pk)
    if not internal and not (changed and ticket.status == Status.RESOLVED):
        # A reply that resolves the ticket is quoted in the Resuelto email.
        notifications.agent_replied(message.pk, ticket_id=ticket.pk)
    emit("message.created", message_payload(message))
    return message


@transaction.atomic
def ticket_status_set(ticket: Ticket, *, actor, role: Role, status: str) -> Ticket:
    """An explicit status change from the portal (Cerrar) or the console."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    now = timezone.now()
    if ticket_status_change(ticket, to=status, role=role, actor=actor, now=now):
        ticket.updated_at = now
        sla_fields = sla.timers_on_status(ticket, now=now)
        ticket.save(update_fields=[*STATUS_FIELDS, "updated_at", *sla_fields])
        # (The Resuelto email is recorded by the status machine itself.)
        if status == Status.CLOSED:
            notifications.ticket_closed(ticket.pk)
        emit("ticket.updated", ticket_payload(ticket))
    return ticket


@transaction.atomic
def ticket_update_fields(ticket: Ticket, *, agent, department: Department | None = None,
                         category: Category | None | object = UNCHANGED,
                         priority: str | None = None) -> Ticket:
    """Change department, category and priority; each change is logged.
    `category=None` clears the category; leaving it out keeps it. Moving to
    another department drops a category that does not belong to it."""
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of
    # the outer join to category.
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("department", "category")
        .get(pk=ticket.pk)
    )
    now = timezone.now()
    changed = []
    old_priority = ticket.priority
    if department is not None and department.pk != ticket.department_id:
        _event(ticket, TicketEvent.Kind.DEPARTMENT, agent, ticket.department, department, now)
        ticket.department = department
        changed.append("department")
        if ticket.category_id and ticket.category.department_id != department.pk:
            if category is UNCHANGED or (category and category.department_id != department.pk):
                category = None
            _event(ticket, TicketEvent.Kind.CATEGORY, agent, ticket.category, category or "", now)
            ticket.category = category
            changed.append("category")
    if category is not UNCHANGED and (category.pk if category else None) != ticket.category_id:
        if category is not None and category.department_id != ticket.department_id:
            raise ValidationError(_("La categoría no pertenece al departamento del ticket."))
        _event(ticket, TicketEvent.Kind.CATEGORY, agent, ticket.category or "", category or "", now)
        ticket.category = category
        changed.append("category")
    if priority is not None and priority != ticket.priority:
        _event(ticket, TicketEvent.Kind.PRIORITY, agent, ticket.priority, priority, now)
        ticket.priority = Priority(priority)
        changed.append("priority")
    if changed:
        ticket.updated_at = now
        if "priority" in changed or "department" in changed:
            changed += sla.timers_on_retarget(ticket, old_priority=old_priority)
        ticket.save(update_fields=[*set(changed), "updated_at"])
        emit("ticket.updated", ticket_payload(ticket))
    return ticket


@transaction.atomic
def ticket_assign(ticket: Ticket, *, actor, assignee) -> Ticket:
    """Assign (or, with assignee=None, unassign). The assignee must be an
    agent who works the ticket's department."""
    from .access import tickets_for_agent

    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if assignee is not None and not tickets_for_agent(assignee).filter(pk=ticket.pk).exists():
        raise ValidationError(_("Ese agente no atiende el departamento de este ticket."))
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return ticket
    now = timezone.now()
    previous = ticket.assignee
    _event(ticket, TicketEvent.Kind.ASSIGNEE, actor, previous or "", assignee or "", now)
    ticket.assignee = assignee
    ticket.updated_at = now
    ticket.save(update_fields=["assignee", "updated_at"])
    emit("ticket.updated", ticket_payload(ticket))
    return ticket


@transaction.atomic
def ticket_merge(source: Ticket, *, agent, target: Ticket) -> Ticket:
    """Merge a duplicate into another ticket of the same customer: its
    messages are copied into the target, and the duplicate is closed
    pointing to it."""
    if source.pk == target.pk:
        raise ValidationError(_("Un ticket no se puede fusionar consigo mismo."))
    if source.customer_id != target.customer_id:
        raise ValidationError(_("Solo se pueden fusionar tickets del mismo cliente."))
    source = Ticket.objects.select_for_update().get(pk=source.pk)
    target = Ticket.objects.select_for_update().get(pk=target.pk)
    if source.is_closed or target.is_closed:
        raise ValidationError(_("No se pueden fusionar tickets cerrados."))
    now = timezone.now()
    for message in source.messages.prefetch_related("attachments"):
        copy = Message.objects.create(
            ticket=target, kind=message.kind, author_id=message.author_id, body=message.body,
            created_at=message.created_at, channel=message.channel,
        )
        Attachment.objects.bulk_create(
            Attachment(message=copy, file=a.file.name, original_name=a.original_name,
                       content_type=a.content_type, size=a.size, created_at=a.created_at)
            for a in message.attachments.all()
        )
    Message.objects.create(
        ticket=source, kind=Message.Kind.SYSTEM, author=agent, created_at=now,
        body=_("Este ticket se fusionó con el ticket #%(number)s; la conversación sigue allí.")
        % {"number": target.number},
    )
    Message.objects.create(
        ticket=target, kind=Message.Kind.SYSTEM, author=agent, created_at=now,
        body=_("Se fusionó aquí el ticket #%(number)s.") % {"number": source.number},
    )
    _event(source, TicketEvent.Kind.MERGED, agent, source.number, target.number, now)
    _event(target, TicketEvent.Kind.MERGED, agent, source.number, target.number, now)
    ticket_status_change(source, to=Status.CLOSED, role=Role.AGENT, actor=agent, now=now)
    source.merged_into = target
    source.updated_at = now
    sla_fields = sla.timers_on_status(source, now=now)
    source.save(update_fields=[*STATUS_FIELDS, "merged_into", "updated_at", *sla_fields])
    latest = [t for t in (target.last_customer_message_at, source.last_customer_message_at) if t]
    target.last_customer_message_at = max(latest) if latest else None
    target.updated_at = now
    target.save(update_fields=["last_customer_message_at", "updated_at"])
    search.index_ticket(target.pk)  # the duplicate's messages are searchable in the target
    return target


def tickets_auto_close(*, now: datetime | None = None, batch: int = 500) -> tuple[int, int]:
    """Warn, then close, tickets that wait for the customer with no customer
    update for SiteSettings.auto_close_days. Tickets waiting for an agent
    (Abierto) are never touched. Returns (warned, closed)."""
    now = now or timezone.now()
    days = SiteSettings.load().auto_close_days
    close_before = now - timedelta(days=days)
    warn_before = now - timedelta(days=days - 1)
    warned = closed = 0

    to_close = list(
        Ticket.objects.filter(status__in=AWAITING_CUSTOMER, awaiting_customer_since__lte=close_before)
        .values_list("pk", flat=True)[:batch]
    )
    for pk in to_close:
        closed += _auto_close_one(pk, close_before, days, now)

    to_warn = list(
        Ticket.objects.filter(
            status__in=AWAITING_CUSTOMER, awaiting_customer_since__lte=warn_before,
            awaiting_customer_since__gt=close_before, close_warning_sent_at__isnull=True,
        ).values_list("pk", flat=True)[:batch]
    )
    for pk in to_warn:
        warned += _warn_one(pk, warn_before, now)
    return warned, closed


@transaction.atomic
def _auto_close_one(pk: int, close_before: datetime, days: int, now: datetime) -> int:
    # Re-read under lock: the customer may have answered since the sweep began.
    ticket = Ticket.objects.select_for_update().filter(
        pk=pk, status__in=AWAITING_CUSTOMER, awaiting_customer_since__lte=close_before
    ).first()
    if ticket is None:
        return 0
    Message.objects.create(
        ticket=ticket, kind=Message.Kind.SYSTEM, created_at=now,
        body=ngettext(
            "Ticket cerrado automáticamente tras %(days)s día sin respuesta del cliente.",
            "Ticket cerrado automáticamente tras %(days)s días sin respuesta del cliente.", days,
        ) % {"days": days},
    )
    ticket_status_change(ticket, to=Status.CLOSED, role=Role.SYSTEM, now=now)
    ticket.updated_at = now
    sla_fields = sla.timers_on_status(ticket, now=now)
    ticket.save(update_fields=[*STATUS_FIELDS, "updated_at", *sla_fields])
    notifications.ticket_auto_closed(ticket.pk)
    return 1


@transaction.atomic
def _warn_one(pk: int, warn_before: datetime, now: datetime) -> int:
    ticket = Ticket.objects.select_for_update().filter(
        pk=pk, status__in=AWAITING_CUSTOMER, awaiting_customer_since__lte=warn_before,
        close_warning_sent_at__isnull=True,
    ).first()
    if ticket is None:
        return 0
    ticket.close_warning_sent_at = now
    ticket.save(update_fields=["close_warning_sent_at"])
    _event(ticket, TicketEvent.Kind.CLOSE_WARNING, None, "", "", now)
    notifications.ticket_close_warning(ticket.pk)
    return 1
