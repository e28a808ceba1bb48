"""Writes of the notification center: notices to customers (in the client
area always, by email when the customer wants that kind), read marks,
preferences, and billing events from the billing system."""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Customer
from ventanilla.mail.models import NotificationAddress

from .links import notice_link_allowed, notice_link_domains
from .models import BillingEvent, Kind, Notification, Preference

# The addresses (mail.NotificationAddress kinds) each kind is also sent to.
ADDRESS_KIND = {
    Kind.TICKET: NotificationAddress.Kind.SUPPORT,
    Kind.SERVICE: NotificationAddress.Kind.SUPPORT,
    Kind.BILLING: NotificationAddress.Kind.BILLING,
    Kind.ABUSE: NotificationAddress.Kind.ABUSE,
}
# Ticket emails that are receipts, sent whatever the preference: the ticket
# number must reach the customer.
TICKET_RECEIPTS = {"created"}


def customer_language(language: str | None) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def notify(customer_ids: Iterable[int], *, kind: str,
           text: Callable[[], tuple[str, str]], url: str = "",
           email: bool = True, created_at: datetime | None = None) -> list[Notification]:
    """One notification per customer, its title and body from `text()`
    rendered in each customer's language; emails (unless email=False: the
    caller sends its own) go out after commit. `created_at` is when the event
    happened (a notice built after the fact keeps the event's date), never
    later than now."""
    ids = list(dict.fromkeys(customer_ids))
    if not ids:
        return []
    languages = dict(Customer.objects.filter(pk__in=ids).values_list("pk", "user__language"))
    rendered: dict[str, tuple[str, str]] = {}
    now = timezone.now()
    if created_at is not None:
        now = min(created_at, now)
    rows = []
    for customer_id in ids:
        language = customer_language(languages.get(customer_id))
        if language not in rendered:
            with translation.override(language):
                title, body = text()
            rendered[language] = (title[:200], body)
        title, body = rendered[language]
        rows.append(Notification(customer_id=customer_id, kind=kind, title=title, body=body,
                                 url=url, created_at=now))
    with transaction.atomic():
        created = Notification.objects.bulk_create(rows, batch_size=1000)
        if all(n.pk for n in created):
            notification_ids = [n.pk for n in created]
        else:  # backends that don't return ids from bulk inserts
            notification_ids = list(Notification.objects.filter(
                customer_id__in=ids, kind=kind, created_at=now).values_list("pk", flat=True))
        if email:
            transaction.on_commit(lambda: _queue_emails(notification_ids))
    return created


def _queue_emails(notification_ids: list[int]) -> None:
    from . import tasks

    tasks.email_notifications(notification_ids)


def wants_email(customer_id: int, kind: str) -> bool:
    preference = Preference.objects.filter(customer_id=customer_id, kind=kind).first()
    return preference is None or preference.email


def email_notifications(notification_ids: list[int]) -> int:
    """Queue the email of each notification whose customer wants that kind
    by email. Returns how many were queued."""
    from ventanilla.mail import outbound
    from ventanilla.mail.notification_addresses import confirmed_emails

    opted_out = set(Preference.objects.filter(email=False).filter(
        customer__notifications__pk__in=notification_ids,
    ).values_list("customer_id", "kind"))
    queued = 0
    ours = outbound.own_addresses()
    notifications = Notification.objects.filter(pk__in=notification_ids).select_related(
        "customer__user")
    for notification in notifications.iterator(chunk_size=500):
        customer = notification.customer
        if (customer.pk, notification.kind) in opted_out:
            continue
        to = outbound.unique_addresses(
            [customer.email, *confirmed_emails(customer, kind=ADDRESS_KIND[notification.kind])],
            exclude=ours,
        )
        if not to:
            continue
        rendered = outbound.render("notification", {
            "notification": notification, "customer": customer,
            "site_url": settings.SITE_URL,
        }, language=outbound.customer_language(customer))
        outbound.email_queue(kind=f"aviso_{notification.kind}", to=to, rendered=rendered,
                             headers={"Auto-Submitted": "auto-generated"})
        queued += 1
    return queued


