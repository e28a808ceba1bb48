"""Notification emails, from "something happened to a ticket" to bytes on
the wire.

The ticket's transaction records what must be notified (an outbox row,
see "The outbox" below); once it commits, a job builds each notification
exactly once: rendered in the customer's language (text and HTML), given our own
Message-ID (recorded as a ThreadId of the ticket, so that a reply to it
threads) and In-Reply-To/References pointing to the conversation, and
stored as an OutboundEmail row (pendiente). A job then sends that row,
retrying with exponential backoff; every retry sends the same message with
the same Message-ID. A row that still fails after the last attempt is marked
fallido with the error: supervisors see it in the console
(/consola/envios-fallidos/, selectors.delivery_problems) and re-queue it.

Delivery is at most once per row as far as we control it: the job claims
an attempt with a conditional UPDATE before talking to the SMTP server, so
two jobs for the same row (a duplicate, the sweep) never both send. (An SMTP
server that accepts a message and then drops the connection before we record
it can still see it twice; the unchanged Message-ID lets clients fold those.)
"""

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import getaddresses, make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from ventanilla.core.models import SiteSettings
from ventanilla.tickets.models import Message, Ticket

from . import notification_addresses
from .models import Mailbox, NotificationOutbox, OutboundEmail, Participant, ThreadId

logger = logging.getLogger(__name__)

# Ticket notifications, each with emails/ticket_<kind>{_subject.txt,.txt,.html}.
TICKET_KINDS = {"created", "reply", "resolved", "closed", "close_warning", "auto_closed"}
# Sent by the system on its own (RFC 3834 "Auto-Submitted: auto-replied"), so
# that well-behaved autoresponders on the other side don't answer them. An
# agent's reply, or a status an agent set, is written by a person.
AUTOMATIC_KINDS = {"created", "close_warning", "auto_closed"}

# Other apps take part in ticket notifications without this module importing
# them (they append here in AppConfig.ready): each hook is called as
# hook(kind, ticket, message, recipients), may record the event (the
# notification center does), and returns the recipients to use; an empty
# list sends nothing.
TICKET_NOTIFICATION_HOOKS: list = []

# How long a claimed attempt may run before the sweep counts its job as lost
# (well above EMAIL_TIMEOUT), and how late a due job may be before the sweep
# queues it again.
IN_FLIGHT = timedelta(minutes=10)
SWEEP_GRACE = timedelta(minutes=5)
# Tolerated clock difference between the host that scheduled a retry and the
# one that runs it.
CLOCK_SKEW = timedelta(seconds=5)


# --- Building --------------------------------------------------------------

def mail_domain() -> str:
    """The right-hand side of our Message-IDs."""
    if settings.VENTANILLA_MAIL_DOMAIN:
        return settings.VENTANILLA_MAIL_DOMAIN
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return address.rpartition("@")[2] or "localhost"


def new_message_id() -> str:
    return make_msgid(idstring="ventanilla", domain=mail_domain())


def own_addresses() -> set[str]:
    """Addresses that are us: never a recipient (that would be a mail loop)."""
    ours = {address.lower() for address in Mailbox.objects.values_list("address", flat=True)}
    ours.add(parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower())
    return ours


def department_mailbox_address(ticket: Ticket) -> str | None:
    """The department's active mailbox: Reply-To points there so that a reply
    lands in the ticket's queue (without one, replies go to From)."""
    return (
        Mailbox.objects.filter(department_id=ticket.department_id, is_active=True)
        .order_by("pk").values_list("address", flat=True).first()
    )


def unique_addresses(addresses, *, exclude: set[str] = frozenset()) -> list[str]:
    """Drop empties, duplicates (case-insensitive; the first spelling wins)
    and excluded addresses, keeping the order."""
    seen = set(exclude)
    result = []
    for address in addresses:
        address = (address or "").strip()
        if address and address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    return result


def ticket_recipients(ticket: Ticket) -> list[str]:
    """The customer's registered address, their confirmed support addresses
    and the ticket's participants."""
    customer = ticket.customer
    return unique_addresses(
        [
            customer.email,
            *notification_addresses.confirmed_emails(
                customer, kind=notification_addresses.NotificationAddress.Kind.SUPPORT),
            *Participant.objects.filter(ticket=ticket).order_by("pk").values_list("email", flat=True),
        ],
        exclude=own_addresses(),
    )


