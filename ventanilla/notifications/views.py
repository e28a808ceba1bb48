"""The notification center in the client area, and the billing system's
events endpoint."""

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ventanilla.tickets.portal_views import customer_required

from . import selectors, services
from .forms import PreferencesForm

MAX_EVENT_BYTES = 64 * 1024


@customer_required
def notification_list(request):
    customer = request.customer
    page = Paginator(selectors.customer_notifications(customer), selectors.PAGE_SIZE).get_page(
        request.GET.get("pagina"))
    form = PreferencesForm(current=selectors.preferences_for(customer))
    return render(request, "notifications/list.html", {
        "page": page, "preferences_form": form, "customer": customer,
    })


@customer_required
def notification_open(request, notification_id: int):
    """Mark one notification read and go where it points."""
    notification = selectors.notification_for_customer(request.customer, notification_id)
    if notification is None:
        raise Http404
    services.notifications_mark_read(request.customer, ids=[notification.pk])
    # The url was set by us or by a billing integration (e.g. its invoice page).
    return redirect(notification.url or "notifications:list")


@require_POST
@customer_required
def notifications_read(request):
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()] or None
    count = services.notifications_mark_read(request.customer, ids=ids)
    if count:
        messages.success(request, _("Marcamos tus avisos como leídos."))
    return redirect("notifications:list")


@require_POST
@customer_required
def preferences_save(request):
    form = PreferencesForm(request.POST, current=selectors.preferences_for(request.customer))
    if form.is_valid():
        services.preferences_set(request.customer, email_by_kind=form.cleaned_data)
        messages.success(request, _("Guardamos tus preferencias de correo."))
    return redirect("notifications:list")


@csrf_exempt
@require_POST
def billing_events(request):
    """POST /api/v1/facturacion/eventos/ with `Authorization: Bearer <key>`
    and a JSON event; see docs/status.md."""
    header = request.headers.get("Authorization", "")
    key = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    integration = services.integration_for_key(key) if key else None
    if integration is None:
        return JsonResponse({"error": "Invalid or missing API key."}, status=401)
    if len(request.body) > MAX_EVENT_BYTES:
        return JsonResponse({"error": "Event too large."}, status=413)
    try:
        data = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "The body is not valid JSON."}, status=400)
    try:
        event, created = services.billing_event_receive(integration, data)
    except services.BillingEventError as error:
        return JsonResponse({"error": str(error)}, status=422)
    return JsonResponse({"id": event.external_id, "created": created},
                        status=201 if created else 200)
