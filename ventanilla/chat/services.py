"""Every change to a chat goes through these functions.

The customer's socket, the console's socket and the HTTP views are thin
adapters over them. Each runs in one transaction; what the sockets hear
(events.py) leaves only after it commits, and a message is acknowledged to
its sender only once it is stored.
"""

from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Customer, User
from ventanilla.integrations.events import emit
from ventanilla.mail import outbound
from ventanilla.sla.models import SatisfactionRating
from ventanilla.sla.services import satisfaction_record
from ventanilla.tickets import services as ticket_services
from ventanilla.tickets.access import agent_may_see_department
from ventanilla.tickets.models import Channel, Department, Ticket

from . import events, presence, selectors
from .models import AgentAvailability, Chat, ChatMessage
from .sensitive import Masked, mask_sensitive

MAX_MESSAGE_CHARS = 5_000
# A ticket made from a chat takes its subject from the first message's first
# line, this long at most.
SUBJECT_CHARS = 80


class ChatClosedError(ValidationError):
    def __init__(self):
        super().__init__(_("Este chat ya terminó."), code="chat_closed")


@dataclass(frozen=True)
class Posted:
    message: ChatMessage
    masked: Masked
    duplicate: bool = False


def _locked(chat: Chat) -> Chat:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of
    # the outer join to the agent.
    return (Chat.objects.select_for_update(of=("self",)).select_related("department", "agent")
            .get(pk=chat.pk))


def _add(chat: Chat, *, kind: str, body: str, author=None, client_id: str = "",
         now=None) -> ChatMessage:
    """Append to a chat already locked by the caller: the next seq, stored."""
    chat.last_seq += 1
    message = ChatMessage.objects.create(
        chat=chat, seq=chat.last_seq, kind=kind, author=author, body=body, client_id=client_id,
        created_at=now or timezone.now(),
    )
    chat.save(update_fields=["last_seq"])
    events.message_added(message)
    return message


def chat_system_message(chat: Chat, body: str) -> ChatMessage:
    """A notice both sides read (other apps' events in the chat, e.g. a
    consent request and its answer); the widget re-reads its state."""
    with transaction.atomic():
        chat = _locked(chat)
        message = _add(chat, kind=ChatMessage.Kind.SYSTEM, body=body)
        events.chat_changed(chat)
    return message


def chat_start(*, department: Department, user=None, name: str = "", email: str = "",
               visitor_reason: str = "", first_message: str = "") -> Chat:
    """A customer (logged in) or a visitor (name and email) asks for a chat.
    It goes at once to the least busy available agent, or waits in the
    department's queue."""
    customer = user.customer_account if user is not None and user.is_authenticated else None
    if customer is not None:
        name, email, visitor_reason = customer.name, customer.email, ""
    if not name.strip() or not email.strip():
        raise ValidationError(_("Escribe tu nombre y tu correo para empezar."))
    with transaction.atomic():
        chat = Chat.objects.create(
            department=department, user=user if customer is not None else None,
            customer=customer, name=name.strip()[:150], email=email.strip(),
            visitor_reason=visitor_reason,
        )
        _add(chat, kind=ChatMessage.Kind.SYSTEM, body=_(
            "Hola, %(name)s. Un agente de %(department)s te atenderá en breve. Recuerda: nunca "
            "te pediremos contraseñas ni datos de tarjeta por este chat."
        ) % {"name": chat.name, "department": department.name})
        if first_message.strip():
            _add(chat, kind=ChatMessage.Kind.CUSTOMER,
                 body=mask_sensitive(first_message.strip()[:MAX_MESSAGE_CHARS]).text,
                 author=chat.user)
        events.queue_changed(department.pk)
        emit("chat.started", partial(chat_payload, chat.pk))
    chat_dispatch(department.pk)
    return Chat.objects.select_related("department", "agent").get(pk=chat.pk)


def chat_payload(chat_id: int) -> dict:
    """The data of the chat.started and chat.ended webhooks."""
    chat = Chat.objects.select_related("department", "agent").get(pk=chat_id)
    return {"chat": {
        "id": chat.pk, "status": chat.status, "department": chat.department.slug,
        "customer": {"name": chat.name, "email": chat.email},
        "agent": chat.agent.email if chat.agent_id else None,
        "created_at": chat.created_at, "closed_at": chat.closed_at,
    }}


