"""/api/v1/tickets and /api/v1/attachments: every write goes through
ventanilla.tickets.services, the functions the portal and the console use;
every read starts from the integration agent's tickets (tickets_for_agent),
so the API sees exactly what that agent sees and 404s the rest."""

import base64
import binascii
from datetime import datetime
from typing import Any, Literal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, UploadedFile
from ninja.responses import Status

from ventanilla.accounts.models import User
from ventanilla.fields import services as field_services
from ventanilla.tickets import services as ticket_services
from ventanilla.tickets.access import tickets_for_agent
from ventanilla.tickets.models import Attachment, Channel, Message, Ticket
from ventanilla.tickets.models import Status as TicketStatus
from ventanilla.tickets.selectors import RECENT_FIRST, keyset_page, portal_departments
from ventanilla.tickets.status import Role

from .. import services
from ..models import ExternalRef
from .auth import acting_agent, require
from .errors import ERROR_CODES, ApiError, Problem, not_found
from .idempotency import idempotent
from .ticket_fields import (
    ConsentOut,
    FieldValueOut,
    category_or_error,
    consent_rows,
    creation_form,
    field_rows,
    values_update,
)
from .types import Instant

router = Router(tags=["tickets"])
attachments_router = Router(tags=["attachments"])

StatusValue = Literal["abierto", "pendiente", "resuelto", "cerrado"]
PriorityValue = Literal["regular", "alta"]


# --- Schemas ---------------------------------------------------------------

class AttachmentIn(Schema):
    name: str = Field(..., min_length=1, max_length=255)
    content_base64: str = Field(..., min_length=1)


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    url: str


class MessageOut(Schema):
    id: int
    kind: str
    body: str
    author: str | None
    channel: str
    created_at: datetime
    attachments: list[AttachmentOut]


class CustomerRef(Schema):
    external_id: str | None
    name: str
    email: str


class TicketOut(Schema):
    number: str
    subject: str
    status: str
    priority: str
    department: str
    channel: str
    customer: CustomerRef
    assignee: str | None
    created_at: datetime
    updated_at: datetime


class TicketDetail(TicketOut):
    messages: list[MessageOut]
    category: int | None
    fields: list[FieldValueOut]
    consents: list[ConsentOut]


class TicketPage(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class IncidentIn(Schema):
    server_ip: str = Field("", max_length=45)
    order_number: str = Field("", max_length=20)
    service_name: str = Field("", max_length=150)
    started_at: Instant
    time_zone: str = Field("America/Mexico_City", max_length=64)
    diagnostics: str = ""


class TicketIn(Schema):
    customer: str = Field(..., min_length=1, max_length=100, description="Id externo del cliente.")
    subject: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1)
    department: str = Field(..., min_length=1, max_length=50, description="Identificador (slug).")
    service: str | None = Field(None, max_length=100, description="Id externo del servicio.")
    priority: PriorityValue = "regular"
    incident: IncidentIn | None = None
    attachments: list[AttachmentIn] = []
    category: int | None = Field(None, description="Id de la categoría (define sus campos).")
    fields: dict[str, Any] = Field(default_factory=dict, description=(
        'Datos de la categoría: {"<id del campo>": valor}. Texto, correo, dominio, URL, IP y '
        'opción: un texto; varias opciones: una lista; casilla: true/false; importe: '
        '{"amount": "499.00", "currency": "MXN"}; fecha: {"local": "2025-03-14T09:30", '
        '"tz": "America/Mexico_City"}.'))


class MessageIn(Schema):
    kind: Literal["reply", "note", "customer"] = Field(
        ..., description="reply: respuesta del agente; note: nota interna; "
                         "customer: mensaje del cliente (exige `customer`).")
    body: str = Field(..., min_length=1)
    customer: str | None = Field(None, max_length=100,
                                 description="Id externo del cliente que escribe (kind=customer).")
    status: StatusValue | None = None
    attachments: list[AttachmentIn] = []


