"""The notification center in the client area. (The billing system's events
endpoint is in ventanilla/integrations/api/billing.py.)"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.core.ids import parse_id
from ventanilla.tickets.portal_views import customer_required

from . import selectors, services
from .forms import PreferencesForm
from .links import notice_link_allowed


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
    # The url was set by us or by a billing integration (e.g. its invoice
    # page): only to this site or the provider's own domains.
    if notification.url and notice_link_allowed(notification.url):
        return redirect(notification.url)
    return redirect("notifications:list")


@require_POST
@customer_required
def notifications_read(request):
    ids = [i for i in map(parse_id, request.POST.getlist("ids")) if i is not None] or None
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
