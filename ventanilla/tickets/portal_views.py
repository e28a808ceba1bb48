"""The customer portal ("Área de cliente"): dashboard, "Abrir ticket",
"Historial de tickets" and the ticket page.

Views stay short: access check, form, service, render or redirect. Every
view that takes a ticket number fetches it with access.ticket_for_customer,
so another customer's number (or an agent's visit) answers 404."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ventanilla.core.ids import parse_id
from ventanilla.core.sensitive import mask_sensitive, masked_notice
from ventanilla.core.time_zones import canonical_time_zone
from ventanilla.fields.forms import category_fields_form, new_ticket_fields_form
from ventanilla.fields.services import ticket_values_save

from . import selectors, services, verification
from .access import is_console_user, ticket_for_customer
from .allowance import ticket_create_consume
from .models import Channel, Priority, Status, Ticket
from .portal_forms import HistoryFilterForm, ReplyForm, TicketForm
from .services import TicketClosedError
from .status import Role
from .submissions import clean_token, new_token, submission_find, submission_record

HISTORY_PAGE_SIZE = 20
HISTORY_TABS = [
    (Status.OPEN, gettext_lazy("Abiertos")),
    (Status.PENDING, gettext_lazy("Pendientes")),
    (Status.RESOLVED, gettext_lazy("Resueltos")),
    (Status.CLOSED, gettext_lazy("Cerrados")),
]


def customer_required(view):
    """Portal pages are for users with a customer account. Agents go to
    their console; anyone else sees why the portal is not available."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        customer = request.user.customer_account
        if customer is None:
            if is_console_user(request.user):
                return redirect("console:queue")
            return render(request, "portal/no_customer.html", status=403)
        request.customer = customer
        return view(request, *args, **kwargs)

    return wrapper


@customer_required
def dashboard(request):
    return render(request, "portal/dashboard.html", {
        "counts": selectors.customer_ticket_counts(request.user),
        "open_tickets": selectors.customer_open_tickets(request.user),
        "services": list(selectors.customer_services(request.customer)),
        # Requests strangers made in this account's name, to claim or ignore.
        "pending_requests": verification.pending_for(request.customer).count(),
    })


@customer_required
def ticket_list(request):
    filters = HistoryFilterForm(request.GET)
    filters.is_valid()
    status = filters.cleaned_data.get("estado", "")
    query = filters.cleaned_data.get("q", "")
    tickets = selectors.customer_ticket_history(request.user, status=status, query=query)
    page = Paginator(tickets, HISTORY_PAGE_SIZE).get_page(request.GET.get("pagina"))
    counts = selectors.customer_ticket_counts(request.user)
    tabs = [("", _("Todos"), sum(counts.values()))] + [
        (value, label, counts[value]) for value, label in HISTORY_TABS
    ]
    return render(request, "portal/ticket_list.html", {
        "filters": filters, "status": status, "query": query, "page": page, "tabs": tabs,
        "status_label": Status(status).label if status else "",
    })


# --- Abrir ticket ----------------------------------------------------------


@customer_required
def ticket_new(request):
    follow_up = _follow_up_ticket(request)
    token = clean_token(request.POST.get("envio")) if request.method == "POST" else ""
    earlier = submission_find(request.user, token)
    if earlier is not None:  # this very submission was saved already
        return redirect("portal:ticket_created", number=earlier.ticket.number)
    if request.method == "POST":
        form = TicketForm(request.POST, request.FILES, customer=request.customer)
    else:
        form = TicketForm(customer=request.customer,
                          initial={**_new_ticket_initial(request, follow_up), "envio": new_token()})
    # The category's own fields (ventanilla.fields): of the category the form
    # validated, else of the one posted or prefilled (to show them again).
    if request.method == "POST" and form.is_valid():
        fields_form = category_fields_form(form.cleaned_data["category"],
                                           customer=request.customer, data=request.POST)
    else:
        fields_form = new_ticket_fields_form(
            request.customer, data=request.POST if request.method == "POST" else None,
            category_id=form.initial.get("category"))
    status = 200
    if request.method == "POST" and form.is_valid() and fields_form.is_valid():
        usage = ticket_create_consume(request.customer)
        if usage is None:
            form.add_error(None, _(
                "Has abierto demasiados tickets en poco tiempo. Espera un poco antes de abrir "
                "otro; si es urgente, responde en uno de tus tickets abiertos."))
            status = 429
        else:
            data = form.cleaned_data

            def then(ticket):  # stored with the ticket, or not at all
                ticket_values_save(ticket, fields_form)
                submission_record(user=request.user, token=token, ticket=ticket)

            try:
                ticket = services.ticket_create(
                    customer=request.customer, requester=request.user, channel=Channel.PORTAL,
                    subject=data["subject"], body=mask_portal_body(request, data["body"]),
                    department=data["department"],
                    category=data["category"], service=data["service"],
                    priority=data["priority"], incident=form.incident(),
                    files=data["attachments"], follow_up_of=follow_up, then=then,
                )
            except ValidationError as error:
                usage.refund()
                form.add_error(None, error)
            except IntegrityError:
                usage.refund()
                earlier = submission_find(request.user, token)
                if earlier is None:
                    raise
                # The same submission, arrived at the same time: its ticket.
                return redirect("portal:ticket_created", number=earlier.ticket.number)
            except Exception:
                usage.refund()
                raise
            else:
                return redirect("portal:ticket_created", number=ticket.number)
    return render(request, "portal/ticket_new.html", {
        "form": form, "follow_up": follow_up, "fields_form": fields_form,
        "files_lost": bool(request.FILES) and bool(form.errors or fields_form.errors),
    }, status=status)


