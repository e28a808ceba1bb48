"""/api/v1/customers: upsert and read by the billing system's id."""

from typing import Literal

from ninja import Field, Router, Schema
from ninja.responses import Status

from ventanilla.accounts.models import Customer
from ventanilla.mail.notification_addresses import addresses_for_customer

from .. import services
from .auth import require
from .errors import ERROR_CODES, Problem, not_found

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


def customer_out(customer: Customer, external_id: str) -> dict:
    addresses = [{"kind": a.kind, "email": a.email, "confirmed": a.confirmed_at is not None}
                 for a in addresses_for_customer(customer)]
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
