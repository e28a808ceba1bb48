"""Thin HTTP views of the chat: the public start page and its widget panel,
starting a chat, leaving a ticket when nobody can chat, and the console."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.core import ratelimit
from ventanilla.tickets.access import is_console_user
from ventanilla.tickets.allowance import ticket_create_consume
from ventanilla.tickets.console_views import console_required

from . import access, presence, selectors, services
from .forms import StartForm

START_RATE = "10/h"
KB_SEARCH_RATE = "120/m"


def _is_visitor(request) -> bool:
    return not (request.user.is_authenticated and request.user.customer_account is not None)


def _client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def start(request):
    """The chat's own page (the KB's "Chatear con un agente ahora" links
    here); ?parcial=1 is the widget's panel, loaded when it opens."""
    departments = selectors.chat_departments()
    context = {
        "form": StartForm(visitor=_is_visitor(request)),
        "departments": [
            {"settings": d, "agents": selectors.agents_available_count(d.department_id)}
            for d in departments
        ],
        "visitor": _is_visitor(request),
        "console_user": is_console_user(request.user),
        "chat_widget_open": True,
        "incidents": _incidents_affecting(request),
        # The help centre's question ("Chatear con un agente ahora"), as the
        # ticket form carries it: the first message, already written.
        "chat_question": str(request.GET.get("pregunta", ""))[:5000],
    }
    template = "chat/start.html#panel" if request.GET.get("parcial") else "chat/start.html"
    return render(request, template, context)


def _incidents_affecting(request) -> list:
    """Active incidents on the logged-in customer's services (the status
    app's client-area selector): the panel shows them before the form."""
    from ventanilla.status.selectors import portal_incidents
    from ventanilla.status.state import ACTIVE_STATUSES

    return [incident for incident in portal_incidents(request)
            if incident.affects_me and not incident.is_maintenance
            and incident.status in ACTIVE_STATUSES]


def _form_errors(form) -> JsonResponse:
    return JsonResponse({"errors": {field: [str(e) for e in errors]
                                    for field, errors in form.errors.items()}}, status=400)


def _rate_limited(request) -> JsonResponse | None:
    key = str(request.user.pk) if request.user.is_authenticated else _client_ip(request)
    if ratelimit.consume("chat-start", key, START_RATE) is None:
        return JsonResponse({"errors": {"__all__": [_(
            "Has iniciado demasiados chats en poco tiempo. Espera un poco o escríbenos un ticket.")]}},
            status=429)
    return None


@require_POST
def begin(request):
    form = StartForm(request.POST, visitor=_is_visitor(request))
    if not form.is_valid():
        return _form_errors(form)
    limited = _rate_limited(request)
    if limited:
        return limited
    data = form.cleaned_data
    try:
        chat = services.chat_start(
            department=data["department"], user=request.user,
            name=data.get("name", ""), email=data.get("email", ""),
            visitor_reason=data.get("visitor_reason", ""), first_message=data.get("message", ""))
    except ValidationError as error:
        return JsonResponse({"errors": {"__all__": error.messages}}, status=400)
    access.remember_visitor_chat(request.session, chat)
    return JsonResponse({"token": str(chat.token)})


@require_POST
def offline_ticket(request):
    """Nobody available: the question becomes a ticket, answered by email."""
    form = StartForm(request.POST, visitor=_is_visitor(request))
    if not form.is_valid():
        return _form_errors(form)
    if not form.cleaned_data.get("message", "").strip():
        return JsonResponse({"errors": {"message": [_("Escribe tu consulta.")]}}, status=400)
    usage = _ticket_allowance(request)
    if usage is None:
        return JsonResponse({"errors": {"__all__": [_(
            "Has dejado demasiadas consultas en poco tiempo. Espera un poco.")]}}, status=429)
    data = form.cleaned_data
    try:
        ticket = services.chat_leave_ticket(
            department=data["department"], body=data["message"], user=request.user,
            name=data.get("name", ""), email=data.get("email", ""))
    except ValidationError as error:
        usage.refund()
        return JsonResponse({"errors": {"__all__": error.messages}}, status=400)
    except Exception:
        usage.refund()
        raise
    return JsonResponse({"number": ticket.number})


def _ticket_allowance(request) -> ratelimit.Usage | None:
    """A customer's question left as a ticket uses the same allowance as the
    portal's «Abrir ticket»; a visitor's is counted per address."""
    customer = request.user.customer_account if request.user.is_authenticated else None
    if customer is not None:
        return ticket_create_consume(customer)
    key = str(request.user.pk) if request.user.is_authenticated else _client_ip(request)
    return ratelimit.consume("chat-ticket", key, settings.VENTANILLA["TICKET_CREATE_RATE"])


@console_required
def console(request):
    return render(request, "chat/console.html", {"heartbeat_seconds": presence.heartbeat_seconds()})


@console_required
def console_sidebar(request, chat_id):
    chat = access.chat_for_agent(request.user, chat_id)
    return render(request, "chat/console_sidebar.html", {"chat": chat, **selectors.sidebar(chat, request.user)})


