"""Reads of the fields app: a category's fields and guidance, a ticket's
values, history and consent requests."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from ventanilla.accounts.models import Service
from ventanilla.core import config_cache
from ventanilla.core.ids import parse_id
from ventanilla.tickets.models import Category

from .models import (
    CategoryField,
    CategoryGuidance,
    ConsentRequest,
    FieldValueChange,
    TicketFieldValue,
)


def _lineage(category: Category) -> list[int]:
    """The category and its parent (the tree is two levels deep)."""
    return [category.parent_id, category.pk] if category.parent_id else [category.pk]


def category_fields(category: Category) -> list[CategoryField]:
    """Active fields of the parent first, then the category's own (shared
    instances from the configuration cache: read-only)."""
    lineage = _lineage(category)

    def read():
        fields = CategoryField.objects.filter(category_id__in=lineage, is_active=True)
        return sorted(fields, key=lambda f: (lineage.index(f.category_id), f.position, f.pk))

    return list(config_cache.cached(f"category-fields:{'.'.join(map(str, lineage))}", read))


def category_guidance(category: Category) -> str:
    """The category's own guidance, else its parent's."""
    lineage = _lineage(category)

    def read():
        texts = dict(CategoryGuidance.objects.filter(category_id__in=lineage)
                     .values_list("category_id", "text"))
        return texts.get(category.pk) or texts.get(category.parent_id) or ""

    return config_cache.cached(f"category-guidance:{'.'.join(map(str, lineage))}", read)


def portal_category(category_id) -> Category | None:
    """An active category the portal offers, by id (None for anything else)."""
    category_id = parse_id(category_id)
    if category_id is None:
        return None
    return (Category.objects.filter(pk=category_id, is_active=True, department__is_active=True)
            .select_related("parent").first())


def customer_domains(customer) -> frozenset[str]:
    """The domains of the customer's services that are not cancelled."""
    return frozenset(
        domain.lower() for domain in Service.objects.filter(customer=customer)
        .exclude(status=Service.Status.CANCELLED).exclude(domain="")
        .values_list("domain", flat=True)
    )


def ticket_values(ticket) -> list[TicketFieldValue]:
    return list(TicketFieldValue.objects.filter(ticket=ticket).select_related("field")
                .order_by("position", "id"))


def ticket_field_changes(ticket) -> list[FieldValueChange]:
    return list(FieldValueChange.objects.filter(ticket=ticket).select_related("actor"))


def ticket_consent_requests(ticket) -> list[ConsentRequest]:
    """The ticket's requests, with those asked in the chat it came from."""
    return list(ConsentRequest.objects.filter(Q(ticket=ticket) | Q(chat__ticket=ticket))
                .select_related("requested_by", "answer", "kind", "record__done_by")
                .order_by("-created_at", "-id"))


def tickets_matching_value(term: str) -> QuerySet:
    """Ticket ids whose field values contain `term` (the console search)."""
    return TicketFieldValue.objects.filter(text__icontains=term).values("ticket_id")


@dataclass(frozen=True)
class ConsentRow:
    request: ConsentRequest
    state: str  # "pendiente", "vencida", "autorizo", "no_autorizo"

    @property
    def answer(self):
        return getattr(self.request, "answer", None)


def consent_state(request: ConsentRequest, now: datetime | None = None) -> str:
    answer = getattr(request, "answer", None)
    if answer is not None:
        return answer.decision
    return "vencida" if request.is_expired(now) else "pendiente"


def consent_rows(ticket) -> list[ConsentRow]:
    now = timezone.now()
    return [ConsentRow(request, consent_state(request, now))
            for request in ticket_consent_requests(ticket)]


def chat_pending_consents(chat) -> list[ConsentRequest]:
    """A chat's requests still waiting for the customer's answer."""
    return list(ConsentRequest.objects.filter(chat=chat, answer__isnull=True,
                                              expires_at__gt=timezone.now())
                .order_by("created_at", "id"))


def chat_consent_rows(chat) -> list[ConsentRow]:
    """Every request asked in the chat, newest first, with its state."""
    now = timezone.now()
    requests = (ConsentRequest.objects.filter(chat=chat)
                .select_related("requested_by", "answer", "kind", "record__done_by")
                .order_by("-created_at", "-id"))
    return [ConsentRow(request, consent_state(request, now)) for request in requests]