def chat_post(chat: Chat, *, kind: str, body: str, author=None, client_id: str = "") -> Posted:
    """A customer's or agent's message, masked, stored, then broadcast. The
    same client_id twice (a resend after a dropped connection) returns the
    message stored the first time."""
    body = body.strip()[:MAX_MESSAGE_CHARS]
    if not body:
        raise ValidationError(_("Escribe un mensaje."))
    masked = mask_sensitive(body)
    client_id = client_id[:64]
    with transaction.atomic():
        chat = _locked(chat)
        if client_id:
            stored = chat.messages.filter(client_id=client_id).first()
            if stored is not None:
                return Posted(message=stored, masked=masked, duplicate=True)
        if chat.is_closed:
            raise ChatClosedError()
        message = _add(chat, kind=kind, body=masked.text, author=author, client_id=client_id)
    return Posted(message=message, masked=masked)


def _assign(chat: Chat, agent, *, now, joined: bool) -> None:
    """Give a chat to an agent. Routing hands it to a live console, which
    opens it by itself: the customer reads that the agent joined only then
    (chat_join); an agent who takes it from the queue has joined already."""
    chat.agent = agent
    chat.status = Chat.Status.ACTIVE
    chat.accepted_at = chat.accepted_at or now
    chat.joined_at = None
    chat.save(update_fields=["agent", "status", "accepted_at", "joined_at"])
    if joined:
        _joined(chat, agent, now=now)
    events.chat_changed(chat)


def _joined(chat: Chat, agent, *, now) -> None:
    chat.joined_at = now
    chat.save(update_fields=["joined_at"])
    _add(chat, kind=ChatMessage.Kind.SYSTEM, now=now,
         body=_("%(agent)s se unió al chat.") % {"agent": agent.get_short_name()})


def chat_join(chat: Chat, *, agent) -> bool:
    """The assigned agent's console opened the chat: they are in it now.
    True if this announced them (once per assignment)."""
    with transaction.atomic():
        chat = _locked(chat)
        if chat.agent_id != agent.pk or chat.joined_at is not None or chat.is_closed:
            return False
        _joined(chat, agent, now=timezone.now())
        events.chat_changed(chat)
    return True


def _requeue_unjoined(department_id: int) -> None:
    """Chats handed to a console that went away before opening them go back
    to the queue (nobody told the customer anyone joined)."""
    stranded = (Chat.objects.select_for_update()
                .filter(department_id=department_id, status=Chat.Status.ACTIVE,
                        joined_at__isnull=True, agent__isnull=False)
                .exclude(agent__in=User.objects.filter(presence.has_live_console())))
    for chat in stranded:
        previous_agent_id = chat.agent_id
        chat.agent = None
        chat.status = Chat.Status.WAITING
        chat.save(update_fields=["agent", "status"])
        events.chat_changed(chat)
        events.send_on_commit(events.agent_group(previous_agent_id), {"type": "console.changed"})


def chat_dispatch(department_id: int) -> int:
    """Hand waiting chats, oldest first, to the least busy available agents
    (disponible, with a console open) while any has room. Returns how many
    were handed out."""
    handed = 0
    with transaction.atomic():
        _requeue_unjoined(department_id)
    while True:
        with transaction.atomic():
            waiting = (
                Chat.objects.select_for_update()
                .filter(department_id=department_id, status=Chat.Status.WAITING)
                .order_by("created_at", "pk").first()
            )
            if waiting is None:
                return handed
            agent = selectors.least_busy_agent(department_id)
            if agent is None:
                return handed
            _assign(waiting, agent, now=timezone.now(), joined=False)
            handed += 1


def chat_take(chat: Chat, *, agent) -> Chat:
    """An agent takes a waiting chat of their department."""
    with transaction.atomic():
        chat = _locked(chat)
        if chat.status != Chat.Status.WAITING:
            raise ValidationError(_("Otro agente ya atiende este chat."))
        if not agent_may_see_department(agent, chat.department_id):
            raise ValidationError(_("No atiendes el departamento de este chat."))
        _assign(chat, agent, now=timezone.now(), joined=True)
    return chat