@console_required
@require_POST
def console_pin_check(request, chat_id):
    """Verify the support PIN the customer types in the chat, through the
    status app's check (logged, locked after too many wrong PINs); answers
    with the sidebar showing the result."""
    from ventanilla.status import services as status_services
    from ventanilla.status.forms import PinCheckForm

    chat = access.chat_for_agent(request.user, chat_id)
    if chat.customer is None:
        raise access.ChatNotFound
    form = PinCheckForm(request.POST)
    check = None
    if form.is_valid():
        check = status_services.pin_check(chat.customer, agent=request.user, ticket=chat.ticket,
                                          pin=form.cleaned_data["pin"].strip())
    return render(request, "chat/console_sidebar.html", {
        "chat": chat, "pin_form": form, "pin_check": check, **selectors.sidebar(chat, request.user)})


@console_required
@require_POST
def console_consent(request, chat_id):
    """Ask the chat's customer to authorize an action (ventanilla.fields);
    answers with the sidebar, showing the request or the form's errors."""
    from ventanilla.fields.forms import ConsentRequestForm
    from ventanilla.fields.services import consent_request_from_chat

    chat = access.chat_for_agent(request.user, chat_id)
    form = ConsentRequestForm(request.POST, prefix=selectors.CONSENT_PREFIX)
    asked = None
    if form.is_valid():
        try:
            asked = consent_request_from_chat(chat, agent=request.user,
                                              action=form.cleaned_data["action"],
                                              kind=form.cleaned_data["kind"])
        except ValidationError as error:
            form.add_error(None, error)
    return render(request, "chat/console_sidebar.html", {
        "chat": chat, **selectors.sidebar(chat, request.user), "consent_asked": asked,
        "consent_form": ConsentRequestForm(prefix=selectors.CONSENT_PREFIX) if asked else form})


@console_required
def console_kb_search(request, chat_id):
    """"Insertar artículo": the help centre's public, published articles
    matching ?q=, for the agent of this chat to insert a link to one. The
    knowledge base's own search, absolute URLs (the customer may be on
    another page of the site)."""
    from ventanilla.kb import access as kb_access
    from ventanilla.kb.search import search_articles

    chat = access.chat_for_agent(request.user, chat_id)
    # Articles in the customer's language (Spanish for visitors).
    language = chat.user.language if chat.user_id and chat.user.language in {"es", "en"} else "es"
    if ratelimit.consume("chat-kb-search", str(request.user.pk), KB_SEARCH_RATE) is None:
        return JsonResponse({"error": _("Demasiadas búsquedas seguidas; espera un momento.")},
                            status=429)
    query = str(request.GET.get("q", ""))[:200]
    results = search_articles(query, language=language, limit=6,
                              candidates=kb_access.public_articles(), typing=True) \
        if query.strip() else None
    return JsonResponse({"results": [{
        "title": hit.article.title,
        "url": request.build_absolute_uri(hit.article.get_absolute_url()),
        "snippet": strip_tags(hit.snippet),
    } for hit in (results.hits if results else [])]})


@console_required
def console_convert(request, chat_id):
    """"Convertir en ticket" asking the category's fields, from the
    sidebar: GET ?categoria= shows the picked category's guidance and
    fields (keeping what was typed), POST validates them and converts.
    Answers with the sidebar, like the PIN check."""
    from ventanilla.fields.forms import category_fields_form

    chat = access.chat_for_agent(request.user, chat_id)
    context = {"chat": chat, **selectors.sidebar(chat, request.user)}
    source = request.POST if request.method == "POST" else request.GET
    picked = str(source.get("categoria", ""))
    category = next((c for c in context["convert_categories"] if str(c.pk) == picked), None)
    if request.method != "POST":
        form = category_fields_form(category, customer=chat.customer)
        form.initial = {name: field.widget.value_from_datadict(request.GET, {}, form.add_prefix(name))
                        for name, field in form.fields.items()}
        return render(request, "chat/console_sidebar.html", {
            **context, "convert_category": category, "convert_form": form})
    form = category_fields_form(category, customer=chat.customer, data=request.POST)
    error = ""
    if picked and category is None:
        error = _("Elige una categoría del departamento del chat.")
    elif category is not None and not form.is_valid():
        error = _("Revisa los datos de la categoría.")
    else:
        try:
            ticket = services.chat_convert_to_ticket(
                chat, agent=request.user, category=category,
                fields=form if category is not None else None)
        except ValidationError as invalid:
            error = " ".join(invalid.messages)
        else:
            chat.refresh_from_db()
            return render(request, "chat/console_sidebar.html", {
                "chat": chat, **selectors.sidebar(chat, request.user), "converted_ticket": ticket})
    # 200 with the errors, as the PIN check: the sidebar is a fragment the
    # console's script swaps in.
    return render(request, "chat/console_sidebar.html", {
        **context, "convert_category": category, "convert_form": form, "convert_error": error})
