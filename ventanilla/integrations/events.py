"""Webhook events: `emit(event, payload)` from any service.

emit() only registers an on-commit hook: nothing happens for a transaction
that rolls back, and the payload may be a zero-argument callable so that it
is built only when some active webhook listens to the event. Each matching
webhook gets a WebhookDelivery row and a job (ventanilla.integrations.webhooks).

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


def emit(event: str, payload: dict | Callable[[], dict]) -> None:
    transaction.on_commit(lambda: _dispatch(event, payload))


def envelope(event: str, data: dict) -> str:
    return json.dumps(
        {"id": str(uuid.uuid4()), "event": event, "created_at": timezone.now(), "data": data},
        cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":"),
    )


def _dispatch(event: str, payload) -> None:
    try:
        if event not in listened_events():
            return
        subscriptions = [s for s in WebhookSubscription.objects.filter(is_active=True)
                         if event in s.events]
        if not subscriptions:
            return
        data = payload() if callable(payload) else payload
        if carries_internal_note(data):
            subscriptions = [s for s in subscriptions if s.include_internal_notes]
        if subscriptions:
            deliveries_create(event, data, subscriptions)
    except Exception:
        # The change is committed; a webhook problem must not fail the request.
        logger.exception("Could not queue webhook deliveries for %s", event)


def carries_internal_note(data: dict) -> bool:
    """Whether a payload holds an agent's internal note: only webhooks that
    chose include_internal_notes receive it."""
    from ventanilla.tickets.models import Message

    message = data.get("message") if isinstance(data, dict) else None
    return isinstance(message, dict) and message.get("kind") == Message.Kind.NOTE


def deliveries_create(event: str, data: dict, subscriptions) -> list[WebhookDelivery]:
    from .webhooks import enqueue

    deliveries = []
    for subscription in subscriptions:
        delivery = WebhookDelivery.objects.create(
            subscription=subscription, event=event, body=envelope(event, data),
        )
        deliveries.append(delivery)
    for delivery in deliveries:
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
