"""/api/v1/status: components, incidents and scheduled maintenance.

A component's state is not stored: it is the worst impact among the
incidents open on it (ventanilla.status.state). So the API changes a state
the way the console does, by publishing an incident or a maintenance on
the component and moving it with updates. Every write goes through
ventanilla.status.services (incident_publish, incident_update): customers are
told, the client-area banners follow, linked tickets get the update and the
incident.updated webhook fires exactly as from the console.

Components hidden from the public status page are listed only with
`include_internal=true`."""

from datetime import datetime
from typing import Annotated, Literal

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from ventanilla.status import services as status_services
from ventanilla.status import state
from ventanilla.status.access import may_publish_incidents
from ventanilla.status.models import Component, Incident, IncidentTicket, IncidentUpdate
from ventanilla.status.selectors import incident_span
from ventanilla.tickets.access import tickets_for_agent
from ventanilla.tickets.selectors import keyset_page

from .auth import acting_agent, require
from .errors import ERROR_CODES, ApiError, Problem, not_found
from .types import Instant

router = Router(tags=["status"])

NEWEST_FIRST = (("created_at", True), ("id", True))
ComponentStateValue = Literal["operativo", "mantenimiento", "degradado", "parcial", "total"]
KindValue = Literal["incidente", "mantenimiento"]
IncidentStatusValue = Literal["investigando", "identificado", "monitorizando", "resuelto",
                              "programado", "en_curso", "completado", "cancelado"]
ImpactValue = Literal["degradado", "parcial", "total", "mantenimiento"]
PK = Path(..., ge=1, le=2**31 - 1)
ComponentId = Annotated[int, Field(ge=1, le=2**31 - 1)]


class ComponentOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    public: bool
    state: ComponentStateValue
    open_incidents: list[int] = Field(..., description="Ids de los incidentes que lo afectan ahora.")


class UpdateOut(Schema):
    status: IncidentStatusValue
    body: str
    author: str | None
    created_at: datetime
    posted_to_tickets: int


class IncidentOut(Schema):
    id: int
    kind: KindValue
    title: str
    status: IncidentStatusValue
    impact: ImpactValue
    components: list[int]
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    scheduled_start: datetime | None
    scheduled_end: datetime | None


class IncidentDetail(IncidentOut):
    updates: list[UpdateOut]
    tickets: list[str] = Field(..., description="Números de los tickets vinculados que ve el agente.")
    allowed_statuses: list[IncidentStatusValue]


class IncidentPage(Schema):
    items: list[IncidentOut]
    next_cursor: str | None


class IncidentFilters(Schema):
    kind: KindValue | None = None
    status: IncidentStatusValue | None = None
    open: bool | None = Field(None, description="Solo abiertos (true) o solo terminados (false).")
    component: int | None = Field(None, ge=1, le=2**31 - 1)
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(25, ge=1, le=100)


class IncidentIn(Schema):
    kind: KindValue = "incidente"
    title: str = Field(..., min_length=1, max_length=200)
    impact: ImpactValue = Field("degradado", description="Se ignora en un mantenimiento.")
    components: list[ComponentId] = Field(..., min_length=1, max_length=100)
    body: str = Field(..., min_length=1, max_length=20_000, description="Primer mensaje.")
    scheduled_start: Instant | None = Field(None, description="Mantenimiento: obligatorio.")
    scheduled_end: Instant | None = Field(None, description="Mantenimiento: obligatorio.")


class UpdateIn(Schema):
    status: IncidentStatusValue = Field(
        ..., description="El mismo estado o uno permitido (`allowed_statuses`); «resuelto» o "
                         "«completado» cierran el incidente y resuelven sus tickets vinculados.")
    body: str = Field(..., min_length=1, max_length=20_000)
    post_to_tickets: bool = Field(False, description="Publicar también en los tickets vinculados.")


def _component_qs(include_internal: bool):
    qs = Component.objects.order_by("position", "name")
    return qs if include_internal else qs.filter(is_public=True)


def _component_rows(components: list[Component]) -> list[dict]:
    open_incidents = list(Incident.objects.filter(status__in=state.ACTIVE_STATUSES)
                          .prefetch_related("components"))
    spans = {i.pk: span for i in open_incidents if (span := incident_span(i)) is not None}
    current = state.current_states([c.pk for c in components], spans.values())
    return [{
        "id": c.pk, "name": c.name, "kind": c.kind, "description": c.description,
        "public": c.is_public, "state": current[c.pk],
        "open_incidents": [pk for pk, span in spans.items() if c.pk in span.component_ids],
    } for c in components]


def _incident_row(incident: Incident) -> dict:
    return {
        "id": incident.pk, "kind": incident.kind, "title": incident.title,
        "status": incident.status, "impact": incident.impact,
        "components": sorted(c.pk for c in incident.components.all()),
        "created_at": incident.created_at, "updated_at": incident.updated_at,
        "started_at": incident.started_at, "ended_at": incident.ended_at,
        "scheduled_start": incident.scheduled_start, "scheduled_end": incident.scheduled_end,
    }


def _incident(incident_id: int) -> Incident:
    incident = (Incident.objects.prefetch_related(
        "components", Prefetch("updates", queryset=IncidentUpdate.objects
                               .select_related("author").order_by("created_at", "id")))
        .filter(pk=incident_id).first())
    if incident is None:
        raise not_found()
    return incident