def thread_headers(ticket: Ticket) -> dict[str, str]:
    """In-Reply-To the latest Message-ID of the conversation, References the
    root and the latest, like mail clients trim long threads."""
    ids = ThreadId.objects.filter(ticket=ticket).order_by("pk")
    root = ids.values_list("message_id", flat=True).first()
    if root is None:
        return {}
    latest = ids.values_list("message_id", flat=True).last()
    references = root if root == latest else f"{root} {latest}"
    return {"In-Reply-To": latest, "References": references}


def customer_language(customer) -> str:
    language = customer.user.language if customer.user_id else settings.LANGUAGE_CODE
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def first_response_promise(ticket: Ticket) -> str:
    """The first-response time the ticket's SLA policy promises."""
    from ventanilla.sla.selectors import promise_text

    return promise_text(ticket)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(template: str, context: dict, *, language: str) -> Rendered:
    """emails/<template>_subject.txt, .txt and .html in the given language."""
    with translation.override(language):
        context = {**context, "language": language}
        # One line, and a plain str: the HTML template must escape it.
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", {**context, "subject": subject})
    return Rendered(subject=subject[:300], text=text, html=html)


def build_message(outbound: OutboundEmail, *, connection=None) -> EmailMultiAlternatives:
    """The email exactly as stored: every attempt sends the same message."""
    headers = dict(outbound.headers)
    reply_to = headers.pop("Reply-To", "")
    email = EmailMultiAlternatives(
        subject=outbound.subject, body=outbound.text_body,
        from_email=outbound.from_email or settings.DEFAULT_FROM_EMAIL,
        to=[address for _name, address in getaddresses([outbound.to])],
        reply_to=[reply_to] if reply_to else None,
        headers={**headers, "Message-ID": outbound.message_id},
        connection=connection,
    )
    if outbound.html_body:
        email.attach_alternative(outbound.html_body, "text/html")
    return email


# --- Queueing --------------------------------------------------------------

def email_queue(*, kind: str, to: list[str], rendered: Rendered, headers: dict[str, str],
                ticket: Ticket | None = None, thread: bool = True,
                message: Message | None = None) -> OutboundEmail:
    """Log one email as pendiente and send it once the caller's transaction
    commits. A ticket email's Message-ID joins the ticket's thread (unless
    `thread` is False: the agents' emails). `message`: the ticket message it
    is about, if any."""
    message_id = new_message_id()
    with transaction.atomic():
        outbound = OutboundEmail.objects.create(
            kind=kind, ticket=ticket, ticket_message=message, to=", ".join(to), subject=rendered.subject,
            message_id=message_id, from_email=settings.DEFAULT_FROM_EMAIL,
            text_body=rendered.text, html_body=rendered.html, headers=headers,
        )
        if ticket is not None and thread:
            ThreadId.objects.create(ticket=ticket, message_id=message_id)
        transaction.on_commit(lambda: enqueue(outbound.pk))
    return outbound


def ticket_notification_queue(kind: str, *, ticket_id: int | None,
                              message_id: int | None = None) -> OutboundEmail | None:
    """Build and queue the email about one ticket event. Called after the
    ticket's transaction commits (tickets.notifications)."""
    assert kind in TICKET_KINDS, kind
    message = None
    if message_id is not None:
        message = Message.objects.select_related("author").get(pk=message_id)
        ticket_id = message.ticket_id
    ticket = Ticket.objects.select_related("customer__user", "department").get(pk=ticket_id)
    to = ticket_recipients(ticket)
    for hook in TICKET_NOTIFICATION_HOOKS:
        to = hook(kind, ticket, message, to)
    if not to:
        return None
    mailbox_address = department_mailbox_address(ticket)
    site = SiteSettings.load()
    context = {
        "ticket": ticket, "message": message, "customer": ticket.customer, "site": site,
        "site_url": settings.SITE_URL, "days": site.auto_close_days,
        "promise": first_response_promise(ticket) if kind == "created" else "",
        "reply_by_email": mailbox_address is not None,
    }
    rendered = render(f"ticket_{kind}", context, language=customer_language(ticket.customer))
    headers = {
        "Reply-To": mailbox_address or settings.DEFAULT_FROM_EMAIL,
        **thread_headers(ticket),
        # Asks Exchange/Outlook not to send out-of-office replies to us.
        "X-Auto-Response-Suppress": "OOF, AutoReply",
    }
    if kind in AUTOMATIC_KINDS:
        headers["Auto-Submitted"] = "auto-replied"
    return email_queue(kind=kind, to=to, rendered=rendered, headers=headers, ticket=ticket,
                       message=message)