class TicketPatch(Schema):
    status: StatusValue | None = None
    priority: PriorityValue | None = None
    department: str | None = Field(None, max_length=50)
    assignee: str | None = Field(None, max_length=254,
                                 description="Correo del agente; null quita la asignación.")
    fields: dict[str, Any] | None = Field(
        None, description="Solo los campos nombrados cambian; null vacía uno. Mismo formato que "
                          "al crear el ticket.")


class TicketFilters(Schema):
    status: StatusValue | None = None
    priority: PriorityValue | None = None
    department: str | None = Field(None, max_length=50)
    customer: str | None = Field(None, max_length=100, description="Id externo del cliente.")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(25, ge=1, le=100)


# --- Helpers ---------------------------------------------------------------

def _ticket_rows(integration, tickets: list[Ticket]) -> list[dict]:
    refs = services.ref_external_ids(integration, ExternalRef.Kind.CUSTOMER,
                                     {t.customer_id for t in tickets})
    return [
        {
            "number": t.number, "subject": t.subject, "status": t.status, "priority": t.priority,
            "department": t.department.slug, "channel": t.channel,
            "customer": {"external_id": refs.get(t.customer_id), "name": t.customer.name,
                         "email": t.customer.email},
            "assignee": t.assignee.email if t.assignee_id else None,
            "created_at": t.created_at, "updated_at": t.updated_at,
        }
        for t in tickets
    ]


def _attachment_row(attachment: Attachment) -> dict:
    return {"id": attachment.pk, "name": attachment.original_name,
            "content_type": attachment.content_type, "size": attachment.size,
            "url": f"/api/v1/attachments/{attachment.pk}"}


def _message_row(message: Message) -> dict:
    return {
        "id": message.pk, "kind": message.kind, "body": message.body,
        "author": message.author.email if message.author_id else None,
        "channel": message.channel, "created_at": message.created_at,
        "attachments": [_attachment_row(a) for a in message.attachments.all()],
    }


def _ticket_detail(integration, ticket: Ticket) -> dict:
    ticket = Ticket.objects.select_related("customer", "department", "assignee").get(pk=ticket.pk)
    messages = (ticket.messages.select_related("author").prefetch_related("attachments")
                .order_by("created_at", "id"))
    return {**_ticket_rows(integration, [ticket])[0],
            "messages": [_message_row(m) for m in messages], "category": ticket.category_id,
            "fields": field_rows(ticket), "consents": consent_rows(ticket)}


def _visible_ticket(request, number: str) -> Ticket:
    ticket = tickets_for_agent(acting_agent(request)).filter(number=number).first()
    if ticket is None:
        raise not_found()
    return ticket


def _customer(integration, external_id: str, field: str = "customer"):
    customer = services.customer_by_external_id(integration, external_id)
    if customer is None:
        raise ApiError(422, "unknown_customer",
                       _("No hay ningún cliente con el id «%(value)s».") % {"value": external_id},
                       [{"field": field, "code": "unknown_customer",
                         "message": _("Cliente desconocido.")}])
    return customer


def _department(slug: str, field: str = "department"):
    department = portal_departments().filter(slug=slug).first()
    if department is None:
        raise ApiError(422, "unknown_department",
                       _("No hay ningún departamento «%(value)s».") % {"value": slug},
                       [{"field": field, "code": "unknown_department",
                         "message": _("Departamento desconocido.")}])
    return department


def _files(request, attachments: list[AttachmentIn]) -> list[SimpleUploadedFile]:
    """Base64 attachments as uploads; their content is validated by the
    ticket services (ventanilla.tickets.attachments), like the portal's."""
    if not attachments:
        return []
    require(request, "attachments", "write")
    files = []
    for index, item in enumerate(attachments):
        try:
            content = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(422, "invalid_base64", _("El adjunto no está en base64 válido."),
                           [{"field": f"attachments.{index}.content_base64", "code": "invalid_base64",
                             "message": _("Base64 no válido.")}]) from None
        files.append(SimpleUploadedFile(item.name, content))
    return files


