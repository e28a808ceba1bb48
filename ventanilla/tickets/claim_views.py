"""Requests strangers wrote in an account's name (tickets.verification):
the confirm page of the link sent to the registered address (public: the
link is the proof; confirming takes a POST, because mail scanners open
every link) and the client area's "Solicitudes a tu nombre", where a
logged-in customer claims them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import verification
from .portal_views import customer_required


@require_http_methods(["GET", "POST"])
def unverified_confirm(request, token: str):
    try:
        found = verification.ticket_for_confirm_token(token)
    except verification.ConfirmLinkExpired:
        return render(request, "portal/unverified_confirm.html", {"expired": True}, status=410)
    if found is None:
        raise Http404
    ticket, account = found
    holder = ticket.customer
    if ticket.customer_id == account.pk:
        return render(request, "portal/unverified_confirm.html", {
            "ticket": ticket, "account": account, "done": True})
    if not holder.unverified or holder.unverified_for_id != account.pk:
        raise Http404
    if request.method == "POST":
        try:
            verification.ticket_verify(ticket, account=account, how="enlace")
        except ValidationError:
            raise Http404 from None  # verified or moved meanwhile
        return render(request, "portal/unverified_confirm.html", {
            "ticket": ticket, "account": account, "done": True, "just_confirmed": True})
    return render(request, "portal/unverified_confirm.html", {
        "ticket": ticket, "account": account, "first": verification.first_message(ticket)})


@customer_required
def unverified_list(request):
    return render(request, "portal/unverified_list.html", {
        "pending": list(verification.pending_for(request.customer)),
    })


@require_POST
@customer_required
def unverified_claim(request, number: str):
    ticket = verification.pending_for(request.customer).filter(number=number).first()
    if ticket is None:
        raise Http404
    try:
        verification.ticket_verify(ticket, account=request.customer, how="sesion",
                                   actor=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("portal:unverified_list")
    messages.success(request, _("La solicitud #%(number)s ya está en tu historial de tickets.")
                     % {"number": ticket.number})
    return redirect("portal:ticket_detail", number=ticket.number)