@customer_required
def ticket_new_categories(request):
    """htmx: the category <select> narrowed to the chosen department."""
    department = selectors.portal_departments().filter(pk=parse_id(request.GET.get("department")))
    department = department.first()
    form = TicketForm(customer=request.customer,
                      initial={"category": parse_id(request.GET.get("category"))})
    if department is not None:
        form.set_category_choices(department)
    return render(request, "portal/ticket_new.html#category_select", {"form": form})


@login_required
def ticket_created(request, number):
    ticket = ticket_for_customer(request.user, number)
    return render(request, "portal/ticket_created.html", {"ticket": ticket})


def _follow_up_ticket(request) -> Ticket | None:
    """The customer's Cerrado ticket that the new one continues (?continuacion=)."""
    number = (request.POST.get("continuacion") or request.GET.get("continuacion") or "").strip()
    if not number:
        return None
    ticket = ticket_for_customer(request.user, number.lstrip("#"))
    return ticket if ticket.is_closed else None


def _new_ticket_initial(request, follow_up: Ticket | None) -> dict:
    """Links from emails, the knowledge base or a closed ticket prefill the
    form: ?departamento=<slug>&categoria=<id>&asunto=<text>&pregunta=<text>, or
    ?continuacion=<number>."""
    initial = {"priority": Priority.REGULAR,
               "incident_time_zone": canonical_time_zone(request.user.time_zone)}
    if follow_up is not None:
        initial.update(
            continuacion=follow_up.number,
            subject=_("Seguimiento de #%(number)s: %(subject)s")
            % {"number": follow_up.number, "subject": follow_up.subject},
            department=follow_up.department_id, category=follow_up.category_id,
            service=follow_up.service_id,
        )
        return initial
    department = selectors.portal_department(request.GET.get("departamento", ""))
    if department is not None:
        initial["department"] = department.pk
        category_id = parse_id(request.GET.get("categoria"))
        if selectors.portal_categories(department).filter(pk=category_id).exists():
            initial["category"] = category_id
    if request.GET.get("asunto"):
        initial["subject"] = request.GET["asunto"][:200]
    if request.GET.get("pregunta"):  # the self-service widget's question
        initial["body"] = request.GET["pregunta"][:5000]
    return initial




def mask_portal_body(request, body: str) -> str:
    """The ticket services hide passwords and card numbers from every
    channel; the portal also tells the customer, at once, what was hidden."""
    masked = mask_sensitive(body)
    if masked.changed:
        messages.warning(request, masked_notice(masked.found))
    return masked.text


# --- The ticket page -------------------------------------------------------


@login_required
def ticket_detail(request, number):
    ticket = ticket_for_customer(request.user, number)
    return _render_ticket(request, ticket, ReplyForm(initial={"envio": new_token()}))


@login_required
@require_http_methods(["GET", "POST"])
def ticket_reply(request, number):
    ticket = ticket_for_customer(request.user, number)
    if request.method == "GET":
        return redirect(reverse("portal:ticket_detail", args=[ticket.number]) + "#responder")
    token = clean_token(request.POST.get("envio"))
    earlier = submission_find(request.user, token)
    if earlier is not None and earlier.ticket_id == ticket.pk:  # sent again: saved already
        return redirect("portal:ticket_detail", number=ticket.number)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():  # the reply and its token, or neither
                message = services.ticket_customer_reply(
                    ticket, author=request.user,
                    body=mask_portal_body(request, form.cleaned_data["body"]),
                    files=form.cleaned_data["attachments"], channel=Channel.PORTAL,
                )
                submission_record(user=request.user, token=token, ticket=ticket, message=message)
        except IntegrityError:
            if submission_find(request.user, token) is None:
                raise
            return redirect("portal:ticket_detail", number=ticket.number)
        except TicketClosedError as error:
            # Closed meanwhile (by an agent or the auto-close sweep).
            messages.error(request, error.message)
            return redirect("portal:ticket_detail", number=ticket.number)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Enviamos tu respuesta. Te avisaremos por correo cuando "
                                        "el área correspondiente conteste."))
            if request.htmx:  # swapped in place: focus and announce the new message
                ticket.refresh_from_db()  # its status moved with the reply
                return _render_ticket(request, ticket, ReplyForm(initial={"envio": new_token()}),
                                      sent=message)
            return redirect("portal:ticket_detail", number=ticket.number)
    return _render_ticket(request, ticket, form, files_lost=bool(request.FILES))


@login_required
@require_http_methods(["GET", "POST"])
def ticket_close(request, number):
    ticket = ticket_for_customer(request.user, number)
    if ticket.is_closed:
        return redirect("portal:ticket_detail", number=ticket.number)
    if request.method == "POST":
        services.ticket_status_set(ticket, actor=request.user, role=Role.CUSTOMER,
                                   status=Status.CLOSED)
        messages.success(request, _("Cerraste el ticket #%(number)s. Si necesitas algo más, "
                                    "abre un ticket nuevo.") % {"number": ticket.number})
        return redirect("portal:ticket_detail", number=ticket.number)
    return render(request, "portal/ticket_close.html", {"ticket": ticket})


def _render_ticket(request, ticket: Ticket, reply_form: ReplyForm, *, files_lost=False,
                   sent=None):
    return render(request, "portal/ticket_detail.html", {
        "sent": sent,
        "ticket": ticket,
        "conversation": selectors.customer_ticket_messages(ticket),
        "follow_ups": selectors.customer_follow_ups(request.user, ticket) if ticket.is_closed
        else [],
        "reply_form": reply_form,
        "files_lost": files_lost and bool(reply_form.errors),
    })
