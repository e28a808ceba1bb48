"""Reads for the chat: queues, positions, waits, a console's view."""

import math
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from ventanilla.accounts.models import User
from ventanilla.fields.selectors import chat_pending_consents
from ventanilla.tickets.access import agent_department_ids, sees_all_departments, tickets_for_agent
from ventanilla.tickets.models import CannedResponse, Category, Department
from ventanilla.tickets.status import OPEN_STATUSES

from . import presence
from .models import AgentAvailability, Chat, ChatDepartment, ChatMessage
from .seed import DEFAULT_COVERS, EXCLUDES

# Until a department has answered chats, a wait is guessed at this much per
# person ahead.
DEFAULT_WAIT_PER_CHAT = timedelta(minutes=2)
LIVE = (Chat.Status.WAITING, Chat.Status.ACTIVE)


def chat_settings(department: Department) -> ChatDepartment:
    found = ChatDepartment.objects.filter(department=department).first()
    return found or ChatDepartment(department=department, covers=DEFAULT_COVERS, excludes=EXCLUDES)


def chat_departments() -> list[ChatDepartment]:
    return list(
        ChatDepartment.objects.filter(is_enabled=True, department__is_active=True)
        .select_related("department").order_by("department__position", "department__name")
    )


def available_agents(department_id: int):
    """Agents who work the department, said they are disponible and have a
    console open now (presence.py), with how many live chats each has."""
    return (
        User.objects.filter(
            presence.has_live_console(),
            is_active=True, agent__is_active=True, agent__departments=department_id,
            chat_availability__status=AgentAvailability.Status.AVAILABLE,
        )
        .annotate(live_chats=Count("chats_taken", filter=Q(chats_taken__status=Chat.Status.ACTIVE),
                                   distinct=True))
        .select_related("chat_availability")
    )


def least_busy_agent(department_id: int) -> User | None:
    """The available agent with the fewest live chats and room for one more;
    on a tie, the one who has been available longest."""
    candidates = [
        agent for agent in available_agents(department_id)
        if agent.live_chats < agent.chat_availability.max_chats
    ]
    candidates.sort(key=lambda a: (a.live_chats, a.chat_availability.changed_at, a.pk))
    return candidates[0] if candidates else None


def agents_available_count(department_id: int) -> int:
    return available_agents(department_id).count()


def queue_position(chat: Chat) -> int:
    """1 for the next chat to be taken in its department."""
    ahead = Chat.objects.filter(
        Q(created_at__lt=chat.created_at) | Q(created_at=chat.created_at, pk__lt=chat.pk),
        department_id=chat.department_id, status=Chat.Status.WAITING,
    ).count()
    return ahead + 1


def recent_waits(department_id: int, *, limit: int = 20) -> list[timedelta]:
    rows = (
        Chat.objects.filter(department_id=department_id, accepted_at__isnull=False)
        .order_by("-accepted_at").values_list("created_at", "accepted_at")[:limit]
    )
    return [accepted - created for created, accepted in rows]


