"""Extra addresses a customer wants notifications at ("Direcciones de
notificación", /cuenta/correos/): added, confirmed by a signed link sent to
the address, removed by their owner. Only confirmed addresses receive
anything.

Each notice goes to the registered address and the confirmed addresses of
its kind (confirmed_emails): Soporte gets ticket emails and service notices,
Facturas/pedidos the billing events, Abusos the abuse notices
(ventanilla.notifications.services.ADDRESS_KIND)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Customer
from ventanilla.core import ratelimit
from ventanilla.core.models import SiteSettings

from .models import Mailbox, NotificationAddress

CONFIRMATION_MAX_AGE = timedelta(days=3)
# A customer could otherwise use the form to mail strangers.
MAX_ADDRESSES_PER_CUSTOMER = 10
CONFIRMATION_RATE = "10/d"
SIGNING_SALT = "ventanilla.mail.notification-address"


class ConfirmationError(Exception):
    """The link is invalid or expired; str() is the message for the user."""


# --- Reads -----------------------------------------------------------------

def addresses_for_customer(customer: Customer):
    return NotificationAddress.objects.filter(customer=customer).order_by("kind", "email")


def address_for_customer(customer: Customer, address_id: int) -> NotificationAddress:
    """The only way a view fetches one address: 404 unless it is theirs."""
    address = NotificationAddress.objects.filter(pk=address_id, customer=customer).first()
    if address is None:
        raise Http404
    return address


def confirmed_emails(customer: Customer, *, kind: str) -> list[str]:
    return list(
        NotificationAddress.objects.filter(customer=customer, kind=kind, confirmed_at__isnull=False)
        .order_by("pk").values_list("email", flat=True)
    )


# --- Links -----------------------------------------------------------------

def confirmation_signature(address: NotificationAddress) -> str:
    return signing.TimestampSigner(salt=SIGNING_SALT).sign(address.token)


def confirmation_url(address: NotificationAddress) -> str:
    return settings.SITE_URL + reverse("mail:address_confirm", args=[confirmation_signature(address)])


def address_for_signature(signature: str) -> NotificationAddress:
    """The address a confirmation link is for, or ConfirmationError."""
    try:
        token = signing.TimestampSigner(salt=SIGNING_SALT).unsign(
            signature, max_age=CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ConfirmationError(_(
            "Este enlace de confirmación caducó (es válido durante 3 días). "
            "Entra en tu cuenta y vuelve a enviar la confirmación."
        )) from error
    except signing.BadSignature as error:
        raise ConfirmationError(_("Este enlace de confirmación no es válido.")) from error
    address = NotificationAddress.objects.select_related("customer").filter(token=token).first()
    if address is None:
        # Removed, or re-sent since (a new token invalidates the old link).
        raise ConfirmationError(_(
            "Este enlace ya no es válido: la dirección se eliminó o se envió una confirmación más reciente."
        ))
    return address


# --- Writes ----------------------------------------------------------------

def notification_address_add(customer: Customer, *, email: str, kind: str) -> NotificationAddress:
    """Add an unconfirmed address and email it the confirmation link."""
    email = email.strip().lower()
    if kind not in NotificationAddress.Kind.values:
        raise ValidationError(_("Elige un tipo de notificación."), code="kind")
    if email == customer.email.lower():
        raise ValidationError(
            _("Esa es tu dirección registrada: ya recibe todas las notificaciones."), code="registered")
    if Mailbox.objects.filter(address__iexact=email).exists():
        raise ValidationError(_("Esa es una dirección de nuestro equipo de soporte."), code="ours")
    if NotificationAddress.objects.filter(customer=customer, kind=kind, email=email).exists():
        raise ValidationError(_("Ya añadiste esa dirección para ese tipo de notificación."),
                              code="duplicate")
    if NotificationAddress.objects.filter(customer=customer).count() >= MAX_ADDRESSES_PER_CUSTOMER:
        raise ValidationError(
            _("Puedes tener como máximo %(n)s direcciones. Elimina alguna para añadir otra.")
            % {"n": MAX_ADDRESSES_PER_CUSTOMER}, code="too_many")
    _check_confirmation_rate(customer)
    try:
        with transaction.atomic():
            address = NotificationAddress.objects.create(
                customer=customer, kind=kind, email=email, token=secrets.token_urlsafe(32))
            transaction.on_commit(lambda: _send_confirmation(address.pk))
    except IntegrityError as error:  # the same address added twice at once
        raise ValidationError(_("Ya añadiste esa dirección para ese tipo de notificación."),
                              code="duplicate") from error
    return address


def notification_address_resend(address: NotificationAddress) -> NotificationAddress:
    """A new link for an unconfirmed address (the old one stops working)."""
    if address.confirmed_at is not None:
        return address
    _check_confirmation_rate(address.customer)
    with transaction.atomic():
        address.token = secrets.token_urlsafe(32)
        address.save(update_fields=["token"])
        transaction.on_commit(lambda: _send_confirmation(address.pk))
    return address


@transaction.atomic
def notification_address_confirm(address: NotificationAddress) -> NotificationAddress:
    address = NotificationAddress.objects.select_for_update().get(pk=address.pk)
    if address.confirmed_at is None:
        address.confirmed_at = timezone.now()
        address.save(update_fields=["confirmed_at"])
    return address


@transaction.atomic
def notification_address_remove(address: NotificationAddress) -> None:
    address.delete()


def _check_confirmation_rate(customer: Customer) -> None:
    key = str(customer.pk)
    if ratelimit.consume("notification-address", key, CONFIRMATION_RATE) is None:
        raise ValidationError(
            _("Enviaste demasiadas confirmaciones hoy. Inténtalo de nuevo mañana."), code="rate")


def _send_confirmation(address_id: int) -> None:
    from . import outbound

    address = NotificationAddress.objects.select_related("customer__user").get(pk=address_id)
    context = {
        "address": address, "customer": address.customer, "site": SiteSettings.load(),
        "url": confirmation_url(address), "days": CONFIRMATION_MAX_AGE.days,
    }
    rendered = outbound.render("address_confirmation", context,
                               language=outbound.customer_language(address.customer))
    outbound.email_queue(kind="confirmacion_direccion", to=[address.email], rendered=rendered,
                         headers={"Auto-Submitted": "auto-generated"})
