"""The public status page and feed, the contact forms without an account,
the client-area bits (follow an incident, support PIN) and the console
(incidents, ticket links, PIN checks). Views stay thin."""

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from ventanilla.core import ratelimit
from ventanilla.core.ids import parse_id
from ventanilla.tickets import access as ticket_access
from ventanilla.tickets.console_views import MAX_PAGE_SIZE, console_required
from ventanilla.tickets.models import Ticket
from ventanilla.tickets.portal_views import customer_required

from . import access, selectors, services, state
from .forms import (
    AbuseForm,
    AbuseNoticeForm,
    CannotLoginForm,
    IncidentForm,
    IncidentUpdateForm,
    PinCheckForm,
    PresalesForm,
)
from .models import ContactRequest, Incident

RECEIPT_SALT = "ventanilla.status.contact-receipt"


# --- Public status page --------------------------------------------------------

def status_page(request):
    return render(request, "status/status_page.html", selectors.status_page())


def incident_detail(request, incident_id: int):
    incident = access.incident_for_public(incident_id)
    customer = request.user.customer_account if request.user.is_authenticated else None
    following = bool(customer) and incident.followers.filter(customer=customer).exists()
    return render(request, "status/incident_detail.html", {
        "incident": incident, "customer": customer, "following": following,
    })


@require_POST
@customer_required
def incident_follow(request, incident_id: int):
    incident = access.incident_for_public(incident_id)
    if request.POST.get("unfollow"):
        services.incident_unfollow(incident, request.customer)
        messages.success(request, _("Ya no sigues este incidente."))
    else:
        try:
            services.incident_follow(incident, request.customer)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _(
                "Sigues este incidente: te avisaremos de cada novedad en «Avisos» y, si lo "
                "tienes activado, por correo. No hace falta abrir un ticket."))
    return redirect("status:incident_detail", incident_id=incident.pk)


# --- Contact without an account --------------------------------------------------

def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _contact(request, *, form_class, template, submit, context=None):
    """The three public forms: spam checks, limits, service, receipt."""
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, request.FILES)
        if form.is_valid():
            usages, refusal = _contact_allowance(request, form.cleaned_data)
            if refusal:
                form.add_error(None, refusal)
                status = 429
            else:
                try:
                    contact = submit(form.cleaned_data, ip=_client_ip(request))
                except ValidationError as error:
                    for usage in usages:
                        usage.refund()
                    form.add_error(None, error)
                except Exception:
                    for usage in usages:
                        usage.refund()
                    raise
                else:
                    token = signing.dumps(contact.pk, salt=RECEIPT_SALT)
                    return redirect(reverse("status:contact_received") + f"?r={token}")
        else:
            status = 400
    else:
        form = form_class()
    return render(request, template, {
        "form": form, "files_lost": bool(request.FILES) and bool(form.errors), **(context or {}),
    }, status=status)


def _contact_allowance(request, data) -> tuple[list[ratelimit.Usage], str]:
    """Only accepted submissions count, across the three forms: per address
    (VENTANILLA_CONTACT_RATE, 30/h, so an office behind one address keeps
    working) and per email or account identifier (VENTANILLA_CONTACT_EMAIL_RATE,
    5/h). Invalid, spam and refused submissions cost nothing. The uses
    taken, or the reason for refusing."""
    limits = settings.VENTANILLA_STATUS
    by_address = ratelimit.consume("contact-form", _client_ip(request) or "unknown",
                                   limits.get("CONTACT_RATE", ""))
    if by_address is None:
        return [], _("Recibimos demasiadas solicitudes desde tu conexión. Espera un rato y vuelve "
                     "a enviarla; no se perdió nada de lo que escribiste.")
    sender = str(data.get("email") or data.get("identifier") or "").strip().lower()
    if not sender:
        return [by_address], ""
    by_sender = ratelimit.consume("contact-form-sender", sender, limits.get("CONTACT_EMAIL_RATE", ""))
    if by_sender is None:
        by_address.refund()
        return [], _("Recibimos demasiadas solicitudes con este correo o cuenta. Espera un rato y "
                     "vuelve a enviarla; no se perdió nada de lo que escribiste.")
    return [by_address, by_sender], ""


def contact_cannot_login(request):
    return _contact(request, form_class=CannotLoginForm, template="status/contact_cannot_login.html",
                    submit=lambda data, ip: services.contact_cannot_login(
                        name=data["name"], identifier=data["identifier"],
                        description=data["description"], ip=ip))


