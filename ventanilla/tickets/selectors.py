"""Reads: the queries behind the portal's and the console's lists.

Every function takes the user and starts from the access module's querysets,
so no list can show a ticket its viewer may not see."""

import copy
import json
import re
import time
from base64 import urlsafe_b64decode, urlsafe_b64encode
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.models import Service, User
from ventanilla.core import config_cache, spelling, text
from ventanilla.core.ids import parse_id

from . import search as ticket_search
from .access import (
    agent_department_ids,
    sees_all_departments,
    tickets_for_agent,
    tickets_for_customer,
)
from .models import (
    CannedResponse,
    Category,
    Channel,
    Department,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)

# --- Customer portal -------------------------------------------------------


def portal_departments() -> QuerySet[Department]:
    """The departments a customer may write to (not those another app
    reserves for its own forms, settings.VENTANILLA_PORTAL_HIDDEN_DEPARTMENTS)."""
    hidden = getattr(settings, "VENTANILLA_PORTAL_HIDDEN_DEPARTMENTS", ())
    return Department.objects.filter(is_active=True).exclude(slug__in=hidden)


def all_categories() -> list[Category]:
    """Every category, active or not, with its department and parent, from
    the configuration cache (shared instances: read-only)."""
    return config_cache.cached("categories-all", lambda: list(
        Category.objects.select_related("department", "parent")))


def portal_department_by_id(pk) -> Department | None:
    """A department of portal_departments() by id, from the configuration
    cache (a copy: the cached instance stays as read)."""
    hidden = tuple(getattr(settings, "VENTANILLA_PORTAL_HIDDEN_DEPARTMENTS", ()))
    by_id = config_cache.cached(f"portal-departments:{','.join(hidden)}",
                                lambda: {d.pk: d for d in portal_departments()})
    department = by_id.get(parse_id(pk))
    return copy.copy(department) if department is not None else None


def portal_category_by_id(pk) -> Category | None:
    """A category of portal_categories() by id, from the configuration cache."""
    by_id = config_cache.cached("portal-categories",
                                lambda: {c.pk: c for c in portal_categories()})
    category = by_id.get(parse_id(pk))
    return copy.copy(category) if category is not None else None


def portal_department(slug: str) -> Department | None:
    return portal_departments().filter(slug=slug).first()


def portal_categories(department: Department | None = None) -> QuerySet[Category]:
    """Active categories of active departments, never under an inactive parent."""
    qs = Category.objects.filter(is_active=True, department__is_active=True).filter(
        Q(parent__isnull=True) | Q(parent__is_active=True)
    )
    if department is not None:
        qs = qs.filter(department=department)
    return qs.select_related("department", "parent")


def portal_categories_tree(department: Department | None = None) -> list[Category]:
    """portal_categories in tree order: each parent followed by its children."""

    def key(category):
        root = category.parent or category
        dept = category.department
        return (dept.position, dept.name, root.position, root.name, root.pk,
                category.parent_id is not None, category.position, category.name)

    return sorted(portal_categories(department), key=key)


def customer_services(customer) -> QuerySet[Service]:
    return customer.services.all()


def customer_ticket_counts(user) -> dict[str, int]:
    """How many of the customer's tickets are in each status (one query)."""
    counts = {status.value: 0 for status in Status}
    rows = tickets_for_customer(user).order_by().values("status").annotate(n=Count("id"))
    for row in rows:
        counts[row["status"]] = row["n"]
    return counts


def customer_open_tickets(user, *, limit: int = 10) -> list[Ticket]:
    """The customer's tickets that are not Cerrado, latest activity first."""
    return list(
        tickets_for_customer(user).exclude(status=Status.CLOSED)
        .select_related("department").order_by("-updated_at", "-id")[:limit]
    )


def customer_search_condition(query: str) -> Q:
    """A ticket number (with or without "#"), or text in the subject or in
    a message the customer can read (never in internal notes)."""
    text = query.strip()
    number = text.removeprefix("#").strip()
    public_bodies = Message.objects.filter(ticket=OuterRef("pk"), body__icontains=text).exclude(
        kind=Message.Kind.NOTE)
    condition = Q(subject__icontains=text) | Q(Exists(public_bodies))
    if number.isdigit():
        condition |= Q(number=number)
    return condition


