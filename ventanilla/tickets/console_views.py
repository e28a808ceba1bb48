"""The agent console ("Consola"): queues, search and the ticket page.

Every ticket is fetched through access.ticket_for_agent (404 outside the
agent's departments); every change goes through services."""

from dataclasses import dataclass
from functools import partial, wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from ventanilla.mail.models import InboundMessage
from ventanilla.mail.verification import ticket_has_unverified_sender

from . import access, export, selectors, services
from .console_forms import AssignForm, MergeForm, ReplyForm, StatusForm, TicketFieldsForm
from .models import Priority, Status
from .status import Role, TransitionRefused, allowed_targets

DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 100

# The console's verb for each target status.
STATUS_ACTIONS = {
    Status.OPEN: gettext_lazy("Reabrir"),
    Status.PENDING: gettext_lazy("Marcar pendiente"),
    Status.RESOLVED: gettext_lazy("Resolver"),
    Status.CLOSED: gettext_lazy("Cerrar"),
}


def console_required(view=None, *, customers_to_portal=False):
    """Agents and superusers only; anyone else gets 404, or with
    customers_to_portal, customers are sent to their client area."""
    if view is None:
        return partial(console_required, customers_to_portal=customers_to_portal)

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not access.is_console_user(request.user):
            if customers_to_portal and request.user.customer_account is not None:
                return redirect("portal:dashboard")
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _page_size(raw: str | None) -> int:
    try:
        return max(1, min(MAX_PAGE_SIZE, int(raw)))
    except (TypeError, ValueError):
        return DEFAULT_PAGE_SIZE


@dataclass(frozen=True)
class QueueSelection:
    """What a queue tab or a search shows: read from the query string the
    same way by the page and by its CSV export."""
    departments: list
    department: object
    q: str
    view: object
    tickets: object
    ordering: tuple
    searched: str = ""  # q with its typos corrected, as searched


def _queue_selection(request) -> QueueSelection:
    user = request.user
    departments = selectors.console_departments(user)
    department = next((d for d in departments if d.slug == request.GET.get("departamento")), None)
    q = request.GET.get("q", "").strip()[:200]
    searched = q
    if q:
        view = None
        # "correo outlok" searches "correo outlook" (the help centre's typo
        # tolerance) unless the agent asked for exactly what was typed.
        if not request.GET.get("exacto"):
            searched = selectors.console_search_spelling(user, q)
        tickets = selectors.console_search(user, searched, department=department)
        ordering = selectors.SEARCH_ORDERING
    else:
        view = selectors.QUEUE_VIEWS.get(request.GET.get("vista", ""), selectors.QUEUE_VIEWS[""])
        tickets = selectors.console_queue(user, view=view, department=department)
        ordering = view.ordering
    return QueueSelection(departments, department, q, view, tickets, ordering, searched)


@console_required(customers_to_portal=True)
def queue(request):
    selection = _queue_selection(request)
    departments, department, q, view = (selection.departments, selection.department,
                                        selection.q, selection.view)
    tickets, ordering = selection.tickets, selection.ordering
    page = selectors.console_ticket_page(
        tickets, ordering, cursor=request.GET.get("cursor"), page_size=_page_size(request.GET.get("n"))
    )
    context = {
        "views": selectors.QUEUE_VIEWS.values(),
        "view": view,
        "q": q,
        "searched": selection.searched,
        "departments": departments,
        "department": department,
        "page": page,
        "is_first_page": not request.GET.get("cursor"),
        "default_page_size": DEFAULT_PAGE_SIZE,
        "export_max_rows": export.MAX_ROWS,
    }
    template = "console/queue.html"
    if request.htmx and request.htmx.target == "queue-results":
        template += "#results"
    return render(request, template, context)