def agent_console_seen(agent, *, key: str) -> None:
    """A console socket of the agent connected or sent its heartbeat. An
    agent who just arrived (disponible, no console open a moment ago) gets
    the chats waiting in their departments."""
    if not presence.console_seen(agent.pk, key):
        return
    if AgentAvailability.objects.filter(user=agent, status=AgentAvailability.Status.AVAILABLE).exists():
        for department in selectors.console_departments(agent):
            chat_dispatch(department.pk)


def agent_availability_set(agent, *, status: str, max_chats: int | None = None) -> AgentAvailability:
    if status not in AgentAvailability.Status.values:
        raise ValidationError(_("Disponibilidad desconocida."))
    if max_chats is not None and not 1 <= max_chats <= 20:
        raise ValidationError(_("El límite de chats simultáneos va de 1 a 20."))
    with transaction.atomic():
        availability, _created = AgentAvailability.objects.select_for_update().get_or_create(user=agent)
        fields = []
        if availability.status != status:
            availability.status = status
            availability.changed_at = timezone.now()
            fields += ["status", "changed_at"]
        if max_chats is not None and availability.max_chats != max_chats:
            availability.max_chats = max_chats
            fields.append("max_chats")
        if fields:
            availability.save(update_fields=fields)
        events.send_on_commit(events.agent_group(agent.pk), {"type": "console.changed"})
    if status == AgentAvailability.Status.AVAILABLE:
        for department in selectors.console_departments(agent):
            chat_dispatch(department.pk)
    return availability


def chat_transfer(chat: Chat, *, actor, to_agent=None, to_department: Department | None = None,
                  note: str = "") -> Chat:
    """Hand a live chat to another agent (of its department) or to another
    department's queue, leaving a note only agents read."""
    if (to_agent is None) == (to_department is None):
        raise ValidationError(_("Elige un agente o un departamento."))
    with transaction.atomic():
        chat = _locked(chat)
        if chat.is_closed:
            raise ChatClosedError()
        previous_agent_id, previous_department_id = chat.agent_id, chat.department_id
        now = timezone.now()
        if note.strip():
            _add(chat, kind=ChatMessage.Kind.NOTE, author=actor, now=now,
                 body=mask_sensitive(note.strip()[:MAX_MESSAGE_CHARS]).text)
        if to_agent is not None:
            if to_agent.pk == chat.agent_id:
                raise ValidationError(_("El chat ya es de ese agente."))
            if not to_agent.is_agent or not agent_may_see_department(to_agent, chat.department_id):
                raise ValidationError(_("Ese agente no atiende el departamento de este chat."))
            chat.agent = to_agent
            chat.status = Chat.Status.ACTIVE
            chat.accepted_at = chat.accepted_at or now
            chat.joined_at = None  # "X se unió" once their console opens it
            chat.save(update_fields=["agent", "status", "accepted_at", "joined_at"])
            _add(chat, kind=ChatMessage.Kind.SYSTEM, now=now, body=_(
                "Te transferimos con %(agent)s.") % {"agent": to_agent.get_short_name()})
        else:
            if to_department.pk == chat.department_id:
                raise ValidationError(_("El chat ya está en ese departamento."))
            chat.department = to_department
            chat.agent = None
            chat.status = Chat.Status.WAITING
            chat.joined_at = None
            chat.save(update_fields=["department", "agent", "status", "joined_at"])
            _add(chat, kind=ChatMessage.Kind.SYSTEM, now=now, body=_(
                "Te transferimos a %(department)s; un agente te atenderá en breve."
            ) % {"department": to_department.name})
        events.chat_changed(chat)
        if previous_department_id != chat.department_id:
            events.queue_changed(previous_department_id)
        if previous_agent_id and previous_agent_id != chat.agent_id:
            events.send_on_commit(events.agent_group(previous_agent_id), {"type": "console.changed"})
    chat_dispatch(chat.department_id)
    if previous_department_id != chat.department_id:
        chat_dispatch(previous_department_id)
    return chat


