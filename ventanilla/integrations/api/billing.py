"""/api/v1/billing-events: the billing system's events (invoice issued,
order confirmed, payment failed) become billing notifications for the
customer, through ventanilla.notifications.services.billing_event_receive.

A repeated event `id` is stored once (the billing system's own retries are
harmless, even without Idempotency-Key); Idempotency-Key works as on every
other create. The older /api/v1/facturacion/eventos/ (legacy_billing_events)
keeps its request and response format, with the same keys."""

import json
from datetime import datetime
from typing import Any, Literal

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from ninja import Field, Router, Schema
from ninja.responses import Status

from ventanilla.notifications import services as notification_services
from ventanilla.notifications.links import notice_link_domains
from ventanilla.notifications.models import BillingEvent

from .auth import ApiKeyAuth, require
from .errors import ERROR_CODES, ApiError, Problem, not_found
from .idempotency import idempotent

router = Router(tags=["billing-events"])

SCOPE = ("billing_events", "write")
MAX_EVENT_BYTES = 64 * 1024


class CustomerRefIn(Schema):
    external_id: str | None = Field(None, max_length=100,
                                    description="Id del cliente en el sistema de facturación.")
    email: str | None = Field(None, max_length=254)


class BillingEventIn(Schema):
    id: str = Field(..., min_length=1, max_length=100,
                    description="Id del evento en el sistema de facturación: un reintento con el "
                                "mismo id no crea otro aviso.")
    type: Literal["invoice.issued", "order.confirmed", "payment.failed"]
    customer: CustomerRefIn
    data: dict[str, Any] = Field(
        default_factory=dict,
        description="number, amount, currency, url (enlace a la factura o el pedido).")


class BillingEventOut(Schema):
    id: str
    type: str
    created: bool
    received_at: datetime


def _problem(error: notification_services.BillingEventError) -> ApiError:
    messages = {
        "unknown_customer": _("No conocemos a ese cliente (ni por id externo ni por correo)."),
        "unknown_type": _("Tipo de evento no admitido."),
        "missing": _("Este campo es obligatorio."),
        "not_an_object": _("Se esperaba un objeto JSON."),
        "link_too_long": _("El enlace es demasiado largo (500 caracteres como máximo)."),
        "link_not_allowed": _("El enlace debe ser una página de este sitio o de uno de tus "
                              "dominios (%(domains)s).") % {"domains": ", ".join(notice_link_domains())},
    }
    message = messages.get(error.code, _("Valor no válido."))
    return ApiError(422, error.code, message,
                    [{"field": error.field, "code": error.code, "message": message}])


def event_out(event: BillingEvent, created: bool) -> dict:
    return {"id": event.external_id, "type": event.type, "created": created,
            "received_at": event.received_at.isoformat()}


@router.post("", response={200: BillingEventOut, 201: BillingEventOut, ERROR_CODES: Problem},
             summary="Recibir un evento de facturación")
def billing_event_create(request, payload: BillingEventIn):
    """201 with a new notification for the customer; 200 if that event `id`
    was already received (nothing new is sent)."""
    key = require(request, *SCOPE)
    data = payload.dict()
    data["customer"] = {k: v for k, v in data["customer"].items() if v}

    def create():
        try:
            event, created = notification_services.billing_event_receive(key.integration, data)
        except notification_services.BillingEventError as error:
            raise _problem(error) from None
        return (201 if created else 200), event_out(event, created)

    status, body = idempotent(request, data, create)
    return Status(status, body)


@router.get("/{event_id}", response={200: BillingEventOut, ERROR_CODES: Problem},
            summary="Un evento de facturación recibido")
def billing_event_get(request, event_id: str):
    key = require(request, "billing_events", "read")
    event = BillingEvent.objects.filter(integration=key.integration, external_id=event_id).first()
    if event is None:
        raise not_found()
    return Status(200, event_out(event, False))


@csrf_exempt
@require_POST
def legacy_billing_events(request):
    """POST /api/v1/facturacion/eventos/: the first version of the endpoint,
    kept for billing systems already set up (same body, same answers:
    {"id", "created"} or {"error"}); authenticated by an integrations API key
    with the billing_events:write scope. See docs/status.md."""
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    try:
        key = ApiKeyAuth().authenticate(request, token) if token else None
    except ApiError as error:  # rate limited
        response = JsonResponse({"error": error.detail}, status=error.status)
        for name, value in error.headers.items():
            response[name] = value
        return response
    if key is None:
        return JsonResponse({"error": "Invalid or missing API key."}, status=401)
    if not key.allows(f"{SCOPE[0]}:{SCOPE[1]}"):
        return JsonResponse({"error": "This key lacks the billing_events:write scope."}, status=403)
    if len(request.body) > MAX_EVENT_BYTES:
        return JsonResponse({"error": "Event too large."}, status=413)
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "The body is not valid JSON."}, status=400)
    try:
        event, created = notification_services.billing_event_receive(key.integration, data)
    except notification_services.BillingEventError as error:
        return JsonResponse({"error": str(error)}, status=422)
    return JsonResponse({"id": event.external_id, "created": created},
                        status=201 if created else 200)
