"""/api/v1/chats: chat transcripts, read only. The integration's agent sees
the chats ventanilla.chat.access lets it read in the console (every chat for
supervisors; its own and its departments' waiting chats for an agent).
Messages are returned as stored (card numbers and passwords masked on the
way in by ventanilla.chat.sensitive); internal transfer notes never leave."""

from datetime import date, datetime, time, timedelta
from typing import Literal

from django.db.models import Q, QuerySet
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema
from ninja.responses import Status

from ventanilla.chat.access import agent_may_read
from ventanilla.chat.models import Chat
from ventanilla.chat.selectors import history
from ventanilla.tickets.access import agent_department_ids, sees_all_departments
from ventanilla.tickets.selectors import keyset_page

from .. import services
from ..models import ExternalRef
from .auth import acting_agent, require
from .errors import ERROR_CODES, Problem, not_found

router = Router(tags=["chats"])

NEWEST_FIRST = (("created_at", True), ("id", True))
ChatStatus = Literal["espera", "activo", "cerrado"]


class ChatCustomer(Schema):
    external_id: str | None
    name: str
    email: str


class ChatOut(Schema):
    id: int
    status: ChatStatus
    department: str
    customer: ChatCustomer
    agent: str | None = Field(None, description="Correo del agente.")
    created_at: datetime
    accepted_at: datetime | None
    closed_at: datetime | None
    rating: int | None
    rating_comment: str
    ticket: str | None = Field(None, description="Número del ticket creado desde el chat.")


class ChatMessageOut(Schema):
    seq: int
    kind: Literal["cliente", "agente", "sistema"]
    author: str | None
    body: str
    created_at: datetime


class ChatDetail(ChatOut):
    messages: list[ChatMessageOut]


class ChatPage(Schema):
    items: list[ChatOut]
    next_cursor: str | None


class ChatFilters(Schema):
    customer: str | None = Field(None, max_length=100, description="Id externo del cliente.")
    status: ChatStatus | None = None
    since: date | None = Field(None, description="Chats iniciados desde este día (incluido).")
    until: date | None = Field(None, description="Chats iniciados hasta este día (incluido).")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(25, ge=1, le=100)


def chats_for_agent(user) -> QuerySet[Chat]:
    """The queryset form of ventanilla.chat.access.agent_may_read."""
    if sees_all_departments(user):
        return Chat.objects.all()
    return Chat.objects.filter(
        Q(agent=user) | Q(status=Chat.Status.WAITING, department_id__in=agent_department_ids(user)))


def _rows(integration, chats: list[Chat]) -> list[dict]:
    refs = services.ref_external_ids(integration, ExternalRef.Kind.CUSTOMER,
                                     {c.customer_id for c in chats if c.customer_id})
    return [{
        "id": c.pk, "status": c.status, "department": c.department.slug,
        "customer": {"external_id": refs.get(c.customer_id), "name": c.name, "email": c.email},
        "agent": c.agent.email if c.agent_id else None,
        "created_at": c.created_at, "accepted_at": c.accepted_at, "closed_at": c.closed_at,
        "rating": c.rating, "rating_comment": c.rating_comment,
        "ticket": c.ticket.number if c.ticket_id else None,
    } for c in chats]


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


@router.get("", response={200: ChatPage, ERROR_CODES: Problem}, summary="Lista de chats")
def chat_list(request, filters: Query[ChatFilters]):
    """Newest first; pass `next_cursor` back as `cursor` for the next page."""
    key = require(request, "chats", "read")
    qs = chats_for_agent(acting_agent(request))
    if filters.customer:
        customer = services.customer_by_external_id(key.integration, filters.customer)
        qs = qs.filter(customer=customer) if customer else qs.none()
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.since:
        qs = qs.filter(created_at__gte=_day_start(filters.since))
    if filters.until:
        qs = qs.filter(created_at__lt=_day_start(filters.until + timedelta(days=1)))
    qs = qs.select_related("department", "agent", "ticket")
    page = keyset_page(qs, NEWEST_FIRST, cursor=filters.cursor, page_size=filters.limit)
    return Status(200, {"items": _rows(key.integration, page.rows), "next_cursor": page.next_cursor})


@router.get("/{chat_id}", response={200: ChatDetail, ERROR_CODES: Problem},
            summary="Un chat con su transcripción")
def chat_get(request, chat_id: int = Path(..., ge=1, le=2**31 - 1)):
    key = require(request, "chats", "read")
    agent = acting_agent(request)
    chat = Chat.objects.select_related("department", "agent", "ticket").filter(pk=chat_id).first()
    if chat is None or not agent_may_read(agent, chat):
        raise not_found()
    messages = [{"seq": m.seq, "kind": m.kind, "author": m.author.email if m.author_id else None,
                 "body": m.body, "created_at": m.created_at}
                for m in history(chat, for_agent=False)]
    return Status(200, {**_rows(key.integration, [chat])[0], "messages": messages})