def chat_close(chat: Chat, *, actor=None, by_customer: bool = False) -> Chat:
    with transaction.atomic():
        chat = _locked(chat)
        if chat.is_closed:
            return chat
        now = timezone.now()
        chat.status = Chat.Status.CLOSED
        chat.closed_at = now
        chat.save(update_fields=["status", "closed_at"])
        _add(chat, kind=ChatMessage.Kind.SYSTEM, now=now, body=(
            _("Terminaste el chat.") if by_customer else _("El agente terminó el chat.")))
        events.chat_changed(chat)
        emit("chat.ended", partial(chat_payload, chat.pk))
    # The agent has room for one more.
    chat_dispatch(chat.department_id)
    return chat


def chat_rate(chat: Chat, *, rating: int, comment: str = "") -> Chat:
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError(_("Elige una valoración del 1 al 5."))
    with transaction.atomic():
        chat = _locked(chat)
        if not chat.is_closed:
            raise ValidationError(_("Podrás valorar el chat cuando termine."))
        if chat.rating is not None:
            raise ValidationError(_("Ya valoraste este chat. ¡Gracias!"))
        chat.rating = rating
        chat.rating_comment = mask_sensitive(comment.strip()[:2000]).text
        chat.save(update_fields=["rating", "rating_comment"])
        satisfaction_record(source=SatisfactionRating.Source.CHAT, subject_key=f"chat:{chat.pk}",
                            score=rating, agent=chat.agent, department=chat.department,
                            channel=Channel.CHAT)
        events.chat_changed(chat)
    return chat


def chat_transcript_send(chat: Chat) -> None:
    """Email the conversation to the customer once, through the outbound
    notification path (logged, retried, visible in the admin)."""
    with transaction.atomic():
        chat = _locked(chat)
        if chat.transcript_sent_at is not None:
            raise ValidationError(_("Ya te enviamos la transcripción."))
        language = chat.user.language if chat.user_id else settings.LANGUAGE_CODE
        rendered = outbound.render("chat_transcript", {
            "chat": chat, "messages": selectors.history(chat, for_agent=False),
            "site_url": settings.SITE_URL,
        }, language=language)
        outbound.email_queue(kind="chat_transcripcion", to=[chat.email], rendered=rendered,
                             headers={"Auto-Submitted": "auto-generated"})
        chat.transcript_sent_at = timezone.now()
        chat.save(update_fields=["transcript_sent_at"])
        events.chat_changed(chat)


def _customer_for(chat_or_none, *, user=None, name: str, email: str) -> Customer:
    """The logged-in customer; for a visitor, who proved nothing, the
    guest customer of the address typed, or when it is an account's, that
    account's unverified holder (never the account: tickets.verification)."""
    if user is not None and user.is_authenticated and user.customer_account is not None:
        return user.customer_account
    if chat_or_none is not None and chat_or_none.customer_id:
        return chat_or_none.customer
    from ventanilla.accounts.services import customer_for_stranger

    return customer_for_stranger(email, name)


def subject_from(text: str, *, limit: int = SUBJECT_CHARS) -> str:
    """A ticket's subject from a chat message: its first line, cut at a word
    boundary to at most `limit` characters, ending in "…" when cut."""
    line = " ".join(next((line for line in text.splitlines() if line.strip()), "").split())
    if len(line) <= limit:
        return line
    cut = line[:limit - 1]
    space = cut.rfind(" ")
    if line[limit - 1] != " " and space >= limit // 2:  # a word boundary not too far back
        cut = cut[:space]
    return cut.rstrip(" ,.;:-—") + "…"


def _visitor_header(chat: Chat) -> str:
    if chat.customer_id:
        return ""
    reason = f" ({chat.get_visitor_reason_display()})" if chat.visitor_reason else ""
    return _("Visitante sin sesión: %(name)s <%(email)s>%(reason)s; correo no verificado.") % {
        "name": chat.name, "email": chat.email, "reason": reason} + "\n\n"


def _notes_to_ticket(chat: Chat, ticket: Ticket) -> None:
    """The chat's internal notes become the ticket's internal notes, by
    their authors (inside the caller's transaction)."""
    for note in selectors.notes(chat):
        ticket_services.ticket_agent_reply(
            ticket, agent=note.author, internal=True, channel=Channel.CHAT,
            body=_("Nota interna del chat:") + "\n\n" + note.body)