AGENT_KINDS = {"agent_new_ticket", "agent_customer_reply"}


def agent_recipients(ticket: Ticket, *, kind: str, actor_id: int | None = None) -> list:
    """Who hears of it: for a new ticket, the active agents of its
    department; for a customer's reply, its assignee, or the department's
    agents while nobody has it. Only agents who keep the emails on, never
    the person who caused it."""
    from ventanilla.accounts.models import User

    agents = User.objects.filter(is_active=True, agent__is_active=True,
                                 agent__email_notifications=True)
    if kind == "agent_customer_reply" and ticket.assignee_id:
        agents = agents.filter(pk=ticket.assignee_id)
    else:
        agents = agents.filter(agent__departments=ticket.department_id)
    if actor_id is not None:
        agents = agents.exclude(pk=actor_id)
    return list(agents.distinct().order_by("pk"))


def agent_thread_headers(ticket: Ticket) -> dict[str, str]:
    """Agents' emails about one ticket form their own thread (a stable root
    id per ticket), apart from the customer's: those Message-IDs are not
    recorded as the ticket's, so a reply to one is never taken for the
    customer's."""
    root = f"<ticket-{ticket.number}.agentes@{mail_domain()}>"
    return {"In-Reply-To": root, "References": root}


def agent_notification_queue(kind: str, *, ticket_id: int | None = None,
                             message_id: int | None = None,
                             actor_id: int | None = None) -> list[OutboundEmail]:
    """One email to each agent who should hear of a new ticket or of a
    customer's reply (tickets.notifications), with the message, the
    category's field values and a link to the console. Rendered once per
    language."""
    from ventanilla.fields.selectors import ticket_values

    assert kind in AGENT_KINDS, kind
    message = None
    if message_id is not None:
        message = Message.objects.select_related("author").get(pk=message_id)
        ticket_id = message.ticket_id
    ticket = Ticket.objects.select_related("customer", "department", "category__parent",
                                           "assignee").get(pk=ticket_id)
    agents = agent_recipients(ticket, kind=kind, actor_id=actor_id)
    if not agents:
        return []
    if message is None:
        message = ticket.messages.order_by("pk").first()
    context = {
        "ticket": ticket, "message": message, "customer": ticket.customer,
        "values": ticket_values(ticket), "site": SiteSettings.load(),
        "site_url": settings.SITE_URL,
    }
    headers = {**agent_thread_headers(ticket), "Auto-Submitted": "auto-generated",
               "X-Auto-Response-Suppress": "OOF, AutoReply"}
    rendered_by_language: dict[str, Rendered] = {}
    queued = []
    for agent in agents:
        language = agent.language if agent.language in dict(settings.LANGUAGES) \
            else settings.LANGUAGE_CODE
        if language not in rendered_by_language:
            rendered_by_language[language] = render(kind, context, language=language)
        queued.append(email_queue(kind=kind, to=[agent.email], rendered=rendered_by_language[language],
                                  headers=headers, ticket=ticket, thread=False,
                                  message=message if message_id is not None else None))
    return queued


def enqueue(outbound_id: int) -> None:
    """Hand a row to the job queue. Should the queue be unreachable, the row
    stays pendiente and the sweep queues it later: the page that caused it
    must not fail, and nothing is lost."""
    from . import tasks

    try:
        tasks.send_outbound_email(outbound_id)
    except Exception:
        logger.exception("Could not queue outbound email %s; the sweep will retry it", outbound_id)


# --- Sending ---------------------------------------------------------------

@dataclass(frozen=True)
class Delivery:
    sent: bool = False
    retry_in: int | None = None  # seconds until the next attempt, if one is due


def retry_delay(attempt: int) -> int:
    """Exponential backoff: base, 2·base, 4·base... after attempt 1, 2, 3..."""
    return settings.VENTANILLA["MAIL_RETRY_BASE_SECONDS"] * 2 ** (attempt - 1)


