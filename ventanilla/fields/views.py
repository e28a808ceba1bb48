"""Views of the fields app. Short: access check, form, service, render or
redirect. Tickets are fetched only through tickets.access (404 otherwise)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ventanilla.core import ratelimit
from ventanilla.tickets.access import ticket_for_agent, ticket_for_customer
from ventanilla.tickets.console_views import console_required
from ventanilla.tickets.portal_views import customer_required

from . import selectors, services
from .forms import (
    ActionDoneForm,
    ConsentAnswerForm,
    ConsentRequestForm,
    category_fields_form,
    ticket_values_form,
)
from .models import ConsentChannel

# --- Client area -------------------------------------------------------------


@customer_required
def portal_category_fields(request):
    """htmx: the picked category's guidance and fields for the new-ticket
    form. What the customer already typed in fields that stay is kept."""
    category = selectors.portal_category(request.GET.get("category"))
    form = category_fields_form(category, customer=request.customer)
    form.initial = {
        name: field.widget.value_from_datadict(request.GET, {}, form.add_prefix(name))
        for name, field in form.fields.items()
    }
    return render(request, "fields/_ticket_new_fields.html#box", {"fields_form": form})


@login_required
@require_POST
def portal_consent_answer(request, number, request_id: int):
    ticket = ticket_for_customer(request.user, number)
    consent = _ticket_consent(ticket, request_id)
    form = ConsentAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Elige Autorizo o No autorizo."))
    else:
        try:
            answer = services.consent_answer(
                consent, decision=form.cleaned_data["decision"], channel=ConsentChannel.PORTAL,
                user=request.user, ip_address=request.META.get("REMOTE_ADDR"))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _answered_message(answer))
    return redirect("portal:ticket_detail", number=ticket.number)


def _ticket_consent(ticket, request_id: int):
    consent = next((c for c in selectors.ticket_consent_requests(ticket) if c.pk == request_id),
                   None)
    if consent is None:
        raise Http404
    return consent


def _answered_message(answer) -> str:
    if answer.authorized:
        return _("Gracias: registramos tu autorización. El equipo de soporte ya puede continuar.")
    return _("Registramos que no autorizas esta acción; el equipo de soporte no la realizará.")


# --- The signed link of the email -------------------------------------------


@require_http_methods(["GET", "POST"])
def consent_link(request, token):
    """Opening the link shows the action and the two buttons; only the POST
    records (mail scanners open links in emails on their own)."""
    rate = settings.VENTANILLA_FIELDS["CONSENT_LINK_RATE"]
    client = request.META.get("REMOTE_ADDR", "")
    # Counted: bad links and answers (a good link only opened is given back).
    usage = ratelimit.consume("consent-link", client, rate)
    if usage is None:
        return render(request, "fields/consent_link.html", {"error": _(
            "Demasiados intentos. Espera un poco y vuelve a intentarlo.")}, status=429)
    try:
        consent = services.consent_from_token(token)
    except services.ConsentLinkError as error:
        return render(request, "fields/consent_link.html", {"error": error.messages[0]},
                      status=400)
    if request.method != "POST":
        usage.refund()
    answered = None
    if request.method == "POST":
        form = ConsentAnswerForm(request.POST)
        if form.is_valid():
            user = request.user if request.user.is_authenticated else None
            if user is not None and consent.ticket.customer.user_id != user.pk:
                user = None  # someone else's session: the answer is the link's
            try:
                answered = services.consent_answer(
                    consent, decision=form.cleaned_data["decision"], channel=ConsentChannel.EMAIL,
                    user=user, ip_address=client or None)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
    row = selectors.ConsentRow(consent, selectors.consent_state(_reloaded(consent)))
    return render(request, "fields/consent_link.html", {
        "row": row, "token": token, "ticket": consent.ticket,
        "answered_message": _answered_message(answered) if answered else "",
    })


def _reloaded(consent):
    return type(consent).objects.select_related("answer").get(pk=consent.pk)


# --- Console -----------------------------------------------------------------


@console_required
@require_http_methods(["GET", "POST"])
def console_values_edit(request, number):
    ticket = ticket_for_agent(request.user, number)
    form = ticket_values_form(ticket, data=request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        changed = services.ticket_values_update(ticket, agent=request.user, form=form)
        if request.htmx:  # the sidebar's card again, saved: focused and announced
            return render(request, "fields/_ticket_sidebar.html#values", {
                "ticket": ticket, "panel": {"values": selectors.ticket_values(ticket)},
                "announce": _("Datos guardados") if changed else _("No cambió ningún dato."),
            })
        if changed:
            messages.success(request, _("Datos de la categoría actualizados."))
        else:
            messages.info(request, _("No cambió ningún dato."))
        return redirect("console:ticket_detail", number=ticket.number)
    template = "fields/console_values_edit.html"
    if request.htmx:
        template += "#panel"  # opened (or sent with errors) in place of the sidebar's card
    return render(request, template, {
        "ticket": ticket, "form": form, "changes": selectors.ticket_field_changes(ticket)})


@console_required
@require_http_methods(["GET", "POST"])
def console_consent_new(request, number):
    ticket = ticket_for_agent(request.user, number)
    form = ConsentRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_request_create(ticket, agent=request.user,
                                            action=form.cleaned_data["action"],
                                            kind=form.cleaned_data["kind"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Pedimos la autorización al cliente por correo; también "
                                        "la verá destacada en su ticket."))
            return redirect("console:ticket_detail", number=ticket.number)
    return _console_consent_page(request, ticket, request_form=form)


@console_required
@require_http_methods(["GET", "POST"])
def console_action_done(request, number):
    """Record an action that needed consent; refused without an accepted one."""
    ticket = ticket_for_agent(request.user, number)
    form = ActionDoneForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_action_done(ticket, agent=request.user, kind=form.cleaned_data["kind"],
                                         note=form.cleaned_data["note"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Registramos la acción como realizada."))
            return redirect("console:ticket_detail", number=ticket.number)
    return _console_consent_page(request, ticket, done_form=form)


def _console_consent_page(request, ticket, *, request_form=None, done_form=None):
    template = "fields/console_consent.html"
    if request.htmx and request.method == "GET":
        template += "#panel"  # opened in place of the sidebar's card
    return render(request, template, {
        "ticket": ticket, "consents": selectors.consent_rows(ticket),
        "request_form": request_form or ConsentRequestForm(),
        "done_form": done_form or ActionDoneForm(),
        "focus": "hecha" if done_form is not None else "pedir",
    })