# --- Tickets ---------------------------------------------------------------

@router.get("", response={200: TicketPage, ERROR_CODES: Problem}, summary="Lista de tickets")
def ticket_list(request, filters: Query[TicketFilters]):
    """Most recently updated first; pass `next_cursor` back as `cursor` for the next page."""
    key = require(request, "tickets", "read")
    qs = tickets_for_agent(acting_agent(request))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.department:
        qs = qs.filter(department__slug=filters.department)
    if filters.customer:
        customer = services.customer_by_external_id(key.integration, filters.customer)
        qs = qs.filter(customer=customer) if customer else qs.none()
    qs = qs.select_related("customer", "department", "assignee").defer("incident_diagnostics")
    page = keyset_page(qs, RECENT_FIRST, cursor=filters.cursor, page_size=filters.limit)
    return Status(200, {"items": _ticket_rows(key.integration, page.rows),
                        "next_cursor": page.next_cursor})


@router.get("/{number}", response={200: TicketDetail, ERROR_CODES: Problem}, summary="Un ticket")
def ticket_get(request, number: str, customer: str | None = None):
    """With `customer`, 404 unless the ticket is that customer's."""
    key = require(request, "tickets", "read")
    ticket = _visible_ticket(request, number)
    if customer is not None:
        owner = services.customer_by_external_id(key.integration, customer)
        if owner is None or owner.pk != ticket.customer_id:
            raise not_found()
    return Status(200, _ticket_detail(key.integration, ticket))


@router.post("", response={201: TicketDetail, ERROR_CODES: Problem},
             summary="Abrir un ticket en nombre de un cliente")
def ticket_create(request, payload: TicketIn):
    key = require(request, "tickets", "write")

    def create():
        customer = _customer(key.integration, payload.customer)
        department = _department(payload.department)
        service = None
        if payload.service:
            service = services.service_by_external_id(key.integration, payload.service)
            if service is None or service.customer_id != customer.pk:
                raise ApiError(422, "unknown_service", _("Ese servicio no es de este cliente."),
                               [{"field": "service", "code": "unknown_service",
                                 "message": _("Servicio desconocido.")}])
        incident = None
        if payload.incident is not None:
            incident = ticket_services.IncidentDetails(**payload.incident.dict())
        category = category_or_error(payload.category, department)
        fields_form = creation_form(category, customer, payload.fields)
        with transaction.atomic():  # the ticket and its field values, or neither
            ticket = ticket_services.ticket_create(
                customer=customer, requester=customer.user, subject=payload.subject,
                body=payload.body, department=department, category=category, service=service,
                priority=payload.priority, channel=Channel.API, incident=incident,
                files=_files(request, payload.attachments),
            )
            field_services.ticket_values_save(ticket, fields_form)
        return 201, _json(TicketDetail, _ticket_detail(key.integration, ticket))

    return Status(*idempotent(request, payload.dict(), create))


def _message_create(request, ticket: Ticket, payload, files) -> tuple[int, dict]:
    key = request.auth
    if payload.kind == "customer":
        if not payload.customer:
            raise ApiError(422, "validation_error", _("Falta el cliente que escribe."),
                           [{"field": "customer", "code": "missing",
                             "message": _("Este campo es obligatorio.")}])
        owner = services.customer_by_external_id(key.integration, payload.customer)
        if owner is None or owner.pk != ticket.customer_id:
            raise not_found()
        message = ticket_services.ticket_customer_reply(
            ticket, author=owner.user, body=payload.body, files=files, channel=Channel.API)
    else:
        message = ticket_services.ticket_agent_reply(
            ticket, agent=acting_agent(request), body=payload.body, files=files,
            internal=payload.kind == "note", status=payload.status, channel=Channel.API)
    message = Message.objects.select_related("author").prefetch_related("attachments").get(
        pk=message.pk)
    return 201, _json(MessageOut, _message_row(message))