def is_permanent(error: Exception) -> bool:
    """A 5xx answer (e.g. every recipient refused) won't change on retry."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _msg in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def outbound_deliver(outbound_id: int) -> Delivery:
    """One attempt at sending a row. Does nothing for a row already sent or
    failed, not yet due, or claimed by another job."""
    now = timezone.now()
    outbound = OutboundEmail.objects.filter(pk=outbound_id).first()
    if outbound is None or outbound.status != OutboundEmail.Status.PENDING:
        return Delivery()
    if outbound.next_attempt_at and outbound.next_attempt_at > now + CLOCK_SKEW:
        return Delivery()  # a duplicate job: the due one is scheduled
    claimed = OutboundEmail.objects.filter(
        pk=outbound.pk, status=OutboundEmail.Status.PENDING, attempts=outbound.attempts,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + IN_FLIGHT)
    if not claimed:
        return Delivery()  # another job took this attempt
    attempt = outbound.attempts + 1
    row = OutboundEmail.objects.filter(pk=outbound.pk)
    try:
        build_message(outbound).send()
    except Exception as error:
        description = f"{type(error).__name__}: {error}"
        if attempt >= settings.VENTANILLA["MAIL_SEND_ATTEMPTS"] or is_permanent(error):
            logger.warning("Outbound email %s failed for good after %s attempts: %s",
                           outbound.pk, attempt, description)
            row.update(status=OutboundEmail.Status.FAILED, last_error=description,
                       next_attempt_at=None)
            return Delivery()
        delay = retry_delay(attempt)
        row.update(last_error=description, next_attempt_at=timezone.now() + timedelta(seconds=delay))
        return Delivery(retry_in=delay)
    row.update(status=OutboundEmail.Status.SENT, sent_at=timezone.now(), next_attempt_at=None)
    return Delivery(sent=True)


def outbound_requeue(outbounds) -> int:
    """Give failed rows a fresh set of attempts (the admin's "Reintentar
    envío"). Returns how many were re-queued."""
    ids = list(outbounds.filter(status=OutboundEmail.Status.FAILED).values_list("pk", flat=True))
    with transaction.atomic():
        OutboundEmail.objects.filter(pk__in=ids, status=OutboundEmail.Status.FAILED).update(
            status=OutboundEmail.Status.PENDING, attempts=0, next_attempt_at=None)
        for pk in ids:
            transaction.on_commit(lambda pk=pk: enqueue(pk))
    return len(ids)


def outbounds_lost(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    """Pending rows whose job should have run by now but did not (the queue
    was down, a worker died mid-attempt): the sweep queues them again."""
    late = (now or timezone.now()) - SWEEP_GRACE
    return list(
        OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING)
        .filter(Q(next_attempt_at__lte=late) | Q(next_attempt_at__isnull=True, created_at__lte=late))
        .order_by("created_at").values_list("pk", flat=True)[:limit]
    )


# --- The outbox: what committed events must notify ----------------------------
#
# A service records an outbox row in its own transaction (notification_record):
# if the transaction commits, the row is there; if not, neither is the row. A
# job then builds the row's emails, and marks it done in the transaction that
# creates them: a build that dies half-way (a locked database, a killed worker,
# an exception) leaves no email and a row still pending, which its retry or
# the sweep builds again. So every committed event gets its notifications
# exactly once, whatever dies when; sending is then OutboundEmail's business.

# kind -> handler(row), run inside the transaction that marks the row done.
# Other apps register theirs in AppConfig.ready (webhooks).
OUTBOX_HANDLERS: dict[str, Callable[[NotificationOutbox], object]] = {}
# How long a build may run before the sweep counts its worker as dead, and
# how many failed builds make a row fallido (then it alerts, see
# delivery_problems, and a supervisor may retry it).
BUILD_LEASE = timedelta(minutes=5)
OUTBOX_ATTEMPTS = 8


def notification_record(kind: str, *, ticket_id: int | None = None, message_id: int | None = None,
                        actor_id: int | None = None, payload: dict | None = None
                        ) -> NotificationOutbox:
    """Record, in the caller's transaction, that an event must be notified;
    its build job is queued once that transaction commits."""
    assert kind in OUTBOX_HANDLERS, kind
    row = NotificationOutbox.objects.create(kind=kind, ticket_id=ticket_id, message_id=message_id,
                                            actor_id=actor_id, payload=payload or {})
    transaction.on_commit(lambda: outbox_enqueue(row.pk))
    return row


def outbox_enqueue(outbox_id: int) -> None:
    """Hand a row to the job queue; should the queue be unreachable, the row
    stays pending and the sweep builds it later."""
    from . import tasks

    try:
        tasks.build_notification(outbox_id)
    except Exception:
        logger.exception("Could not queue the build of notification %s; the sweep will build it",
                         outbox_id)


@dataclass(frozen=True)
class Build:
    done: bool = False
    retry_in: int | None = None  # seconds until the next try, if one is due


def outbox_build(outbox_id: int) -> Build:
    """Build one row's notifications. Does nothing for a row done, failed,
    or claimed by another worker."""
    now = timezone.now()
    claimed = NotificationOutbox.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now + CLOCK_SKEW),
        pk=outbox_id, status=NotificationOutbox.Status.PENDING,
    ).update(attempts=F("attempts") + 1, claimed_until=now + BUILD_LEASE)
    if not claimed:
        return Build()
    try:
        with transaction.atomic():
            # Marked done first: this write also serializes two builds that
            # both believe they hold the row (one outlived its lease).
            marked = NotificationOutbox.objects.filter(
                pk=outbox_id, status=NotificationOutbox.Status.PENDING,
            ).update(status=NotificationOutbox.Status.DONE, done_at=timezone.now(),
                     claimed_until=None, last_error="")
            if not marked:
                return Build()
            row = NotificationOutbox.objects.get(pk=outbox_id)
            OUTBOX_HANDLERS[row.kind](row)
    except Exception as error:
        return _outbox_failed(outbox_id, error)
    return Build(done=True)