def customer_ticket_history(user, *, status: str = "", query: str = "") -> QuerySet[Ticket]:
    """"Historial de tickets": newest update first, filtered and searched."""
    qs = tickets_for_customer(user).select_related("department")
    if status:
        qs = qs.filter(status=status)
    if query.strip():
        qs = qs.filter(customer_search_condition(query))
    return qs.order_by("-updated_at", "-id")


def customer_ticket_messages(ticket: Ticket) -> list[Message]:
    """The conversation a customer sees: everything but internal notes."""
    return list(
        ticket.messages.exclude(kind=Message.Kind.NOTE)
        .select_related("author").prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def customer_follow_ups(user, ticket: Ticket) -> list[Ticket]:
    """The customer's tickets opened as a continuation of `ticket`."""
    return list(
        tickets_for_customer(user).filter(follow_up_of=ticket)
        .only("number", "subject", "status").order_by("created_at")
    )


# --- Agent console ---------------------------------------------------------


@dataclass(frozen=True)
class QueueView:
    """A tab of the agent queue: which tickets and in which order.

    `ordering` lists (field, descending) pairs and always ends with the
    primary key, so the order is total and keyset pagination is exact."""

    key: str
    label: str
    ordering: tuple[tuple[str, bool], ...]
    statuses: tuple[str, ...] = ()
    unassigned: bool = False
    mine: bool = False


# Priority values sort "alta" < "regular", so an ascending order puts Alta
# first; then the earliest response-time due (Ticket.due_at, never NULL:
# tickets with no running target sort last), which the tk_queue_due index
# (department, status, priority, due_at) serves as it is.
ALTA_FIRST_DUE = (("priority", False), ("due_at", False), ("created_at", False), ("id", False))
ALTA_FIRST_OLDEST = (("priority", False), ("created_at", False), ("id", False))
OLDEST_FIRST = (("created_at", False), ("id", False))
RECENT_FIRST = (("updated_at", True), ("id", True))
OPEN_STATUSES = (Status.OPEN, Status.PENDING)

QUEUE_VIEWS = {
    view.key: view
    for view in [
        QueueView("", _("Por atender"), ALTA_FIRST_DUE, statuses=(Status.OPEN,)),
        QueueView("sin-asignar", _("Sin asignar"), ALTA_FIRST_DUE, statuses=OPEN_STATUSES,
                  unassigned=True),
        QueueView("mios", _("Mis tickets"), RECENT_FIRST,
                  statuses=(Status.OPEN, Status.PENDING, Status.RESOLVED), mine=True),
        QueueView("esperando", _("Esperando al cliente"), RECENT_FIRST, statuses=(Status.PENDING,)),
        QueueView("alta", _("Alta prioridad primero"), ALTA_FIRST_DUE, statuses=OPEN_STATUSES),
        QueueView("antiguos", _("Más antiguos"), OLDEST_FIRST, statuses=(Status.OPEN,)),
        QueueView("abiertos", _("Todos abiertos"), RECENT_FIRST, statuses=OPEN_STATUSES),
        QueueView("resueltos", _("Resueltos"), RECENT_FIRST, statuses=(Status.RESOLVED,)),
        QueueView("cerrados", _("Cerrados"), RECENT_FIRST, statuses=(Status.CLOSED,)),
    ]
}
# Search results: full-text rank first (search_position, an annotation
# from console_search), then the newest update.
SEARCH_ORDERING = (("search_position", False), ("updated_at", True), ("id", True))
# At most this many text matches per search (the best of the newest
# search.WINDOW); numbers, emails and domains are exact and not bounded.
SEARCH_LIMIT = 200


def console_departments(user) -> list[Department]:
    """The departments offered in the console's filter: the agent's own,
    every active one for supervisors and admins."""
    if sees_all_departments(user):
        return list(Department.objects.filter(is_active=True))
    return list(Department.objects.filter(id__in=agent_department_ids(user)))


def console_queue(user, *, view: QueueView,
                  department: Department | None = None) -> QuerySet[Ticket]:
    """The tickets of one queue tab, unordered (keyset_page orders them)."""
    qs = tickets_for_agent(user)
    if department is not None:
        qs = qs.filter(department=department)
    if view.statuses:
        qs = qs.filter(status__in=view.statuses)
    if view.unassigned:
        qs = qs.filter(assignee__isnull=True)
    if view.mine:
        qs = qs.filter(assignee=user)
    return qs


EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9-]+\.)+[a-z]{2,63}$", re.IGNORECASE)
NUMBER_RE = re.compile(r"^#?\s*(\d{3,12})$")