def chat_convert_to_ticket(chat: Chat, *, agent, category=None, fields=None) -> Ticket:
    """"Convertir en ticket": a ticket in the chat's department, channel
    chat, with the transcript the customer saw (the agents' notes as internal
    notes), assigned to the agent; the customer is told its number in the
    chat. With a `category` (of the chat's
    department), `fields` is its validated `category_fields_form`: the
    answers are stored with the ticket, in the same transaction."""
    if category is not None and category.department_id != chat.department_id:
        raise ValidationError(_("Elige una categoría del departamento del chat."))
    if fields is not None and (category is None or fields.category != category):
        raise ValidationError(_("Esos datos no corresponden a la categoría elegida."))
    with transaction.atomic():
        chat = _locked(chat)
        if chat.ticket_id:
            raise ValidationError(_("Este chat ya es el ticket #%(number)s.")
                                  % {"number": chat.ticket.number})
        customer = _customer_for(chat, user=chat.user, name=chat.name, email=chat.email)
        first = chat.messages.filter(kind=ChatMessage.Kind.CUSTOMER).order_by("seq").first()
        subject = (subject_from(first.body) if first else "") or \
            _("Chat con %(name)s") % {"name": chat.name}
        # What the customer saw, and nothing else: the notes follow as
        # internal notes.
        body = _visitor_header(chat) + _("Transcripción del chat:") + "\n\n" + \
            selectors.transcript_text(chat)
        ticket = ticket_services.ticket_create(
            customer=customer, requester=chat.user, subject=subject, body=body,
            department=chat.department, category=category, channel=Channel.CHAT, actor=agent,
        )
        if fields is not None:
            from ventanilla.fields.services import ticket_values_save

            ticket_values_save(ticket, fields)
        _notes_to_ticket(chat, ticket)
        ticket_services.ticket_assign(ticket, actor=agent, assignee=agent)
        chat.ticket = ticket
        chat.customer = chat.customer or customer
        chat.save(update_fields=["ticket", "customer"])
        _add(chat, kind=ChatMessage.Kind.SYSTEM, body=_(
            "Creamos el ticket #%(number)s con esta conversación. Lo seguiremos allí y te "
            "avisaremos por correo."
        ) % {"number": ticket.number})
        events.chat_changed(chat)
    return ticket


def chat_leave_ticket(*, department: Department, body: str, user=None, name: str = "",
                      email: str = "", chat: Chat | None = None) -> Ticket:
    """No agent (none available, or the wait is too long): the customer
    leaves the question as a ticket instead. A waiting chat ends with it."""
    masked = mask_sensitive(body.strip()[:50_000]).text
    if not masked:
        raise ValidationError(_("Escribe tu consulta."))
    if (chat is None and not (user is not None and user.is_authenticated)
            and not (name.strip() and email.strip())):
        # A visitor's chat already has their name and address.
        raise ValidationError(_("Escribe tu nombre y tu correo para que podamos responderte."))
    with transaction.atomic():
        if chat is not None:
            chat = _locked(chat)
            if chat.is_closed or chat.ticket_id:
                raise ChatClosedError()
            department, name, email = chat.department, chat.name, chat.email
        customer = _customer_for(chat, user=user, name=name, email=email)
        subject = subject_from(masked) or _("Consulta desde el chat")
        text = masked
        if chat is not None:
            text = (_visitor_header(chat) + masked + "\n\n" + _("Transcripción del chat:") + "\n\n"
                    + selectors.transcript_text(chat))
        elif customer.user_id is None or not (user and user.is_authenticated):
            text = _("Correo indicado por un visitante, sin verificar: %(email)s") % {
                "email": email} + "\n\n" + masked
        ticket = ticket_services.ticket_create(
            customer=customer, requester=user if user is not None and user.is_authenticated else None,
            subject=subject, body=text, department=department, channel=Channel.CHAT,
        )
        if chat is not None:
            _notes_to_ticket(chat, ticket)
            chat.ticket = ticket
            chat.status = Chat.Status.CLOSED
            chat.closed_at = timezone.now()
            chat.save(update_fields=["ticket", "status", "closed_at"])
            _add(chat, kind=ChatMessage.Kind.SYSTEM, body=_(
                "Dejaste tu consulta como el ticket #%(number)s; te responderemos por correo."
            ) % {"number": ticket.number})
            events.chat_changed(chat)
    return ticket
