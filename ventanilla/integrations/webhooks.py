"""Webhook delivery: one signed POST per attempt, retried with exponential
backoff, every attempt's response code kept on the WebhookDelivery row.

Signature (docs/integrations.md): header
    Ventanilla-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
The receiver recomputes it over the raw body and refuses old timestamps.

After WEBHOOK_ATTEMPTS failed attempts a delivery is fallido; after
WEBHOOK_DISABLE_AFTER fallido deliveries in a row the webhook is disabled
and the admins (active superusers) get an email through the outbound mail
queue. One delivered call resets the count."""

import hashlib
import hmac
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ventanilla.accounts.models import User

from .events import forget_listened_events
from .models import WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "Ventanilla-Signature"
USER_AGENT = "Ventanilla-Webhooks/1"


def config(name: str) -> int:
    return settings.VENTANILLA_INTEGRATIONS[name]


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def retry_delay(attempt: int) -> int:
    """Seconds before attempt `attempt + 1`: base, 2·base, 4·base, ..."""
    return config("WEBHOOK_RETRY_BASE_SECONDS") * 2 ** (attempt - 1)


def enqueue(delivery_id: int) -> None:
    from . import tasks

    try:
        tasks.deliver_webhook(delivery_id)
    except Exception:
        logger.exception("Could not queue webhook delivery %s", delivery_id)


@dataclass(frozen=True)
class Attempt:
    delivered: bool
    retry_in: int | None  # seconds, when another attempt is due


def _post(subscription: WebhookSubscription, delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = delivery.body.encode()
    request = urllib.request.Request(subscription.url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Ventanilla-Event": delivery.event,
        "Ventanilla-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: sign(subscription.secret, int(timezone.now().timestamp()), body),
    })
    try:
        with urllib.request.urlopen(request, timeout=config("WEBHOOK_TIMEOUT_SECONDS")) as response:
            return response.status, ""
    except urllib.error.HTTPError as error:
        return error.code, f"HTTP {error.code}"
    except (OSError, ValueError) as error:
        return None, f"{type(error).__name__}: {error}"[:500]


def webhook_deliver(delivery_id: int, *, now: datetime | None = None) -> Attempt:
    """Make one attempt. A row already delivered, failed or claimed by another
    job is left alone."""
    now = now or timezone.now()
    # Claim the attempt first, so two jobs for one row never both send.
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=WebhookDelivery.Status.PENDING,
        subscription__is_active=True,
    ).exclude(next_attempt_at__gt=now).update(
        attempts=F("attempts") + 1,
        next_attempt_at=now + timedelta(seconds=config("WEBHOOK_TIMEOUT_SECONDS") + 60),
    )
    if not claimed:
        return Attempt(delivered=False, retry_in=None)
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    code, error = _post(subscription, delivery)
    delivery.response_code = code
    if code is not None and 200 <= code < 300:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = timezone.now()
        delivery.last_error = ""
        delivery.next_attempt_at = None
        delivery.save(update_fields=["status", "delivered_at", "last_error", "next_attempt_at",
                                     "response_code"])
        WebhookSubscription.objects.filter(pk=subscription.pk).update(consecutive_failures=0)
        return Attempt(delivered=True, retry_in=None)
    delivery.last_error = error or f"HTTP {code}"
    if delivery.attempts < config("WEBHOOK_ATTEMPTS"):
        delay = retry_delay(delivery.attempts)
        delivery.next_attempt_at = now + timedelta(seconds=delay)
        delivery.save(update_fields=["response_code", "last_error", "next_attempt_at"])
        return Attempt(delivered=False, retry_in=delay)
    delivery.status = WebhookDelivery.Status.FAILED
    delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "response_code", "last_error", "next_attempt_at"])
    _count_failure(subscription.pk, now)
    return Attempt(delivered=False, retry_in=None)


@transaction.atomic
def _count_failure(subscription_id: int, now: datetime) -> None:
    subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription_id)
    subscription.consecutive_failures += 1
    fields = ["consecutive_failures"]
    if subscription.is_active and subscription.consecutive_failures >= config("WEBHOOK_DISABLE_AFTER"):
        subscription.is_active = False
        subscription.disabled_at = now
        fields += ["is_active", "disabled_at"]
        transaction.on_commit(lambda: _notify_disabled(subscription))
        transaction.on_commit(forget_listened_events)
    subscription.save(update_fields=fields)


def _notify_disabled(subscription: WebhookSubscription) -> None:
    from ventanilla.mail.outbound import Rendered, email_queue

    admins = list(User.objects.filter(is_superuser=True, is_active=True)
                  .values_list("email", flat=True))
    if not admins:
        return
    context = {"subscription": subscription, "integration": subscription.integration,
               "site_url": settings.SITE_URL, "failures": subscription.consecutive_failures}
    with translation.override(settings.LANGUAGE_CODE):
        rendered = Rendered(
            subject=" ".join(render_to_string("integrations/webhook_disabled_subject.txt",
                                              context).split()),
            text=render_to_string("integrations/webhook_disabled.txt", context),
            html="",
        )
    email_queue(kind="webhook_disabled", to=admins, rendered=rendered, headers={
        "Auto-Submitted": "auto-generated"})


def webhook_send_test(subscription: WebhookSubscription) -> WebhookDelivery:
    """The admin's "send test" button: a webhook.test event to this one webhook."""
    from .events import envelope

    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event="webhook.test",
        body=envelope("webhook.test", {"message": "Ventanilla webhook test"}),
    )
    transaction.on_commit(lambda: enqueue(delivery.pk))
    return delivery