def parse_search(q: str) -> tuple[str, str]:
    """Classify a console search: ("number" | "email" | "email_part" |
    "domain" | "text" | "", the term). Pure, so it is tested without a database."""
    q = (q or "").strip()
    if not q:
        return "", ""
    if match := NUMBER_RE.match(q):
        return "number", match.group(1)
    if "@" in q and " " not in q:
        return ("email" if EMAIL_RE.match(q) else "email_part"), q.lower()
    domain = re.sub(r"^(https?://)?(www\.)?", "", q, flags=re.IGNORECASE).rstrip("/").lower()
    if DOMAIN_RE.match(domain):
        return "domain", domain
    return "text", q


# The console's spelling vocabulary: the subjects of the newest tickets the
# agent may see and the category names, rebuilt per process every few minutes.
SPELLING_TICKETS = 5000
SPELLING_SECONDS = 300
_spelling_vocabularies: dict[tuple, tuple[float, spelling.Vocabulary]] = {}


def _console_vocabulary(user) -> spelling.Vocabulary:
    scope = ("all",) if sees_all_departments(user) else tuple(sorted(agent_department_ids(user)))
    entry = _spelling_vocabularies.get(scope)
    now = time.monotonic()
    if entry is None or entry[0] < now:
        subjects = (tickets_for_agent(user).order_by("-id")
                    .values_list("subject", flat=True)[:SPELLING_TICKETS])
        names = Category.objects.values_list("name", flat=True)
        vocabulary = spelling.build_vocabulary([*subjects, *names], ticket_search.LANGUAGE)
        if len(_spelling_vocabularies) > 256:
            _spelling_vocabularies.clear()
        entry = _spelling_vocabularies[scope] = (now + SPELLING_SECONDS, vocabulary)
    return entry[1]


def console_search_spelling(user, q: str) -> str:
    """The console search as it runs, with the help centre's typo tolerance
    (ventanilla/core/spelling.py): a text search word that no ticket
    contains ("outlok") is replaced by the closest word of the agent's
    tickets' subjects and categories ("outlook"). Returns `q` unchanged when
    every word is known or nothing is close."""
    kind, term = parse_search(q)
    if kind != "text":
        return q
    query = text.parse_query(term, ticket_search.LANGUAGE)
    fixes = spelling.corrections(query, has_word=ticket_search.has_word,
                                 vocabulary=lambda: _console_vocabulary(user))
    return spelling.corrected_text(query, fixes) if fixes else q