@router.post("/{number}/messages", response={201: MessageOut, ERROR_CODES: Problem},
             summary="Responder, añadir una nota interna o un mensaje del cliente")
def message_create(request, number: str, payload: MessageIn):
    require(request, "tickets", "write")
    ticket = _visible_ticket(request, number)
    return Status(*idempotent(
        request, {"number": number, **payload.dict()},
        lambda: _message_create(request, ticket, payload, _files(request, payload.attachments)),
    ))


class MessageForm(Schema):
    kind: Literal["reply", "note", "customer"]
    body: str = Field(..., min_length=1)
    customer: str | None = Field(None, max_length=100)
    status: StatusValue | None = None


@router.post("/{number}/messages/upload", response={201: MessageOut, ERROR_CODES: Problem},
             summary="Lo mismo con archivos en multipart/form-data (para adjuntos grandes)")
def message_upload(request, number: str, payload: Form[MessageForm],
                   files: File[list[UploadedFile]] = None):
    """Files are streamed to disk instead of inflating a JSON body by a third
    (base64); each is validated by content like any upload."""
    require(request, "tickets", "write")
    if files:
        require(request, "attachments", "write")
    ticket = _visible_ticket(request, number)
    names = [(f.name, f.size) for f in files or []]
    return Status(*idempotent(
        request, {"number": number, **payload.dict(), "files": names},
        lambda: _message_create(request, ticket, payload, list(files or [])),
    ))


@router.patch("/{number}", response={200: TicketDetail, ERROR_CODES: Problem},
              summary="Cambiar estado, prioridad, departamento o asignación")
def ticket_patch(request, number: str, payload: TicketPatch):
    key = require(request, "tickets", "write")
    agent = acting_agent(request)
    ticket = _visible_ticket(request, number)
    sent = payload.model_fields_set
    with transaction.atomic():
        if payload.department is not None or payload.priority is not None:
            department = _department(payload.department) if payload.department else None
            ticket = ticket_services.ticket_update_fields(
                ticket, agent=agent, department=department, priority=payload.priority)
        if "assignee" in sent:
            assignee = None
            if payload.assignee:
                assignee = User.objects.filter(email__lower=payload.assignee.lower(),
                                               is_active=True).first()
                if assignee is None or not (assignee.is_agent or assignee.is_superuser):
                    raise ApiError(422, "unknown_agent", _("No hay ningún agente con ese correo."),
                                   [{"field": "assignee", "code": "unknown_agent",
                                     "message": _("Agente desconocido.")}])
            ticket = ticket_services.ticket_assign(ticket, actor=agent, assignee=assignee)
        if payload.status is not None:
            ticket = ticket_services.ticket_status_set(ticket, actor=agent, role=Role.AGENT,
                                                       status=TicketStatus(payload.status))
        if payload.fields:
            values_update(ticket, agent, payload.fields)
    return Status(200, _ticket_detail(key.integration, ticket))


def _json(schema, data: dict) -> dict:
    """A response body as stored for idempotent replays."""
    return schema.model_validate(data).model_dump(mode="json")


# --- Attachments -----------------------------------------------------------

@attachments_router.get("/{attachment_id}", response={200: None, ERROR_CODES: Problem},
                        summary="Descargar un adjunto", openapi_extra={
                            "responses": {200: {"description": "El archivo",
                                                "content": {"application/octet-stream": {}}}}})
def attachment_download(request, attachment_id: int):
    require(request, "attachments", "read")
    agent = acting_agent(request)
    attachment = (Attachment.objects.select_related("message")
                  .filter(pk=attachment_id,
                          message__ticket__in=tickets_for_agent(agent)).first())
    if attachment is None:
        raise not_found()
    try:
        with attachment.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise not_found() from None
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response



