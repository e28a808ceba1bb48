"""/api/v1/customers: upsert and read by the billing system's id."""

from typing import Literal

from ninja import Field, Router, Schema
from ninja.responses import Status

from ventanilla.accounts.models import Customer

from .. import services
from .auth import require
from .errors import ERROR_CODES, Problem, not_found

router = Router(tags=["customers"])


class CustomerIn(Schema):
    name: str = Field(..., min_length=1, max_length=150)
    email: str = Field(..., min_length=3, max_length=254)
    company: str = Field("", max_length=150)
    phone: str = Field("", max_length=40)
    time_zone: str = Field("", max_length=64, description="p. ej. America/Mexico_City")
    language: Literal["", "es", "en"] = ""


class CustomerOut(Schema):
    external_id: str
    name: str
    email: str
    company: str
    phone: str
    time_zone: str
    language: str
    has_login: bool


def customer_out(customer: Customer, external_id: str) -> dict:
    return {
        "external_id": external_id, "name": customer.name, "email": customer.email,
        "company": customer.company, "phone": customer.phone, "time_zone": customer.time_zone,
        "language": customer.user.language if customer.user_id else "",
        "has_login": customer.user_id is not None,
    }


@router.put("/{external_id}", response={200: CustomerOut, 201: CustomerOut, ERROR_CODES: Problem},
            summary="Crear o actualizar un cliente")
def customer_put(request, external_id: str, payload: CustomerIn):
    key = require(request, "customers", "write")
    customer, created = services.customer_upsert(
        key.integration, external_id, services.CustomerData(**payload.dict()))
    return Status(201 if created else 200, customer_out(customer, external_id.strip()))


@router.get("/{external_id}", response={200: CustomerOut, ERROR_CODES: Problem},
            summary="Un cliente")
def customer_get(request, external_id: str):
    key = require(request, "customers", "read")
    customer = services.customer_by_external_id(key.integration, external_id)
    if customer is None:
        raise not_found()
    return Status(200, customer_out(customer, external_id))
