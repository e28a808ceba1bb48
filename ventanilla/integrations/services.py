"""Writes of the integrations: customers and services upserted by the
billing system's id, API keys. The API, the importers and the admin end here."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_ipv46_address
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import TIME_ZONE_CHOICES, Customer, Service
from ventanilla.mail.notification_addresses import (
    addresses_for_customer,
    notification_address_add,
    notification_address_remove,
)

from .models import ApiKey, ExternalRef, Integration

TIME_ZONES = {tz for tz, _label in TIME_ZONE_CHOICES}


def ref_object_id(integration: Integration, kind: str, external_id: str) -> int | None:
    return (
        ExternalRef.objects.filter(integration=integration, kind=kind, external_id=external_id)
        .values_list("object_id", flat=True).first()
    )


def ref_external_ids(integration: Integration, kind: str, object_ids) -> dict[int, str]:
    """object id → external id, for a page of objects (one query)."""
    rows = ExternalRef.objects.filter(integration=integration, kind=kind, object_id__in=object_ids)
    return {row.object_id: row.external_id for row in rows}


def ref_set(integration: Integration, kind: str, external_id: str, object_id: int) -> None:
    ExternalRef.objects.update_or_create(
        integration=integration, kind=kind, external_id=external_id,
        defaults={"object_id": object_id},
    )


def customer_by_external_id(integration: Integration, external_id: str) -> Customer | None:
    object_id = ref_object_id(integration, ExternalRef.Kind.CUSTOMER, external_id)
    return Customer.objects.select_related("user").filter(pk=object_id).first() if object_id else None


def service_by_external_id(integration: Integration, external_id: str) -> Service | None:
    object_id = ref_object_id(integration, ExternalRef.Kind.SERVICE, external_id)
    return Service.objects.filter(pk=object_id).first() if object_id else None


@dataclass(frozen=True)
class CustomerData:
    name: str
    email: str
    company: str = ""
    phone: str = ""
    time_zone: str = ""
    language: str = ""
    # [(kind, email)]; None leaves the customer's addresses as they are.
    notification_addresses: list[tuple[str, str]] | None = None


def _field_error(field: str, message: str, code: str = "invalid") -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


@transaction.atomic
def customer_upsert(integration: Integration, external_id: str,
                    data: CustomerData) -> tuple[Customer, bool]:
    """Create or update the customer the billing system knows as `external_id`.
    Returns (customer, created). An email already used by another customer
    links that customer instead of failing when it has no id here yet."""
    external_id = external_id.strip()
    if not external_id:
        raise _field_error("external_id", _("Falta el id externo."), "required")
    if not data.name.strip():
        raise _field_error("name", _("Falta el nombre."), "required")
    email = data.email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise _field_error("email", _("«%(value)s» no es un correo válido.") % {"value": email}) from None
    if data.time_zone and data.time_zone not in TIME_ZONES:
        raise _field_error("time_zone", _("Zona horaria desconocida: «%(value)s».")
                           % {"value": data.time_zone})
    if data.language and data.language not in ("es", "en"):
        raise _field_error("language", _("Idioma no admitido: «%(value)s» (es o en).")
                           % {"value": data.language})
    customer = customer_by_external_id(integration, external_id)
    holder = Customer.objects.filter(email__lower=email).first()
    if customer is None:
        customer = holder
    elif holder is not None and holder.pk != customer.pk:
        raise _field_error("email", _("Ese correo ya es de otro cliente."), "email_taken")
    created = customer is None
    if created:
        customer = Customer(email=email)
    customer.name = data.name.strip()[:150]
    customer.email = email
    customer.company = data.company.strip()[:150]
    customer.phone = data.phone.strip()[:40]
    if data.time_zone:
        customer.time_zone = data.time_zone
    customer.save(update_fields=None if created else
                  ["name", "email", "company", "phone", "time_zone", "updated_at"])
    if data.language and customer.user_id and customer.user.language != data.language:
        customer.user.language = data.language
        customer.user.save(update_fields=["language"])
    ref_set(integration, ExternalRef.Kind.CUSTOMER, external_id, customer.pk)
    if data.notification_addresses is not None:
        notification_addresses_sync(customer, data.notification_addresses)
    return customer, created


def notification_addresses_sync(customer: Customer, wanted: list[tuple[str, str]]) -> None:
    """Make the customer's extra notification addresses the billing
    system's list: missing ones are added (and, like any new address, get a
    confirmation link before they receive anything), others removed."""
    wanted_set = {(kind, email.strip().lower()) for kind, email in wanted}
    current = {(a.kind, a.email.lower()): a for a in addresses_for_customer(customer)}
    for key, address in current.items():
        if key not in wanted_set:
            notification_address_remove(address)
    for index, (kind, email) in enumerate(sorted(wanted_set - current.keys())):
        try:
            notification_address_add(customer, email=email, kind=kind)
        except ValidationError as error:
            raise ValidationError({f"notification_addresses.{index}": error.error_list}) from None


@dataclass(frozen=True)
class ServiceData:
    customer_external_id: str
    type: str
    name: str
    order_number: str
    domain: str = ""
    server_ip: str = ""
    status: str = Service.Status.ACTIVE


@transaction.atomic
def service_upsert(integration: Integration, external_id: str,
                   data: ServiceData) -> tuple[Service, bool]:
    external_id = external_id.strip()
    if not external_id:
        raise _field_error("external_id", _("Falta el id externo."), "required")
    customer = customer_by_external_id(integration, data.customer_external_id)
    if customer is None:
        raise _field_error("customer", _("No hay ningún cliente con el id «%(value)s».")
                           % {"value": data.customer_external_id}, "unknown_customer")
    if data.type not in Service.Type.values:
        raise _field_error("type", _("Tipo de servicio desconocido: «%(value)s».") % {"value": data.type})
    if data.status not in Service.Status.values:
        raise _field_error("status", _("Estado desconocido: «%(value)s».") % {"value": data.status})
    if not data.name.strip():
        raise _field_error("name", _("Falta el nombre."), "required")
    order_number = data.order_number.strip().lstrip("#")
    if not order_number:
        raise _field_error("order_number", _("Falta el número de pedido."), "required")
    if data.server_ip:
        try:
            validate_ipv46_address(data.server_ip)
        except ValidationError:
            raise _field_error("server_ip", _("«%(value)s» no es una IP válida.")
                               % {"value": data.server_ip}) from None
    service = service_by_external_id(integration, external_id)
    created = service is None
    if created:
        service = Service()
    service.customer = customer
    service.type = data.type
    service.name = data.name.strip()[:150]
    service.order_number = order_number[:20]
    service.domain = data.domain.strip().lower()[:253]
    service.server_ip = data.server_ip or None
    service.status = data.status
    service.save(update_fields=None if created else
                 ["customer", "type", "name", "order_number", "domain", "server_ip", "status",
                  "updated_at"])
    ref_set(integration, ExternalRef.Kind.SERVICE, external_id, service.pk)
    return service, created


def api_key_create(integration: Integration, *, name: str, scopes: list[str],
                   rate: str = "600/m") -> tuple[ApiKey, str]:
    """A new key; the returned secret text is never stored."""
    key, raw = ApiKey.generate(integration=integration, name=name, scopes=scopes, rate=rate)
    key.save()
    return key, raw


def api_key_revoke(key: ApiKey) -> None:
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