@console_required
def queue_export(request):
    """The queue tab or search on screen as a CSV file, field values included
    (at most export.MAX_ROWS rows, in the page's order)."""
    selection = _queue_selection(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"tickets-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    export.write_csv(response, selection.tickets, selection.ordering)
    return response


@console_required
@require_POST
def bulk_take(request):
    """Assign the selected tickets to the current agent ("Tomar")."""
    taken = 0
    for number in request.POST.getlist("tickets")[:MAX_PAGE_SIZE]:
        try:
            ticket = access.ticket_for_agent(request.user, number)
        except Http404:
            continue
        services.ticket_assign(ticket, actor=request.user, assignee=request.user)
        taken += 1
    if taken:
        messages.success(request, ngettext("Tomaste %(count)s ticket.", "Tomaste %(count)s tickets.",
                                           taken) % {"count": taken})
    else:
        messages.warning(request, _("Selecciona al menos un ticket para tomarlo."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect("console:queue")
    return redirect(next_url)


def _render_ticket(request, ticket, *, reply_form=None, fields_form=None, assign_form=None,
                   merge_form=None, new_message_ids=(), files_dropped=False):
    """The ticket page; a form given here comes back bound with its errors."""
    user = request.user
    conversation = selectors.console_ticket_messages(ticket)
    last_seen = conversation[-1].id if conversation else 0
    agents = selectors.console_assignable_agents(ticket.department)
    context = {
        "ticket": ticket,
        "conversation": conversation,
        "events": selectors.console_ticket_events(ticket),
        "services": selectors.console_customer_services(ticket.customer),
        "other_tickets": selectors.console_customer_other_tickets(user, ticket),
        "canned_responses": selectors.console_canned_responses(ticket),
        "departments": selectors.console_departments(user),
        "reply_form": reply_form or ReplyForm(ticket, initial={"last_seen": last_seen}),
        "fields_form": fields_form or TicketFieldsForm(ticket),
        "assign_form": assign_form or AssignForm(agents),
        "merge_form": merge_form or MergeForm(),
        "status_actions": [
            (target, STATUS_ACTIONS[target]) for target in allowed_targets(ticket.status, Role.AGENT)
        ],
        "new_message_ids": set(new_message_ids),
        "stale": bool(new_message_ids),
        "files_dropped": files_dropped,
        "Priority": Priority,
        # The latest email in the ticket came from an unverified sender.
        "unverified_sender": ticket_has_unverified_sender(ticket),
    }
    return render(request, "console/ticket_detail.html", context)


@console_required
def ticket_detail(request, number):
    ticket = access.ticket_for_agent(request.user, number)
    return _render_ticket(request, ticket)


@console_required
@require_POST
def ticket_reply(request, number):
    user = request.user
    ticket = access.ticket_for_agent(user, number)
    form = ReplyForm(ticket, request.POST, request.FILES)
    if not form.is_valid():
        return _render_ticket(request, ticket, reply_form=form, files_dropped=bool(request.FILES))

    # Stale-reply guard: someone wrote since the agent loaded the page. Show
    # the new messages and keep the text; sending again (the form now carries
    # the newest id) confirms.
    last_seen = form.cleaned_data["last_seen"]
    if last_seen is not None:
        new = selectors.console_new_messages(ticket, after_id=last_seen, user=user)
        if new:
            data = request.POST.copy()
            data["last_seen"] = str(max(m.id for m in new))
            return _render_ticket(
                request, ticket, reply_form=ReplyForm(ticket, data),
                new_message_ids=[m.id for m in new], files_dropped=bool(request.FILES),
            )

    try:
        services.ticket_agent_reply(
            ticket, agent=user, body=form.cleaned_data["body"], files=form.cleaned_data["files"],
            internal=form.is_note, status=form.status_for_service(),
        )
    except (ValidationError, PermissionDenied) as error:
        form.add_error(None, _error_text(error))
        return _render_ticket(request, ticket, reply_form=form, files_dropped=bool(request.FILES))
    if form.is_note:
        messages.success(request, _("Nota interna guardada; el cliente no la ve."))
    else:
        messages.success(request, _("Respuesta enviada al cliente."))
    return redirect("console:ticket_detail", number=ticket.number)


@console_required
@require_POST
def ticket_fields(request, number):
    user = request.user
    ticket = access.ticket_for_agent(user, number)
    form = TicketFieldsForm(ticket, request.POST)
    if form.is_valid():
        try:
            services.ticket_update_fields(
                ticket, agent=user, department=form.cleaned_data["department"],
                category=form.cleaned_data["category_obj"], priority=form.cleaned_data["priority"],
            )
        except ValidationError as error:
            form.add_error(None, _error_text(error))
    if not form.is_valid():
        return _render_ticket(request, ticket, fields_form=form)
    if not access.tickets_for_agent(user).filter(pk=ticket.pk).exists():
        messages.info(request, _(
            "El ticket #%(number)s pasó a «%(department)s»; ya no está en tus departamentos."
        ) % {"number": ticket.number, "department": form.cleaned_data["department"].name})
        return redirect("console:queue")
    messages.success(request, _("Datos del ticket actualizados."))
    return redirect("console:ticket_detail", number=ticket.number)


@console_required
def ticket_fields_categories(request, number):
    """htmx: the "Clasificación" category <select>, narrowed to the
    department just chosen (the category kept if it belongs to it)."""
    ticket = access.ticket_for_agent(request.user, number)
    form = TicketFieldsForm(ticket, initial={
        "department": request.GET.get("department"), "category": request.GET.get("category"),
    })
    return render(request, "console/_ticket_category_select.html", {"fields_form": form})


@console_required
@require_POST
def ticket_status(request, number):
    user = request.user
    ticket = access.ticket_for_agent(user, number)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Elige un estado válido."))
    elif ticket.is_closed:
        messages.error(request, _(
            "Este ticket está cerrado y no se puede reabrir ni cambiar de estado; "
            "si el cliente necesita más ayuda, puede abrir un ticket nuevo."
        ))
    else:
        target = Status(form.cleaned_data["status"])
        try:
            services.ticket_status_set(ticket, actor=user, role=Role.AGENT, status=target)
        except TransitionRefused as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("El ticket está ahora en «%(status)s».")
                             % {"status": target.label})
    return redirect("console:ticket_detail", number=ticket.number)


@console_required
@require_POST
def ticket_assign(request, number):
    user = request.user
    ticket = access.ticket_for_agent(user, number)
    form = AssignForm(selectors.console_assignable_agents(ticket.department), request.POST)
    if form.is_valid():
        action = form.cleaned_data["action"]
        assignee = {
            AssignForm.TAKE: user,
            AssignForm.ASSIGN: form.cleaned_data["assignee"],
            AssignForm.RELEASE: None,
        }[action]
        try:
            services.ticket_assign(ticket, actor=user, assignee=assignee)
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        else:
            if assignee is None:
                messages.success(request, _("El ticket quedó sin asignar."))
            else:
                messages.success(request, _("Ticket asignado a %(name)s.")
                                 % {"name": assignee.get_full_name()})
            return redirect("console:ticket_detail", number=ticket.number)
    return _render_ticket(request, ticket, assign_form=form)


@console_required
@require_POST
def ticket_merge(request, number):
    user = request.user
    ticket = access.ticket_for_agent(user, number)
    form = MergeForm(request.POST)
    if form.is_valid():
        target_number = form.cleaned_data["target"]
        try:
            target = access.ticket_for_agent(user, target_number)
        except Http404:
            form.add_error("target", _(
                "No encontramos el ticket #%(number)s entre los tickets que puedes ver."
            ) % {"number": target_number})
        else:
            try:
                services.ticket_merge(ticket, agent=user, target=target)
            except ValidationError as error:
                form.add_error("target", _error_text(error))
            else:
                messages.success(request, _(
                    "El ticket #%(source)s se fusionó en este y quedó cerrado."
                ) % {"source": ticket.number})
                return redirect("console:ticket_detail", number=target.number)
    return _render_ticket(request, ticket, merge_form=form)


def _error_text(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


@console_required
def ticket_email_original(request, number, inbound_id: int):
    """The original of an email of this ticket, as received (.eml)."""
    ticket = access.ticket_for_agent(request.user, number)
    inbound = InboundMessage.objects.filter(ticket=ticket, pk=inbound_id).first()
    if inbound is None:
        raise Http404
    try:
        with inbound.raw.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError as error:
        raise Http404 from error
    response = HttpResponse(content, content_type="message/rfc822")
    response["Content-Disposition"] = content_disposition_header(
        True, f"ticket-{ticket.number}-correo-{inbound.pk}.eml")
    response["X-Content-Type-Options"] = "nosniff"
    return response
