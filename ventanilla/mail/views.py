"""The customer's "Direcciones de notificación" page and the confirmation
link. The link works without logging in: whoever reads that mailbox
confirms it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.tickets.portal_views import customer_required

from . import notification_addresses as addresses
from .forms import NotificationAddressForm


@customer_required
def notification_addresses(request):
    form = NotificationAddressForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            address = addresses.notification_address_add(
                request.customer, email=form.cleaned_data["email"], kind=form.cleaned_data["kind"])
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(request, _(
                "Te enviamos un enlace de confirmación a %(email)s. La dirección no recibirá "
                "nada hasta que lo abras (caduca en 3 días).") % {"email": address.email})
            return redirect("mail:addresses")
    return render(request, "mail/addresses.html", {
        "form": form, "customer": request.customer,
        "addresses": addresses.addresses_for_customer(request.customer),
    })


@require_POST
@customer_required
def address_remove(request, address_id):
    address = addresses.address_for_customer(request.customer, address_id)
    addresses.notification_address_remove(address)
    messages.success(request, _("Eliminamos %(email)s; ya no recibirá notificaciones de ese tipo.")
                     % {"email": address.email})
    return redirect("mail:addresses")


@require_POST
@customer_required
def address_resend(request, address_id):
    address = addresses.address_for_customer(request.customer, address_id)
    try:
        addresses.notification_address_resend(address)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Te enviamos un enlace de confirmación nuevo a %(email)s.")
                         % {"email": address.email})
    return redirect("mail:addresses")


def address_confirm(request, signature):
    """GET shows a button, POST confirms: link scanners that open every URL
    in an email must not confirm an address on their own."""
    try:
        address = addresses.address_for_signature(signature)
    except addresses.ConfirmationError as error:
        return render(request, "mail/confirm.html", {"error": str(error)}, status=400)
    if request.method == "POST":
        address = addresses.notification_address_confirm(address)
        return render(request, "mail/confirm.html", {"address": address, "confirmed": True})
    return render(request, "mail/confirm.html", {"address": address,
                                                 "confirmed": address.confirmed_at is not None})