def notifications_mark_read(customer: Customer, *, ids: Iterable[int] | None = None) -> int:
    """Mark the customer's unread notifications read (all, or those ids)."""
    qs = Notification.objects.filter(customer=customer, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    return qs.update(read_at=timezone.now())


@transaction.atomic
def preferences_set(customer: Customer, *, email_by_kind: dict[str, bool]) -> None:
    for kind, email in email_by_kind.items():
        if kind not in Kind.values:
            raise ValidationError(_("Tipo de notificación desconocido."))
        Preference.objects.update_or_create(customer=customer, kind=kind,
                                            defaults={"email": bool(email)})


# --- Ticket notifications (a hook of ventanilla.mail.outbound) ---------------

TICKET_TITLES = {
    "created": lambda t: _("Recibimos tu ticket #%(number)s") % {"number": t.number},
    "reply": lambda t: _("Nueva respuesta en tu ticket #%(number)s") % {"number": t.number},
    "resolved": lambda t: _("Tu ticket #%(number)s está resuelto") % {"number": t.number},
    "closed": lambda t: _("Tu ticket #%(number)s se cerró") % {"number": t.number},
    "close_warning": lambda t: _("Tu ticket #%(number)s se cerrará pronto") % {"number": t.number},
    "auto_closed": lambda t: _("Tu ticket #%(number)s se cerró automáticamente")
    % {"number": t.number},
}


def _ticket_event_time(kind, ticket, message) -> datetime | None:
    """When the notified event happened: the message's time, else the
    ticket's creation or its last status change (resolved, closed,
    auto-closed); None (now) for what has no recorded time."""
    if message is not None and getattr(message, "created_at", None):
        return message.created_at
    if kind == "created":
        return ticket.created_at
    if kind in {"resolved", "closed", "auto_closed"}:
        return ticket.closed_at if kind != "resolved" and ticket.closed_at else ticket.status_changed_at
    return None


def ticket_notification_hook(kind, ticket, message, recipients: list[str]) -> list[str]:
    """Every ticket email also lands in the notification center; and the
    customer may turn ticket emails off (the receipt with the number still
    goes)."""
    if kind in TICKET_TITLES:
        url = reverse("portal:ticket_detail", args=[ticket.number])
        notify([ticket.customer_id], kind=Kind.TICKET, url=url, email=False,
               text=lambda: (TICKET_TITLES[kind](ticket), ticket.subject),
               created_at=_ticket_event_time(kind, ticket, message))
    if kind not in TICKET_RECEIPTS and not wants_email(ticket.customer_id, Kind.TICKET):
        return []
    return recipients


# --- Billing events ---------------------------------------------------------

# Events come from a billing system's integrations API key (scope
# billing_events:write): through /api/v1/billing-events, or the older
# /api/v1/facturacion/eventos/ (ventanilla/integrations/api/billing.py).


def _billing_text(event_type: str, data: dict):
    number = str(data.get("number") or "")[:40]
    amount = str(data.get("amount") or "")[:20]
    currency = str(data.get("currency") or "")[:8]

    def text():
        values = {"number": number, "amount": f"{amount} {currency}".strip()}
        if event_type == BillingEvent.Type.INVOICE_ISSUED:
            return (_("Nueva factura %(number)s") % values,
                    _("Emitimos la factura %(number)s por %(amount)s.") % values)
        if event_type == BillingEvent.Type.ORDER_CONFIRMED:
            return (_("Pedido %(number)s confirmado") % values,
                    _("Confirmamos tu pedido %(number)s.") % values)
        return (_("No pudimos cobrar el pago %(number)s") % values,
                _("El cobro de %(amount)s (%(number)s) falló. Revisa tu método de pago para "
                  "evitar la suspensión del servicio.") % values)

    return text


class BillingEventError(ValueError):
    """The event is malformed or names an unknown customer; str() says why
    (in English, the older endpoint's contract); `field` and `code` name the
    offending part for the REST API's problem documents."""

    def __init__(self, message: str, *, field: str = "", code: str = "invalid"):
        super().__init__(message)
        self.field, self.code = field, code


def _billing_customer(integration, ref: dict):
    """The customer named by the event: the integration's own external id
    (customers upserted through the API), then the customer's "id en
    facturación", then the email."""
    from ventanilla.integrations.models import ExternalRef

    if ref.get("external_id"):
        external_id = str(ref["external_id"]).strip()
        object_id = (ExternalRef.objects.filter(
            integration=integration, kind=ExternalRef.Kind.CUSTOMER, external_id=external_id)
            .values_list("object_id", flat=True).first())
        if object_id is not None:
            return Customer.objects.filter(pk=object_id).first()
        return Customer.objects.filter(external_id=external_id).first() if external_id else None
    if ref.get("email"):
        return Customer.objects.filter(email__lower=str(ref["email"]).lower()).first()
    return None


def billing_event_receive(integration, data: dict) -> tuple[BillingEvent, bool]:
    """Store an event and notify its customer; a repeated id is returned as
    it was (created=False), so retries by the billing system are harmless."""
    if not isinstance(data, dict):
        raise BillingEventError("The body must be a JSON object.", field="body", code="not_an_object")
    external_id = str(data.get("id") or "").strip()[:100]
    event_type = str(data.get("type") or "")
    if not external_id:
        raise BillingEventError("Missing 'id'.", field="id", code="missing")
    if event_type not in BillingEvent.Type.values:
        raise BillingEventError(f"Unknown 'type'; expected one of {', '.join(BillingEvent.Type.values)}.",
                                field="type", code="unknown_type")
    existing = BillingEvent.objects.filter(integration=integration, external_id=external_id).first()
    if existing is not None:
        return existing, False
    ref = data.get("customer") or {}
    if not isinstance(ref, dict):
        raise BillingEventError("'customer' must be an object with 'external_id' or 'email'.",
                                field="customer", code="not_an_object")
    payload = data.get("data") or {}
    if not isinstance(payload, dict):
        raise BillingEventError("'data' must be an object.", field="data", code="not_an_object")
    customer = _billing_customer(integration, ref)
    if customer is None:
        raise BillingEventError("Unknown customer.", field="customer", code="unknown_customer")
    url = str(payload.get("url") or "").strip()
    if len(url) > 500:
        raise BillingEventError("'data.url' is too long (500 characters at most).",
                                field="data.url", code="link_too_long")
    if not notice_link_allowed(url):
        raise BillingEventError(
            "'data.url' must be a page of this site or of one of the provider's domains "
            f"({', '.join(notice_link_domains())}).", field="data.url", code="link_not_allowed")
    try:
        with transaction.atomic():
            event = BillingEvent.objects.create(
                integration=integration, external_id=external_id, type=event_type,
                customer=customer, payload=data)
            [notification] = notify([customer.pk], kind=Kind.BILLING, url=url,
                                    text=_billing_text(event_type, payload))
            event.notification = notification
            event.save(update_fields=["notification"])
    except IntegrityError:  # the same event delivered twice at once
        return BillingEvent.objects.get(integration=integration, external_id=external_id), False
    return event, True