def _incident_detail(request, incident: Incident) -> dict:
    ticket_ids = IncidentTicket.objects.filter(incident=incident).values("ticket_id")
    numbers = (tickets_for_agent(acting_agent(request)).filter(pk__in=ticket_ids)
               .order_by("number").values_list("number", flat=True))
    return {
        **_incident_row(incident),
        "updates": [{"status": u.status, "body": u.body,
                     "author": u.author.email if u.author_id else None,
                     "created_at": u.created_at, "posted_to_tickets": u.posted_to_tickets}
                    for u in incident.updates.all()],
        "tickets": list(numbers),
        "allowed_statuses": state.allowed_statuses(incident.kind, incident.status),
    }


# --- Components ----------------------------------------------------------------

@router.get("/components", response={200: list[ComponentOut], ERROR_CODES: Problem},
            summary="Componentes y su estado actual")
def component_list(request, include_internal: bool = False):
    require(request, "status", "read")
    return Status(200, _component_rows(list(_component_qs(include_internal))))


@router.get("/components/{component_id}", response={200: ComponentOut, ERROR_CODES: Problem},
            summary="Un componente")
def component_get(request, component_id: int = PK, include_internal: bool = False):
    require(request, "status", "read")
    component = _component_qs(include_internal).filter(pk=component_id).first()
    if component is None:
        raise not_found()
    return Status(200, _component_rows([component])[0])


# --- Incidents and maintenance ---------------------------------------------------

@router.get("/incidents", response={200: IncidentPage, ERROR_CODES: Problem},
            summary="Incidentes y mantenimientos")
def incident_list(request, filters: Query[IncidentFilters]):
    """Newest first; pass `next_cursor` back as `cursor` for the next page."""
    require(request, "status", "read")
    qs = Incident.objects.prefetch_related("components")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.open is not None:
        qs = (qs.filter(status__in=state.OPEN_STATUSES) if filters.open
              else qs.exclude(status__in=state.OPEN_STATUSES))
    if filters.component:
        qs = qs.filter(components=filters.component)
    page = keyset_page(qs, NEWEST_FIRST, cursor=filters.cursor, page_size=filters.limit)
    return Status(200, {"items": [_incident_row(i) for i in page.rows],
                        "next_cursor": page.next_cursor})


@router.get("/incidents/{incident_id}", response={200: IncidentDetail, ERROR_CODES: Problem},
            summary="Un incidente o mantenimiento con sus actualizaciones")
def incident_get(request, incident_id: int = PK):
    require(request, "status", "read")
    return Status(200, _incident_detail(request, _incident(incident_id)))


def _require_publisher(agent) -> None:
    """The integration's agent must be one who may publish in the console
    (ventanilla.status.access.may_publish_incidents)."""
    if not may_publish_incidents(agent):
        raise ApiError(403, "not_a_publisher",
                       _("El agente de la integración no tiene permiso para publicar incidentes; "
                         "dáselo en el admin (permiso «Puede publicar incidentes…»)."))


@router.post("/incidents", response={201: IncidentDetail, ERROR_CODES: Problem},
             summary="Publicar un incidente o programar un mantenimiento")
def incident_create(request, payload: IncidentIn):
    """As the console's form: the customers of the affected components are told."""
    require(request, "status", "write")
    agent = acting_agent(request)
    _require_publisher(agent)
    wanted = set(payload.components)
    components = list(Component.objects.filter(pk__in=wanted))
    if len(components) != len(wanted):
        missing = sorted(wanted - {c.pk for c in components})
        raise ApiError(422, "unknown_component",
                       _("No hay ningún componente con el id «%(value)s».") % {"value": missing[0]},
                       [{"field": "components", "code": "unknown_component",
                         "message": _("Componente desconocido.")}])
    incident = status_services.incident_publish(
        author=agent, kind=payload.kind, title=payload.title,
        impact=(Incident.Impact.MAINTENANCE if payload.kind == Incident.Kind.MAINTENANCE
                else payload.impact),
        components=components, body=payload.body, scheduled_start=payload.scheduled_start,
        scheduled_end=payload.scheduled_end)
    return Status(201, _incident_detail(request, _incident(incident.pk)))


@router.post("/incidents/{incident_id}/updates",
             response={201: IncidentDetail, ERROR_CODES: Problem},
             summary="Actualizar (o resolver) un incidente o mantenimiento")
def incident_add_update(request, payload: UpdateIn, incident_id: int = PK):
    """As the console's update form; the incident.updated webhook fires."""
    require(request, "status", "write")
    agent = acting_agent(request)
    _require_publisher(agent)
    incident = _incident(incident_id)
    if not state.can_transition(incident.kind, incident.status, payload.status):
        raise ApiError(409, "invalid_transition",
                       _("Un incidente «%(from)s» no puede pasar a «%(to)s».")
                       % {"from": incident.get_status_display(),
                          "to": Incident.Status(payload.status).label},
                       [{"field": "status", "code": "invalid_transition",
                         "message": _("Estado no permitido.")}])
    status_services.incident_update(incident, author=agent, status=payload.status,
                                    body=payload.body, post_to_tickets=payload.post_to_tickets)
    return Status(201, _incident_detail(request, _incident(incident.pk)))