def contact_presales(request):
    return _contact(request, form_class=PresalesForm, template="status/contact_presales.html",
                    submit=lambda data, ip: services.contact_presales(
                        name=data["name"], email=data["email"], company=data["company"],
                        body=data["body"], ip=ip))


def contact_abuse(request):
    return _contact(request, form_class=AbuseForm, template="status/contact_abuse.html",
                    submit=lambda data, ip: services.contact_abuse(
                        name=data["name"], email=data["email"], abuse_type=data["abuse_type"],
                        target=data["target"], evidence=data["evidence"],
                        files=data["attachments"], ip=ip),
                    context={"guidance": services.abuse_guidance()})


def contact_received(request):
    """The receipt: the ticket number, from a signed link (no login)."""
    try:
        pk = signing.loads(request.GET.get("r", ""), salt=RECEIPT_SALT, max_age=3600)
    except signing.BadSignature as error:
        raise Http404 from error
    contact = ContactRequest.objects.select_related("ticket").filter(pk=pk).first()
    if contact is None:
        raise Http404
    return render(request, "status/contact_received.html", {"contact": contact})


# --- Client area -------------------------------------------------------------------

@require_POST
@customer_required
def pin_rotate(request):
    services.pin_rotate(request.customer)
    messages.success(request, _("Generamos un PIN de soporte nuevo; el anterior ya no sirve."))
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect("notifications:list")


# --- Console ----------------------------------------------------------------------

@console_required
def console_incidents(request):
    return render(request, "status/console_incidents.html", {
        "open": list(selectors.open_incidents().prefetch_related("components")),
        "recent": list(Incident.objects.exclude(status__in=list(state.OPEN_STATUSES))
                       .prefetch_related("components").order_by("-updated_at")[:20]),
        "may_publish": access.may_publish_incidents(request.user),
    })