def console_search(user, q: str, *, department: Department | None = None) -> QuerySet[Ticket]:
    """Search the tickets the agent may see, unordered (keyset_page orders
    them by SEARCH_ORDERING: every row carries `search_position`).

    - a ticket number, with or without "#" (also matches order numbers);
    - a customer email: exact and case-insensitive, or a part containing "@";
    - a domain: a service's domain or the domain of a customer's email
      (also matched as text);
    - anything else: full-text search of the subject and every message,
      internal notes included (tickets/search.py: stems, accents folded,
      ranked), and the values of the category's fields."""
    kind, term = parse_search(q)
    qs = tickets_for_agent(user)
    if department is not None:
        qs = qs.filter(department=department)
    ranked: list[int] = []
    if kind == "number":
        condition = (
            Q(number=term)
            | Q(incident_order_number=term)
            | Q(service__order_number=term)
        )
    elif kind == "email":
        condition = Q(customer__email__lower=term.lower()) | Q(requester__email__lower=term.lower())
    elif kind == "email_part":
        condition = Q(customer__email__icontains=term)
    elif kind == "domain":
        ranked = ticket_search.ranked_ticket_ids(term, candidates=qs, limit=SEARCH_LIMIT)
        customers_with_domain = Service.objects.filter(domain__iexact=term).values("customer_id")
        condition = (
            Q(service__domain__iexact=term)
            | Q(customer_id__in=customers_with_domain)
            | Q(customer__email__iendswith="@" + term)
            | Q(pk__in=ranked)  # "wp-login.php" looks like a domain too
        )
    elif kind == "text":
        ranked = ticket_search.ranked_ticket_ids(term, candidates=qs, limit=SEARCH_LIMIT)
        condition = Q(pk__in=ranked)
    else:
        return qs.none().annotate(search_position=Value(0))
    if kind != "number":
        # Values of the category's fields (ventanilla.fields): the affected address, the database...
        from ventanilla.fields.selectors import tickets_matching_value

        condition |= Q(pk__in=tickets_matching_value(term))
    return qs.filter(condition).annotate(search_position=_positions(ranked))


UNRANKED = 2_147_483_647  # search_position of matches that are not ranked text matches


def _positions(ranked: list[int]):
    """Each ranked ticket's place in the ranking (the offset of ",id," in
    the comma-joined ranking: increasing with rank), UNRANKED for the rest.
    One parameter, not a CASE of 200 branches: Django copies and compiles
    every branch of an expression, which cost ~40 ms per search page."""
    if not ranked:
        return Value(UNRANKED, output_field=IntegerField())
    joined = "," + ",".join(str(pk) for pk in ranked) + ","
    if connection.vendor == "postgresql":
        find = "strpos(%s, ',' || \"tickets_ticket\".\"id\"::text || ',')"
    else:
        find = "instr(%s, ',' || \"tickets_ticket\".\"id\" || ',')"
    return RawSQL(f"COALESCE(NULLIF({find}, 0), {UNRANKED})", (joined,),
                  output_field=IntegerField())


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    page_size: int


def keyset_filter(ordering, values) -> Q:
    """Rows strictly after `values` in `ordering` ((field, descending) pairs):
    (a > a0) OR (a = a0 AND b > b0) OR ... Pure, tested without a database."""
    condition = Q(pk__in=[])
    for i, (field, descending) in enumerate(ordering):
        step = Q(**{f"{field}__{'lt' if descending else 'gt'}": values[i]})
        for j, (prev_field, _descending) in enumerate(ordering[:i]):
            step &= Q(**{prev_field: values[j]})
        condition |= step
    return condition


