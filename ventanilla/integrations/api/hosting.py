"""/api/v1/services: a customer's hosting services, upserted by external id."""


from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from ventanilla.accounts.models import Service
from ventanilla.tickets.selectors import keyset_page

from .. import services
from ..models import ExternalRef
from .auth import require
from .customers import SYNC_ORDER, integration_objects
from .errors import ERROR_CODES, Problem, not_found
from .types import Instant

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


class ServicePage(Schema):
    items: list[ServiceOut]
    next_cursor: str | None


class ServiceFilters(Schema):
    external_id: str | None = Field(None, max_length=100)
    customer: str | None = Field(None, max_length=100, description="Id externo del cliente.")
    type: str | None = Field(None, max_length=32, json_schema_extra={"enum": Service.Type.values})
    status: str | None = Field(None, max_length=16,
                               json_schema_extra={"enum": Service.Status.values})
    updated_since: Instant | None = Field(
        None, description="Solo los cambiados desde esta fecha (ISO 8601), incluida.")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(25, ge=1, le=100)


def service_out(integration, service: Service, external_id: str, customers=None) -> dict:
    if customers is None:
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


@router.get("", response={200: ServicePage, ERROR_CODES: Problem}, summary="Lista de servicios")
def service_list(request, filters: Query[ServiceFilters]):
    """The services this integration has an external id for, oldest change
    first; pass `next_cursor` back as `cursor` for the next page."""
    key = require(request, "services", "read")
    qs = Service.objects.filter(
        pk__in=integration_objects(key.integration, ExternalRef.Kind.SERVICE, filters.external_id))
    if filters.customer:
        qs = qs.filter(customer__in=integration_objects(
            key.integration, ExternalRef.Kind.CUSTOMER, filters.customer))
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.updated_since:
        qs = qs.filter(updated_at__gte=filters.updated_since)
    page = keyset_page(qs, SYNC_ORDER, cursor=filters.cursor, page_size=filters.limit)
    refs = services.ref_external_ids(key.integration, ExternalRef.Kind.SERVICE,
                                     [s.pk for s in page.rows])
    customers = services.ref_external_ids(key.integration, ExternalRef.Kind.CUSTOMER,
                                          {s.customer_id for s in page.rows})
    return Status(200, {
        "items": [service_out(key.integration, s, refs[s.pk], customers) for s in page.rows],
        "next_cursor": page.next_cursor,
    })