def estimated_wait(position: int, agents: int, waits: list[timedelta]) -> timedelta:
    """Pure: the typical wait of recent chats (median) for each round of
    chats ahead, shared among the available agents."""
    per_chat = sorted(waits)[len(waits) // 2] if waits else DEFAULT_WAIT_PER_CHAT
    per_chat = max(per_chat, timedelta(seconds=30))
    rounds = -(-position // max(agents, 1))  # ceil
    return per_chat * rounds


def customer_state(chat: Chat, *, now=None) -> dict:
    """What the customer's widget shows besides the messages."""
    now = now or timezone.now()
    state = {
        "type": "state", "status": chat.status, "department": chat.department.name,
        # Named only once their console opened the chat: before, nobody is there.
        "agent": chat.agent.get_short_name() if chat.agent_id and chat.joined_at else "",
        "rated": chat.rating is not None, "transcript_sent": chat.transcript_sent_at is not None,
        "ticket": chat.ticket.number if chat.ticket_id else "",
        # Consent requests waiting for the customer's answer (ventanilla.fields).
        "consents": [{"id": request.pk, "action": request.action,
                      "expires_at": request.expires_at.isoformat()}
                     for request in chat_pending_consents(chat)] if chat.user_id else [],
    }
    unanswered_in = unanswered_seconds_left(chat, now=now)
    state["unanswered"] = unanswered_in == 0
    if unanswered_in:
        state["unanswered_in"] = unanswered_in  # the widget asks again then
    state["offer_ticket"] = state["unanswered"]
    if chat.status == Chat.Status.WAITING:
        position = queue_position(chat)
        agents = agents_available_count(chat.department_id)
        wait = estimated_wait(position, agents, recent_waits(chat.department_id))
        limit = timedelta(minutes=chat_settings(chat.department).max_wait_minutes)
        state.update(
            position=position, wait_minutes=max(1, round(wait.total_seconds() / 60)),
            agents=agents,
            # Nobody to answer, waiting past the department's limit, or no
            # agent answered in time.
            offer_ticket=agents == 0 or now - chat.created_at > limit or state["unanswered"],
        )
    return state


def unanswered_seconds_left(chat: Chat, *, now=None) -> int | None:
    """For a live chat no agent has written in yet: the seconds left until
    the customer is told nobody could attend them (0: that time has come).
    None once an agent answered, or for a chat that ended or became a ticket."""
    if chat.status == Chat.Status.CLOSED or chat.ticket_id:
        return None
    if chat.messages.filter(kind=ChatMessage.Kind.AGENT).exists():
        return None
    due = chat.created_at + timedelta(seconds=settings.VENTANILLA["CHAT_ANSWER_SECONDS"])
    return max(0, math.ceil((due - (now or timezone.now())).total_seconds()))


def history(chat: Chat, *, after: int = 0, for_agent: bool) -> list[ChatMessage]:
    messages = chat.messages.filter(seq__gt=after).select_related("author").order_by("seq")
    if not for_agent:
        messages = messages.exclude(kind=ChatMessage.Kind.NOTE)
    return list(messages)


def transcript_text(chat: Chat) -> str:
    """The conversation as the customer saw it, for a ticket's customer
    message: internal notes are never part of it (they go to the ticket as
    internal notes, see notes())."""
    lines = []
    for message in history(chat, for_agent=False):
        stamp = timezone.localtime(message.created_at).strftime("%H:%M")
        who = speaker(chat, message)
        # A system line (someone joined, a transfer...) has no speaker.
        lines.append(f"[{stamp}] {who}: {message.body}" if who else f"[{stamp}] {message.body}")
    return "\n".join(lines)


def speaker(chat: Chat, message: ChatMessage) -> str:
    """Who said a message in a transcript: the customer's or the agent's
    name; nobody for the chat's own notices."""
    if message.kind == ChatMessage.Kind.CUSTOMER:
        return chat.name
    if message.kind == ChatMessage.Kind.AGENT:
        return message.author.get_short_name() if message.author else ""
    return ""


def notes(chat: Chat) -> list[ChatMessage]:
    """The chat's internal notes (agents only), oldest first."""
    return list(chat.messages.filter(kind=ChatMessage.Kind.NOTE).select_related("author")
                .order_by("seq"))


def console_departments(user) -> list[Department]:
    departments = Department.objects.filter(is_active=True)
    if not sees_all_departments(user):
        departments = departments.filter(pk__in=agent_department_ids(user))
    return list(departments)


def console_state(user) -> dict:
    """Everything the console's chat page shows, as one JSON-able dict."""
    availability = AgentAvailability.objects.filter(user=user).first()
    departments = console_departments(user)
    department_ids = [d.pk for d in departments]
    live = Chat.objects.filter(status__in=LIVE).select_related("department", "agent")
    if sees_all_departments(user):
        visible = live
    else:
        visible = live.filter(Q(agent=user) | Q(status=Chat.Status.WAITING,
                                                 department_id__in=department_ids))
    chats = list(visible.order_by("created_at")[:300])

    def row(chat):
        return {
            "id": chat.pk, "name": chat.name, "status": chat.status,
            "department": chat.department.name, "department_id": chat.department_id,
            "agent": chat.agent.get_short_name() if chat.agent_id else "",
            "mine": chat.agent_id == user.pk, "created_at": chat.created_at.isoformat(),
            "visitor": chat.customer_id is None,
        }

    return {
        "type": "console",
        "availability": availability.status if availability else AgentAvailability.Status.AWAY,
        "max_chats": availability.max_chats if availability else 3,
        "supervisor": sees_all_departments(user),
        "departments": [{"id": d.pk, "name": d.name} for d in departments],
        "chats": [row(chat) for chat in chats],
    }


def transfer_agents(chat: Chat) -> list[User]:
    """Agents a chat may be handed to: those who work its department, each
    with whether a console of theirs is open now (at_console)."""
    return list(
        User.objects.filter(is_active=True, agent__is_active=True,
                            agent__departments=chat.department_id)
        .annotate(at_console=presence.has_live_console())
        .select_related("chat_availability").order_by("full_name", "email")
    )


# The consent request form's field prefix in the sidebar (beside other forms).
CONSENT_PREFIX = "autorizacion"


def convert_categories(chat: Chat) -> list:
    """The active categories of the chat's department, for "Convertir en
    ticket" with the category's fields."""
    return list(
        Category.objects.filter(department=chat.department_id, is_active=True)
        .select_related("parent").order_by("position", "name")
    )


def sidebar(chat: Chat, user) -> dict:
    """The console's customer sidebar of a chat, as `user` (the agent
    looking) may see it: the customer's tickets are only those the agent may
    open (tickets.access.tickets_for_agent, the ticket page's rule)."""
    from ventanilla.fields.forms import ConsentRequestForm
    from ventanilla.fields.selectors import chat_consent_rows

    customer = chat.customer
    return {
        "consent_form": ConsentRequestForm(prefix=CONSENT_PREFIX),
        "consents": chat_consent_rows(chat),
        "convert_categories": convert_categories(chat) if not chat.ticket_id else [],
        "services": list(customer.services.order_by("name")) if customer else [],
        "open_tickets": list(
            tickets_for_agent(user).filter(customer=customer, status__in=OPEN_STATUSES)
            .select_related("department").order_by("-updated_at")[:10]
        ) if customer else [],
        "canned_responses": list(
            CannedResponse.objects.filter(Q(department__isnull=True) | Q(department=chat.department_id))
        ),
        "agents": transfer_agents(chat),
        "departments": list(Department.objects.filter(is_active=True, chat_settings__is_enabled=True)),
    }