@console_required
def console_incident_new(request):
    access.require_publisher(request.user)
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_publish(
                author=request.user, kind=data["kind"], title=data["title"],
                impact=data["impact"] or Incident.Impact.MAINTENANCE, components=list(data["components"]),
                body=data["body"], scheduled_start=data["scheduled_start"],
                scheduled_end=data["scheduled_end"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Publicado en la página de estado; avisamos a los clientes afectados."))
            return redirect("status:console_incident", incident_id=incident.pk)
    return render(request, "status/console_incident_new.html", {"form": form})


def _render_console_incident(request, incident, form=None):
    links = (incident.ticket_links.select_related("ticket__customer", "ticket__department")
             .order_by("-created_at"))
    return render(request, "status/console_incident.html", {
        "incident": incident,
        "updates": incident.updates.select_related("author"),
        "links": links,
        "affected_count": selectors.affected_customers(incident).count(),
        "form": form or IncidentUpdateForm(incident),
        "may_publish": access.may_publish_incidents(request.user),
    })


@console_required
def console_incident(request, incident_id: int):
    incident = access.incident_for_console(request.user, incident_id)
    if request.method == "POST":
        access.require_publisher(request.user)
        form = IncidentUpdateForm(incident, request.POST)
        if form.is_valid():
            try:
                update = services.incident_update(
                    incident, author=request.user, status=form.cleaned_data["status"],
                    body=form.cleaned_data["body"], post_to_tickets=form.cleaned_data["post_to_tickets"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, ngettext(
                    "Actualización publicada (y enviada a %(n)s ticket vinculado).",
                    "Actualización publicada (y enviada a %(n)s tickets vinculados).",
                    update.posted_to_tickets) % {"n": update.posted_to_tickets}
                    if update.posted_to_tickets else _("Actualización publicada."))
                return redirect("status:console_incident", incident_id=incident.pk)
        return _render_console_incident(request, incident, form)
    return _render_console_incident(request, incident)


def _back(request, fallback):
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect(fallback)


@console_required
@require_POST
def console_link(request, incident_id: int, number: str):
    incident = access.incident_for_console(request.user, incident_id)
    ticket = ticket_access.ticket_for_agent(request.user, number)
    if request.POST.get("unlink"):
        services.incident_unlink_ticket(incident, ticket)
        messages.success(request, _("Ticket #%(number)s desvinculado de «%(title)s».")
                         % {"number": ticket.number, "title": incident.title})
    else:
        services.incident_link_ticket(incident, ticket, agent=request.user)
        messages.success(request, _("Ticket #%(number)s vinculado a «%(title)s».")
                         % {"number": ticket.number, "title": incident.title})
    return _back(request, reverse("console:ticket_detail", args=[ticket.number]))


@console_required
@require_POST
def console_link_pick(request, number: str):
    """The ticket sidebar's "link to another open incident" select."""
    incident_id = parse_id(request.POST.get("incident"))
    if incident_id is None:
        raise Http404
    return console_link(request, incident_id, number)


@console_required
@require_POST
def console_bulk_link(request):
    """From the queue's bulk actions: pick an incident, then link every
    selected ticket the agent may see."""
    numbers = request.POST.getlist("tickets")[:MAX_PAGE_SIZE]
    incident_id = parse_id(request.POST.get("incident"))
    if not numbers:
        messages.warning(request, _("Selecciona al menos un ticket para vincularlo."))
        return _back(request, reverse("console:queue"))
    if incident_id is None:
        return render(request, "status/console_bulk_link.html", {
            "numbers": numbers, "incidents": selectors.open_incidents(),
            "next": request.POST.get("next", ""),
        })
    incident = access.incident_for_console(request.user, incident_id)
    tickets = ticket_access.tickets_for_agent(request.user).filter(number__in=numbers)
    linked = sum(services.incident_link_ticket(incident, t, agent=request.user) for t in tickets)
    messages.success(request, ngettext(
        "Vinculaste %(count)s ticket a «%(title)s».", "Vinculaste %(count)s tickets a «%(title)s».",
        linked) % {"count": linked, "title": incident.title})
    return redirect("status:console_incident", incident_id=incident.pk)


@console_required
def console_abuse_notice(request, number: str):
    """From a ticket of Abuso y seguridad: notify the customer whose service
    the report is about (found from the reported URL or IP when it can be)."""
    ticket = ticket_access.ticket_for_agent(request.user, number)
    if ticket.department.slug != "abuso":
        raise Http404
    contact = ContactRequest.objects.filter(ticket=ticket).select_related("matched_customer").first()
    matched = contact.matched_customer if contact else None
    initial = {"customer_email": matched.email if matched else ""}
    if contact:
        initial.update(
            title=_("Reporte de abuso sobre %(target)s") % {"target": contact.target[:150]},
            body=_("Recibimos un reporte de %(type)s sobre %(target)s, alojado en tu cuenta. "
                   "Revísalo y respóndenos en cuanto lo hayas corregido.")
            % {"type": contact.get_abuse_type_display(), "target": contact.target})
    form = AbuseNoticeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.abuse_notice_send(form.cleaned_data["customer"], agent=request.user, ticket=ticket,
                                   title=form.cleaned_data["title"], body=form.cleaned_data["body"])
        messages.success(request, _("Aviso de abuso y seguridad enviado a %(customer)s.")
                         % {"customer": form.cleaned_data["customer"].name})
        return redirect("console:ticket_detail", number=ticket.number)
    return render(request, "status/console_abuse_notice.html", {
        "ticket": ticket, "contact": contact, "form": form})


@console_required
@require_POST
def console_pin_check(request, number: str):
    ticket: Ticket = ticket_access.ticket_for_agent(request.user, number)
    form = PinCheckForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.errors["pin"][0])
    else:
        try:
            check = services.pin_check(ticket.customer, agent=request.user, ticket=ticket,
                                       pin=form.cleaned_data["pin"].strip())
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(reverse("console:ticket_detail", args=[ticket.number]) + "#status-pin")
        if check.result == check.Result.OK and ticket.customer.unverified:
            messages.success(request, _(
                "PIN correcto: es el titular de la cuenta. La solicitud pasó a su historial."))
        elif check.result == check.Result.OK:
            messages.success(request, _("PIN correcto: es el titular de la cuenta."))
        elif check.result == check.Result.WRONG:
            messages.error(request, _("PIN incorrecto. No compartas datos de la cuenta."))
        else:
            messages.error(request, _(
                "Demasiados PIN incorrectos: la verificación está bloqueada durante %(minutes)s "
                "minutos.") % {"minutes": int(services.PIN_LOCK.total_seconds() // 60)})
    return redirect(reverse("console:ticket_detail", args=[ticket.number]) + "#status-pin")