def encode_cursor(ordering, row) -> str:
    values = []
    for field, _descending in ordering:
        value = getattr(row, field)
        values.append(value.isoformat() if isinstance(value, datetime) else value)
    raw = json.dumps(values, separators=(",", ":")).encode()
    return urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(ordering, cursor: str | None, model=Ticket) -> list | None:
    """The sort-key values of a cursor, or None when absent or tampered with."""
    if not cursor:
        return None
    try:
        raw = json.loads(urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(raw, list) or len(raw) != len(ordering):
            return None
        values = []
        for (field, _descending), value in zip(ordering, raw, strict=True):
            if not isinstance(value, str | int) or isinstance(value, bool):
                return None
            if field == "search_position":  # an annotation (console_search)
                values.append(int(value))
                continue
            model_field = model._meta.get_field(field)
            values.append(model_field.to_python(value))
        if any(v is None for v in values):
            return None
        return values
    except (ValueError, TypeError, ValidationError):
        return None


def keyset_page(qs: QuerySet, ordering, *, cursor: str | None, page_size: int) -> KeysetPage:
    """One page of `qs` after `cursor`, without COUNT(*): fetch one row more
    than the page to know whether there is a next page."""
    values = decode_cursor(ordering, cursor, qs.model)
    if values is not None:
        qs = qs.filter(keyset_filter(ordering, values))
    qs = qs.order_by(*[f"-{f}" if desc else f for f, desc in ordering])
    rows = list(qs[: page_size + 1])
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    next_cursor = encode_cursor(ordering, rows[-1]) if has_next else None
    return KeysetPage(rows=rows, next_cursor=next_cursor, page_size=page_size)


def console_ticket_page(qs: QuerySet[Ticket], ordering, *, cursor, page_size) -> KeysetPage:
    """A queue or search page with everything its rows show, in one query."""
    qs = qs.select_related("customer", "department", "category__parent", "assignee").defer(
        "incident_diagnostics"
    )
    return keyset_page(qs, ordering, cursor=cursor, page_size=page_size)


def console_ticket_messages(ticket: Ticket) -> list[Message]:
    """The whole conversation, internal notes and system messages included."""
    return list(
        ticket.messages.select_related("author", "inbound_email")
        .prefetch_related("attachments")
        .order_by("created_at", "id")
    )


def console_new_messages(ticket: Ticket, *, after_id: int, user) -> list[Message]:
    """Messages added after `after_id` by anyone but `user` (the stale-reply guard)."""
    return list(ticket.messages.filter(id__gt=after_id).exclude(author=user).only("id"))


@dataclass(frozen=True)
class EventRow:
    created_at: datetime
    actor: str
    label: str
    from_value: str
    to_value: str


def _event_value(kind: str, value: str) -> str:
    if not value:
        return ""
    choices = {
        TicketEvent.Kind.STATUS: Status,
        TicketEvent.Kind.PRIORITY: Priority,
        TicketEvent.Kind.CREATED: Channel,
    }.get(kind)
    if choices is not None:
        try:
            return str(choices(value).label)
        except ValueError:
            return value
    if kind == TicketEvent.Kind.MERGED:
        return f"#{value}"
    return value


def console_ticket_events(ticket: Ticket) -> list[EventRow]:
    """The event log with human labels (who, when, from → to)."""
    rows = []
    for event in ticket.events.select_related("actor").order_by("created_at", "id"):
        label = {
            TicketEvent.Kind.CREATED: _("Ticket creado"),
            TicketEvent.Kind.CLOSE_WARNING: _("Aviso de cierre enviado al cliente"),
        }.get(event.kind) or TicketEvent.Kind(event.kind).label
        from_value = _event_value(event.kind, event.from_value)
        to_value = _event_value(event.kind, event.to_value)
        if event.kind == TicketEvent.Kind.ASSIGNEE:
            from_value = from_value or str(_("sin asignar"))
            to_value = to_value or str(_("sin asignar"))
        rows.append(EventRow(
            created_at=event.created_at,
            actor=str(event.actor) if event.actor_id else str(_("Sistema")),
            label=str(label), from_value=from_value, to_value=to_value,
        ))
    return rows


def console_customer_services(customer) -> list[Service]:
    return list(customer.services.all())


def console_customer_other_tickets(user, ticket: Ticket, *, limit: int = 10) -> list[Ticket]:
    """The customer's last tickets but this one, among those the agent may
    open (access.tickets_for_agent: the ticket page's own rule). Tickets of
    other departments are not listed at all: their subjects are not the
    agent's to read. The rule is a plain department IN (...) on the
    customer's rows, not an EXISTS per row (docs/performance.md)."""
    return list(
        tickets_for_agent(user).filter(customer_id=ticket.customer_id)
        .exclude(pk=ticket.pk)
        .only("number", "subject", "status", "priority", "updated_at", "department_id")
        .order_by("-updated_at", "-id")[:limit]
    )


def console_canned_responses(ticket: Ticket) -> list[CannedResponse]:
    """Canned responses of the ticket's department and the global ones."""
    return list(
        CannedResponse.objects.filter(
            Q(department_id=ticket.department_id) | Q(department__isnull=True)
        )
    )


def console_assignable_agents(department: Department) -> QuerySet[User]:
    """Active agents who work `department`, supervisors included."""
    return (
        User.objects.filter(is_active=True, agent__is_active=True)
        .filter(Q(agent__departments=department) | Q(agent__is_supervisor=True))
        .distinct()
        .order_by("full_name", "email")
    )