def _outbox_failed(outbox_id: int, error: Exception) -> Build:
    description = f"{type(error).__name__}: {error}"[:2000]
    row = NotificationOutbox.objects.filter(pk=outbox_id, status=NotificationOutbox.Status.PENDING)
    try:
        attempts = row.values_list("attempts", flat=True).first() or 0
        if attempts >= OUTBOX_ATTEMPTS:
            logger.error("Notification %s could not be built after %s attempts: %s",
                         outbox_id, attempts, description)
            row.update(status=NotificationOutbox.Status.FAILED, last_error=description,
                       claimed_until=None)
            return Build()
        delay = retry_delay(max(attempts, 1))
        row.update(last_error=description, claimed_until=timezone.now() + timedelta(seconds=delay))
    except Exception:
        # The database still refuses (locked, unreachable): the claim runs
        # out by itself and the sweep builds the row then.
        logger.exception("Notification %s failed (%s) and could not be recorded", outbox_id,
                         description)
        return Build(retry_in=int(BUILD_LEASE.total_seconds()))
    logger.warning("Notification %s could not be built (attempt %s, next in %s s): %s",
                   outbox_id, attempts, delay, description)
    return Build(retry_in=delay)


def outbox_lost(*, now: datetime | None = None, limit: int = 200) -> list[int]:
    """Pending rows whose build should have happened by now: never queued
    (the worker died after the commit), or claimed by a worker that died,
    or whose retry job vanished."""
    late = (now or timezone.now()) - SWEEP_GRACE
    return list(
        NotificationOutbox.objects.filter(status=NotificationOutbox.Status.PENDING)
        .filter(Q(claimed_until__lte=late) | Q(claimed_until__isnull=True, created_at__lte=late))
        .order_by("created_at").values_list("pk", flat=True)[:limit]
    )


# Done rows are kept this long (to see what a build did), then deleted.
OUTBOX_KEEP = timedelta(days=30)


def outbox_prune(*, now: datetime | None = None, batch: int = 1000) -> int:
    """Delete done rows older than OUTBOX_KEEP (a batch per sweep)."""
    before = (now or timezone.now()) - OUTBOX_KEEP
    old = list(NotificationOutbox.objects.filter(status=NotificationOutbox.Status.DONE,
                                                 done_at__lt=before)
               .values_list("pk", flat=True)[:batch])
    return NotificationOutbox.objects.filter(pk__in=old).delete()[0] if old else 0


def outbox_requeue(rows) -> int:
    """Give failed rows a fresh set of attempts (a supervisor's
    "Reintentar"). Returns how many were re-queued."""
    ids = list(rows.filter(status=NotificationOutbox.Status.FAILED).values_list("pk", flat=True))
    with transaction.atomic():
        NotificationOutbox.objects.filter(pk__in=ids, status=NotificationOutbox.Status.FAILED).update(
            status=NotificationOutbox.Status.PENDING, attempts=0, claimed_until=None)
        for pk in ids:
            transaction.on_commit(lambda pk=pk: outbox_enqueue(pk))
    return len(ids)


def _build_ticket_notification(row: NotificationOutbox) -> None:
    if row.kind in AGENT_KINDS:
        agent_notification_queue(row.kind, ticket_id=row.ticket_id, message_id=row.message_id,
                                 actor_id=row.actor_id)
    else:
        ticket_notification_queue(row.kind, ticket_id=row.ticket_id, message_id=row.message_id)


for _kind in (*TICKET_KINDS, *AGENT_KINDS):
    OUTBOX_HANDLERS[_kind] = _build_ticket_notification
