"""/api/v1/services: a customer's hosting services, upserted by external id."""

from ninja import Field, Router, Schema
from ninja.responses import Status

from ventanilla.accounts.models import Service

from .. import services
from ..models import ExternalRef
from .auth import require
from .errors import ERROR_CODES, Problem, not_found

router = Router(tags=["services"])



class ServiceIn(Schema):
    customer: str = Field(..., min_length=1, max_length=100,
                          description="Id externo del cliente dueño del servicio.")
    type: str = Field(..., json_schema_extra={"enum": Service.Type.values})
    name: str = Field(..., min_length=1, max_length=150)
    order_number: str = Field(..., min_length=1, max_length=20)
    domain: str = Field("", max_length=253)
    server_ip: str = Field("", max_length=45)
    status: str = Field(Service.Status.ACTIVE, json_schema_extra={"enum": Service.Status.values})


class ServiceOut(Schema):
    external_id: str
    customer: str | None
    type: str
    name: str
    order_number: str
    domain: str
    server_ip: str | None
    status: str


def service_out(integration, service: Service, external_id: str) -> dict:
    customers = services.ref_external_ids(integration, ExternalRef.Kind.CUSTOMER,
                                          [service.customer_id])
    return {
        "external_id": external_id, "customer": customers.get(service.customer_id),
        "type": service.type, "name": service.name, "order_number": service.order_number,
        "domain": service.domain, "server_ip": service.server_ip, "status": service.status,
    }


@router.put("/{external_id}", response={200: ServiceOut, 201: ServiceOut, ERROR_CODES: Problem},
            summary="Crear o actualizar un servicio")
def service_put(request, external_id: str, payload: ServiceIn):
    key = require(request, "services", "write")
    data = payload.dict()
    service, created = services.service_upsert(
        key.integration, external_id,
        services.ServiceData(customer_external_id=data.pop("customer"), **data),
    )
    return Status(201 if created else 200,
                  service_out(key.integration, service, external_id.strip()))


@router.get("/{external_id}", response={200: ServiceOut, ERROR_CODES: Problem},
            summary="Un servicio")
def service_get(request, external_id: str):
    key = require(request, "services", "read")
    service = services.service_by_external_id(key.integration, external_id)
    if service is None:
        raise not_found()
    return Status(200, service_out(key.integration, service, external_id))
