"""Webhook events: `emit(event, payload)` from any service.

When some active webhook listens to the event, emit() records it in the
caller's transaction as an outbox row (ventanilla.mail.outbound.
notification_record, kind "webhook") with the payload as it is then: nothing
is recorded for a transaction that rolls back, and nothing committed is
lost when the process dies before the deliveries exist (the sweep builds
the row again). The payload may be a zero-argument callable, built only
when someone listens. Building the row gives each matching webhook a
WebhookDelivery row and a job (ventanilla.integrations.webhooks), in the
transaction that marks the row done.

Ticket services call emit with ticket_payload()/message_payload(); the SLA,
chat and status apps call it the same way with their own payloads, e.g.
emit("sla.breached", {"ticket": number, "target": "first_response"})."""

import json
import logging
import uuid
from collections.abc import Callable
from functools import partial

from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

LISTENED_CACHE_KEY = "integrations:webhook-events"


def listened_events() -> set[str]:
    """Events some active webhook listens to (cached: emit runs on every
    ticket write, most installations have no webhooks)."""
    events = cache.get(LISTENED_CACHE_KEY)
    if events is None:
        events = set()
        for row in WebhookSubscription.objects.filter(is_active=True).values_list("events", flat=True):
            events.update(row)
        cache.set(LISTENED_CACHE_KEY, events, 60)
    return events


def forget_listened_events() -> None:
    cache.delete(LISTENED_CACHE_KEY)


OUTBOX_KIND = "webhook"


def emit(event: str, payload: dict | Callable[[], dict]) -> None:
    from ventanilla.mail.outbound import notification_record

    try:
        if event not in listened_events():
            return
        if callable(payload):
            # A savepoint: a failed read must not abort the caller's
            # transaction (PostgreSQL refuses every later query in it).
            with transaction.atomic():
                payload = payload()
        # Dates and the like as the JSON the receivers get.
        data = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    except Exception:
        # A webhook problem must not fail the change that caused it.
        logger.exception("Could not record webhook event %s", event)
        return
    notification_record(OUTBOX_KIND, payload={"event": event, "data": data})


def outbox_build(row) -> None:
    """The outbox handler (registered in IntegrationsConfig.ready): one
    delivery per active webhook that listens to the event."""
    event, data = row.payload["event"], row.payload["data"]
    subscriptions = [s for s in WebhookSubscription.objects.filter(is_active=True)
                     if event in s.events]
    if subscriptions and carries_internal_note(data):
        subscriptions = [s for s in subscriptions if s.include_internal_notes]
    if subscriptions:
        deliveries_create(event, data, subscriptions, after_commit=True)


def envelope(event: str, data: dict) -> str:
    return json.dumps(
        {"id": str(uuid.uuid4()), "event": event, "created_at": timezone.now(), "data": data},
        cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"),
    )


def carries_internal_note(data: dict) -> bool:
    """Whether a payload holds an agent's internal note: only webhooks that
    chose include_internal_notes receive it."""
    from ventanilla.tickets.models import Message

    message = data.get("message") if isinstance(data, dict) else None
    return isinstance(message, dict) and message.get("kind") == Message.Kind.NOTE


def deliveries_create(event: str, data: dict, subscriptions, *,
                      after_commit: bool = False) -> list[WebhookDelivery]:
    """A delivery row and a job per subscription; `after_commit` when the
    rows are written in a transaction (a job queued before the commit
    would not find its row)."""
    from .webhooks import enqueue

    deliveries = []
    for subscription in subscriptions:
        delivery = WebhookDelivery.objects.create(
            subscription=subscription, event=event, body=envelope(event, data),
        )
        deliveries.append(delivery)
    for delivery in deliveries:
        if after_commit:
            transaction.on_commit(partial(enqueue, delivery.pk))
        else:
            enqueue(delivery.pk)
    return deliveries


# --- Ticket payloads -------------------------------------------------------

def _ticket_data(ticket_id: int) -> dict:
    from ventanilla.tickets.models import Ticket

    ticket = Ticket.objects.select_related("customer", "department", "assignee").get(pk=ticket_id)
    return {
        "ticket": {
            "number": ticket.number, "subject": ticket.subject, "status": ticket.status,
            "priority": ticket.priority, "department": ticket.department.slug,
            "channel": ticket.channel,
            "customer": {"name": ticket.customer.name, "email": ticket.customer.email},
            "assignee": ticket.assignee.email if ticket.assignee_id else None,
            "created_at": ticket.created_at, "updated_at": ticket.updated_at,
        }
    }


def _message_data(message_id: int) -> dict:
    from ventanilla.tickets.models import Message

    message = Message.objects.select_related("author").get(pk=message_id)
    return {
        **_ticket_data(message.ticket_id),
        "message": {
            "id": message.pk, "kind": message.kind, "body": message.body,
            "author": message.author.email if message.author_id else None,
            "channel": message.channel, "created_at": message.created_at,
        },
    }


def ticket_payload(ticket) -> Callable[[], dict]:
    return partial(_ticket_data, ticket.pk)


def message_payload(message) -> Callable[[], dict]:
    return partial(_message_data, message.pk)
