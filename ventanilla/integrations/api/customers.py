"""/api/v1/customers: upsert and read by the billing system's id, and the
list of the customers this integration knows (for keeping in step)."""

from collections import defaultdict
from typing import Literal

from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from ventanilla.accounts.models import Customer
from ventanilla.mail.models import NotificationAddress
from ventanilla.mail.notification_addresses import addresses_for_customer
from ventanilla.tickets.selectors import keyset_page

from .. import services
from ..models import ExternalRef
from .auth import require
from .errors import ERROR_CODES, Problem, not_found
from .types import Instant

router = Router(tags=["customers"])


class NotificationAddressIn(Schema):
    kind: Literal["soporte", "facturacion", "abuso"]
    email: str = Field(..., min_length=3, max_length=254)


class NotificationAddressOut(NotificationAddressIn):
    confirmed: bool


class CustomerIn(Schema):
    name: str = Field(..., min_length=1, max_length=150)
    email: str = Field(..., min_length=3, max_length=254)
    company: str = Field("", max_length=150)
    phone: str = Field("", max_length=40)
    time_zone: str = Field("", max_length=64, description="p. ej. America/Mexico_City")
    language: Literal["", "es", "en"] = ""
    notification_addresses: list[NotificationAddressIn] | None = Field(
        None, max_length=10,
        description="Direcciones extra de notificación; se omite para no tocarlas. Cada dirección "
                    "nueva recibe un enlace de confirmación.")


class CustomerOut(Schema):
    external_id: str
    name: str
    email: str
    company: str
    phone: str
    time_zone: str
    language: str
    has_login: bool
    notification_addresses: list[NotificationAddressOut]


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None


class CustomerFilters(Schema):
    external_id: str | None = Field(None, max_length=100)
    email: str | None = Field(None, max_length=254)
    updated_since: Instant | None = Field(
        None, description="Solo los cambiados desde esta fecha (ISO 8601), incluida.")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(25, ge=1, le=100)


# Lists for keeping in step go oldest change first: the last page's cursor
# (or the newest updated_at seen) is where the next sync starts.
SYNC_ORDER = (("updated_at", False), ("id", False))


def integration_objects(integration, kind: str, external_id: str | None):
    """The ids of the objects this integration has an external id for."""
    refs = ExternalRef.objects.filter(integration=integration, kind=kind)
    if external_id is not None:
        refs = refs.filter(external_id=external_id.strip())
    return refs.values("object_id")


def customer_out(customer: Customer, external_id: str, addresses=None) -> dict:
    if addresses is None:
        addresses = addresses_for_customer(customer)
    addresses = [{"kind": a.kind, "email": a.email, "confirmed": a.confirmed_at is not None}
                 for a in addresses]
    return {
        "notification_addresses": addresses,
        "external_id": external_id, "name": customer.name, "email": customer.email,
        "company": customer.company, "phone": customer.phone, "time_zone": customer.time_zone,
        "language": customer.user.language if customer.user_id else "",
        "has_login": customer.user_id is not None,
    }


@router.put("/{external_id}", response={200: CustomerOut, 201: CustomerOut, ERROR_CODES: Problem},
            summary="Crear o actualizar un cliente")
def customer_put(request, external_id: str, payload: CustomerIn):
    key = require(request, "customers", "write")
    data = payload.dict()
    if payload.notification_addresses is not None:
        data["notification_addresses"] = [(a.kind, a.email) for a in payload.notification_addresses]
    customer, created = services.customer_upsert(
        key.integration, external_id, services.CustomerData(**data))
    return Status(201 if created else 200, customer_out(customer, external_id.strip()))


@router.get("/{external_id}", response={200: CustomerOut, ERROR_CODES: Problem},
            summary="Un cliente")
def customer_get(request, external_id: str):
    key = require(request, "customers", "read")
    customer = services.customer_by_external_id(key.integration, external_id)
    if customer is None:
        raise not_found()
    return Status(200, customer_out(customer, external_id))


@router.get("", response={200: CustomerPage, ERROR_CODES: Problem}, summary="Lista de clientes")
def customer_list(request, filters: Query[CustomerFilters]):
    """The customers this integration has an external id for, oldest change
    first; pass `next_cursor` back as `cursor` for the next page."""
    key = require(request, "customers", "read")
    qs = Customer.objects.filter(
        pk__in=integration_objects(key.integration, ExternalRef.Kind.CUSTOMER, filters.external_id))
    if filters.email:
        qs = qs.filter(email__lower=filters.email.strip().lower())
    if filters.updated_since:
        qs = qs.filter(updated_at__gte=filters.updated_since)
    page = keyset_page(qs.select_related("user"), SYNC_ORDER, cursor=filters.cursor,
                       page_size=filters.limit)
    ids = [c.pk for c in page.rows]
    refs = services.ref_external_ids(key.integration, ExternalRef.Kind.CUSTOMER, ids)
    addresses = defaultdict(list)
    for address in NotificationAddress.objects.filter(customer__in=ids).order_by("kind", "email"):
        addresses[address.customer_id].append(address)
    return Status(200, {
        "items": [customer_out(c, refs[c.pk], addresses[c.pk]) for c in page.rows],
        "next_cursor": page.next_cursor,
    })
