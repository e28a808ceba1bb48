"""Jobs of the integrations app: webhook deliveries.

As with notification emails (ventanilla.mail.tasks), the attempt count lives
in the WebhookDelivery row: each job makes one attempt and raises RetryTask
with the backoff delay while attempts remain."""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task
from huey.exceptions import RetryTask

from .models import ApiCall, IdempotentRequest, SsoLogin, WebhookDelivery
from .webhooks import enqueue, webhook_deliver


@db_task()
def deliver_webhook(delivery_id: int) -> None:
    attempt = webhook_deliver(delivery_id)
    if attempt.retry_in is not None:
        raise RetryTask(delay=attempt.retry_in)


@db_periodic_task(crontab(minute="*/5"))
def webhook_sweep() -> None:
    """Re-queue pending deliveries whose job was lost (a restart, a full queue)."""
    late = timezone.now() - timedelta(minutes=5)
    for delivery_id in WebhookDelivery.objects.filter(
        Q(next_attempt_at__lt=late) | Q(next_attempt_at__isnull=True, created_at__lt=late),
        status=WebhookDelivery.Status.PENDING, subscription__is_active=True,
    ).values_list("pk", flat=True)[:200]:
        enqueue(delivery_id)


# How long the bookkeeping rows are kept.
IDEMPOTENCY_KEEP = timedelta(days=1)
SSO_NONCE_KEEP = timedelta(days=1)  # far beyond a link's life
API_CALL_KEEP = timedelta(days=90)


def integrations_prune(now=None) -> None:
    now = now or timezone.now()
    IdempotentRequest.objects.filter(created_at__lt=now - IDEMPOTENCY_KEEP).delete()
    SsoLogin.objects.filter(created_at__lt=now - SSO_NONCE_KEEP).delete()
    ApiCall.objects.filter(created_at__lt=now - API_CALL_KEEP).delete()


@db_periodic_task(crontab(minute="17", hour="*"))
def integrations_prune_hourly() -> None:
    integrations_prune()
