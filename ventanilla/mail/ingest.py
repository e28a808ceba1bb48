"""The one ingest function behind both ways in (IMAP polling and
`ventanilla mail pipe`): raw RFC 822 bytes in, a ticket message, an ignored
record or a quarantined one out. It never raises on bad input.

Every message is recorded as an InboundMessage with its raw bytes, whatever
becomes of it, in one transaction with the ticket change it causes: a crash
midway leaves nothing behind, and the next delivery ingests it cleanly. The
row's unique dedup key (the message's fingerprint: its bytes without what
servers add on the way, see fingerprint.py) makes a second copy of the same
email a no-op that is counted on the row, even when two copies race; a
different email that reuses a Message-ID is stored as the new message it is.

The one exception that escapes is a database that is down: the caller must
then leave the message where it is (unseen on IMAP, a temporary failure for
the MTA) so it comes back later."""

import logging
import traceback
import uuid
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Customer, User
from ventanilla.accounts.services import customer_by_address, guest_customer
from ventanilla.core import ratelimit
from ventanilla.tickets import services
from ventanilla.tickets.access import tickets_for_agent
from ventanilla.tickets.attachments import check_upload
from ventanilla.tickets.models import Channel, Ticket

from . import verification
from .fingerprint import redelivery_key
from .models import (
    InboundMessage,
    Mailbox,
    NotificationAddress,
    OutboundEmail,
    Participant,
    ThreadId,
)
from .parsing import ParsedAttachment, ParsedEmail, clean_subject, parse_email, ticket_number_in

logger = logging.getLogger(__name__)

# More attachments than this and the message goes to quarantine whole.
MAX_ATTACHMENTS = 50
# Errors that mean "the database is unavailable", not "this message is bad".
DATABASE_DOWN = (OperationalError, InterfaceError)
RATE_ACTION = "mail-sender"


@dataclass(frozen=True)
class IngestResult:
    inbound: InboundMessage | None  # None only when it was a duplicate
    duplicate: bool
    created_ticket: bool

    @property
    def stored(self) -> bool:
        """True when the message is safely recorded (ticket, ignored, quarantined
        or already there): the caller may mark it seen / let the MTA go."""
        return True


class _Quarantine(Exception):
    def __init__(self, reason: str, error: str = ""):
        super().__init__(reason)
        self.reason, self.error = reason, error


def ingest_raw(raw: bytes, *, mailbox: Mailbox, dnsfunc=None) -> IngestResult:
    """Store one received message. `dnsfunc` replaces dkimpy's DNS lookup (tests)."""
    raw = bytes(raw or b"")
    key = redelivery_key(raw)
    if _already_stored(key):
        return IngestResult(inbound=None, duplicate=True, created_ticket=False)
    parsed, parse_error = _parse(raw)
    # DNS lookups (DKIM) happen before the transaction, never inside it.
    verified = verification.sender_verified(raw, parsed, dnsfunc=dnsfunc) if parsed else False
    inbound = InboundMessage(
        mailbox=mailbox, dedup_key=key, size=len(raw), sender_verified=verified,
        message_id=(parsed.message_id if parsed else "")[:300],
        sender=(parsed.from_address if parsed else "")[:254],
        subject=(parsed.subject if parsed else "")[:300],
        html=parsed.html if parsed else "",
        status=InboundMessage.Status.QUARANTINED,
    )
    inbound.raw.save(f"{uuid.uuid4().hex}.eml", ContentFile(raw), save=False)
    try:
        created = _store(inbound, parsed, parse_error, by_admin=False)
        return IngestResult(inbound=inbound, duplicate=False, created_ticket=created)
    except IntegrityError:
        if _already_stored(key):
            inbound.raw.storage.delete(inbound.raw.name)  # another copy won the race
            return IngestResult(inbound=None, duplicate=True, created_ticket=False)
        error = traceback.format_exc()
    except DATABASE_DOWN:
        _delete_quietly(inbound)
        raise
    except Exception:
        error = traceback.format_exc()
    logger.exception("Inbound message %s quarantined after an error", key)
    return _quarantine_after_error(inbound, error)


def reprocess(inbound: InboundMessage) -> IngestResult:
    """Run a quarantined message through ingest again (the admin's
    "Reprocesar"), e.g. after a fix or once a sender's flood is over. The
    sender rate limit does not apply: an admin asked for it."""
    with inbound.raw.open("rb") as file:
        raw = file.read()
    parsed, parse_error = _parse(raw)
    verified = verification.sender_verified(raw, parsed) if parsed else False
    try:
        with transaction.atomic():
            # Locked and re-read: two clicks on "Reprocesar" open one ticket.
            locked = InboundMessage.objects.select_for_update().select_related("mailbox").get(
                pk=inbound.pk)
            if locked.status != InboundMessage.Status.QUARANTINED:
                return IngestResult(inbound=locked, duplicate=False, created_ticket=False)
            locked.sender_verified = verified
            locked.reason = locked.error = ""
            created = _store(locked, parsed, parse_error, by_admin=True)
        return IngestResult(inbound=locked, duplicate=False, created_ticket=created)
    except DATABASE_DOWN:
        raise
    except Exception:
        error = traceback.format_exc()
    InboundMessage.objects.filter(pk=inbound.pk).update(
        reason=_("Error al procesar el mensaje."), error=error
    )
    inbound.refresh_from_db()
    return IngestResult(inbound=inbound, duplicate=False, created_ticket=False)


# --- Steps -------------------------------------------------------------------


def _already_stored(key: str) -> bool:
    """True when this email is stored already (an MTA's retry, a copy through
    another mailbox, a re-poll); this delivery is then counted on its row."""
    stored = InboundMessage.objects.filter(dedup_key=key)
    if not stored.exists():
        return False
    stored.update(deliveries=F("deliveries") + 1, last_delivered_at=timezone.now())
    return True


def _parse(raw: bytes) -> tuple[ParsedEmail | None, str]:
    try:
        return parse_email(raw), ""
    except Exception:
        return None, traceback.format_exc()


def _delete_quietly(inbound: InboundMessage) -> None:
    try:
        inbound.raw.storage.delete(inbound.raw.name)
    except Exception:
        logger.warning("Could not delete %s", inbound.raw.name)


def _quarantine_after_error(inbound: InboundMessage, error: str) -> IngestResult:
    inbound.pk = None
    inbound._state.adding = True
    inbound.ticket = inbound.ticket_message = None
    inbound.unacknowledged, inbound.cc_not_added, inbound.cc_not_added_reason = "", [], ""
    inbound.status = InboundMessage.Status.QUARANTINED
    inbound.reason = _("Error al procesar el mensaje.")
    inbound.error = error
    try:
        with transaction.atomic():
            inbound.save()
    except IntegrityError:
        _already_stored(inbound.dedup_key)  # counts this delivery on the copy that won
        return IngestResult(inbound=None, duplicate=True, created_ticket=False)
    return IngestResult(inbound=inbound, duplicate=False, created_ticket=False)


@transaction.atomic
def _store(inbound: InboundMessage, parsed: ParsedEmail | None, parse_error: str, *,
           by_admin: bool) -> bool:
    """Record the message and apply it, in one transaction; True when it
    opened a ticket. The row is written first so that a concurrent copy
    fails on the unique dedup key before doing any work."""
    inbound.save()
    try:
        if parsed is None:
            raise _Quarantine(_("No se pudo interpretar el mensaje."), parse_error)
        ignored = _ignore_reason(parsed)
        if ignored:
            inbound.status, inbound.reason = InboundMessage.Status.IGNORED, ignored
            inbound.save()
            return False
        created = _apply(inbound, parsed, by_admin=by_admin)
    except _Quarantine as quarantine:
        inbound.status = InboundMessage.Status.QUARANTINED
        inbound.reason, inbound.error = quarantine.reason[:300], quarantine.error
        inbound.save()
        return False
    inbound.status = InboundMessage.Status.STORED
    inbound.save()
    return created


def _own_addresses() -> set[str]:
    ours = {a.lower() for a in Mailbox.objects.values_list("address", flat=True)}
    for setting in ("DEFAULT_FROM_EMAIL", "SERVER_EMAIL"):
        ours.add(parseaddr(getattr(settings, setting, "") or "")[1].lower())
    ours.discard("")
    return ours


def _ignore_reason(parsed: ParsedEmail) -> str:
    if parsed.is_bounce:
        return _("Rebote: aviso de entrega fallida.")
    if parsed.is_auto_reply:
        return _("Respuesta automática.")
    if parsed.from_address and parsed.from_address in _own_addresses():
        return _("Enviado desde una dirección del propio sistema.")
    return ""


def _quarantine_limits(parsed: ParsedEmail) -> None:
    if not parsed.from_address:
        raise _Quarantine(_("El mensaje no tiene un remitente válido."), "\n".join(parsed.defects))
    if len(parsed.attachments) > MAX_ATTACHMENTS:
        raise _Quarantine(
            _("Demasiados adjuntos: %(count)s (máximo %(max)s).")
            % {"count": len(parsed.attachments), "max": MAX_ATTACHMENTS}
        )
    if not parsed.text.strip() and not parsed.attachments and parsed.defects:
        raise _Quarantine(_("No se pudo interpretar el mensaje."), "\n".join(parsed.defects))


def _apply(inbound: InboundMessage, parsed: ParsedEmail, *, by_admin: bool) -> bool:
    """`by_admin`: an admin asked for it («Reprocesar»): the sender rate limit
    does not apply, and an agent's unverified reply is theirs to vouch for."""
    _quarantine_limits(parsed)
    sender = parsed.from_address
    agent = _agent_with_address(sender)
    if not by_admin and agent is None:
        rate = settings.VENTANILLA.get("MAIL_SENDER_RATE", "")
        if ratelimit.consume(RATE_ACTION, sender, rate) is None:
            raise _Quarantine(_("Demasiados mensajes de este remitente en poco tiempo."))

    ticket, by_message_id = _thread(parsed, sender, agent)
    body, files = _content(parsed)
    if ticket is not None:
        role = _role_on(ticket, sender, agent)
        if ticket.is_closed and role == "agent":
            raise _Quarantine(_("Respuesta de un agente a un ticket cerrado."))
        if role == "agent" and not (inbound.sender_verified or by_message_id or by_admin):
            # Anyone can write an agent's address in From: a reply that the
            # customer would read as the desk's needs more than that.
            raise _Quarantine(_("Respuesta como agente sin verificar: el remitente no está "
                                "verificado (DKIM/DMARC) ni responde a un correo del ticket."))
        if not ticket.is_closed:
            if role == "agent":
                message = services.ticket_agent_reply(ticket, agent=agent, body=body, files=files,
                                                      channel=Channel.EMAIL)
            else:
                if role != "customer":
                    body = _("[Escrito por %(sender)s]") % {"sender": _display(parsed)} + "\n\n" + body
                author = ticket.customer.user if role == "customer" else None
                message = services.ticket_customer_reply(
                    ticket, author=author, body=body, files=files, channel=Channel.EMAIL
                )
            _add_participants(inbound, ticket, parsed,
                              trusted=_cc_trusted(inbound, role, by_message_id))
            _link(inbound, ticket, message, parsed)
            return False
        # A reply to a closed ticket opens a new one that points back to it;
        # a stranger's gets a ticket of their own, unlinked.
        if role is None:
            customer = _customer_for(parsed)
            _create_ticket(inbound, parsed, customer, body, files, follow_up_of=None)
        else:
            _create_ticket(inbound, parsed, ticket.customer, body, files, follow_up_of=ticket)
        return True

    customer = _customer_for(parsed)
    _create_ticket(inbound, parsed, customer, body, files, follow_up_of=None)
    return True


def _cc_trusted(inbound: InboundMessage, role: str | None, by_message_id: bool) -> bool:
    """Whether the Cc'd addresses of a reply may become participants (and so
    receive the ticket's emails): a verified sender, or someone already on
    the ticket who answers a Message-ID only the conversation knows. A From
    alone proves nothing (anyone can write any From), and neither does
    being a guest: a stranger must not make the desk mail third parties.
    A new ticket takes a verified sender (see _create_ticket)."""
    return inbound.sender_verified or (by_message_id and role is not None)


def _create_ticket(inbound, parsed, customer, body, files, *, follow_up_of) -> Ticket:
    """The acknowledgement ("ticket created") goes to the ticket's people: the
    customer's addresses, and the Cc'd ones only when a verified sender made
    them participants. Mail from a list or a program gets none."""
    sender = parsed.from_address
    requester = customer.user if customer.user_id and _is_customer_address(customer, sender) else None
    if follow_up_of is not None and not _is_customer_address(customer, sender):
        body = _("[Escrito por %(sender)s]") % {"sender": _display(parsed)} + "\n\n" + body
    subject = clean_subject(parsed.subject) or _("(sin asunto)")
    inbound.unacknowledged = _unacknowledged(parsed)
    ticket = services.ticket_create(
        customer=customer, requester=requester, subject=subject, body=body,
        department=inbound.mailbox.department, channel=Channel.EMAIL, files=files,
        follow_up_of=follow_up_of, acknowledge=not inbound.unacknowledged,
    )
    if follow_up_of is not None and not _is_customer_address(customer, sender):
        Participant.objects.get_or_create(ticket=ticket, email=sender,
                                          defaults={"name": parsed.from_name[:150]})
    _add_participants(inbound, ticket, parsed, trusted=inbound.sender_verified)
    _link(inbound, ticket, ticket.messages.order_by("pk").first(), parsed)
    return ticket


def _link(inbound: InboundMessage, ticket: Ticket, message, parsed: ParsedEmail) -> None:
    inbound.ticket = ticket
    inbound.ticket_message = message
    if parsed.message_id:
        # One statement; an id already known (a reused one) keeps its ticket.
        ThreadId.objects.bulk_create([ThreadId(message_id=parsed.message_id[:300], ticket=ticket)],
                                     ignore_conflicts=True)


def _display(parsed: ParsedEmail) -> str:
    return f"{parsed.from_name} <{parsed.from_address}>" if parsed.from_name else parsed.from_address


# --- Threading ---------------------------------------------------------------


def _thread(parsed: ParsedEmail, sender: str, agent: User | None) -> tuple[Ticket | None, bool]:
    """The ticket this message belongs to, and whether it was found by a
    Message-ID we stored or sent (as opposed to the subject's token)."""
    ids = [i[:300] for i in parsed.thread_ids()]
    if ids:
        variants = ids + [i.strip("<>") for i in ids]
        found = {
            t.message_id: t.ticket
            for t in ThreadId.objects.filter(message_id__in=variants).select_related("ticket")
        }
        found.update({
            o.message_id: o.ticket
            for o in OutboundEmail.objects.filter(message_id__in=variants, ticket__isnull=False)
            .select_related("ticket")
        })
        for message_id in ids:
            ticket = found.get(message_id) or found.get(message_id.strip("<>"))
            if ticket is not None:
                return _follow_merges(ticket), True
    number = ticket_number_in(parsed.subject)
    if number:
        ticket = Ticket.objects.select_related("customer__user").filter(number=number).first()
        if ticket is not None:
            ticket = _follow_merges(ticket)
            # A stranger quoting a number must never land in someone else's ticket.
            if _role_on(ticket, sender, agent) is not None:
                return ticket, False
    return None, False


def _follow_merges(ticket: Ticket) -> Ticket:
    for _hop in range(5):
        if ticket.merged_into_id is None:
            break
        ticket = Ticket.objects.select_related("customer__user").get(pk=ticket.merged_into_id)
    return ticket


def _role_on(ticket: Ticket, sender: str, agent: User | None) -> str | None:
    """"customer", "participant", "agent" or None (a stranger to this ticket)."""
    if _is_customer_address(ticket.customer, sender, kind=NotificationAddress.Kind.SUPPORT):
        return "customer"
    if Participant.objects.filter(ticket=ticket, email__iexact=sender).exists():
        return "participant"
    if agent is not None and tickets_for_agent(agent).filter(pk=ticket.pk).exists():
        return "agent"
    return None


def _is_customer_address(customer: Customer, address: str, kind: str | None = None) -> bool:
    address = address.lower()
    if customer.email.lower() == address:
        return True
    if customer.user_id and customer.user.email.lower() == address:
        return True
    confirmed = NotificationAddress.objects.filter(
        customer=customer, email__iexact=address, confirmed_at__isnull=False
    )
    if kind is not None:
        confirmed = confirmed.filter(kind=kind)
    return confirmed.exists()


def _agent_with_address(address: str) -> User | None:
    user = User.objects.filter(email__lower=address.lower(), is_active=True).select_related("agent").first()
    return user if user is not None and user.is_agent else None


# --- Sender and content --------------------------------------------------------


def _customer_for(parsed: ParsedEmail) -> Customer:
    """The customer whose registered address sent this, or a guest customer
    for an unknown sender (the same one each time that address writes)."""
    address = parsed.from_address
    customer = customer_by_address(address)
    if customer is not None:
        return customer
    owners = set(
        NotificationAddress.objects.filter(email__lower=address.lower(), confirmed_at__isnull=False)
        .values_list("customer_id", flat=True)
    )
    if len(owners) == 1:
        return Customer.objects.select_related("user").get(pk=owners.pop())
    return guest_customer(address, parsed.from_name)


def _unacknowledged(parsed: ParsedEmail) -> str:
    """Why this email must get no automatic answer (RFC 3834), or "". Sent
    by a program: such mail is normally ignored, but should one ever be
    stored it is still not answered. From a list or a bulk sender: stored
    (a person may have written it), not answered."""
    if parsed.is_auto_reply:
        return InboundMessage.Unacknowledged.AUTOMATIC
    if parsed.is_bulk:
        return InboundMessage.Unacknowledged.BULK
    return ""


# Cc'd addresses listed on the message when they are not added (the rest of a
# thousand-address Cc is only counted in the raw email).
CC_NOT_ADDED_KEPT = 200


def _add_participants(inbound: InboundMessage, ticket: Ticket, parsed: ParsedEmail, *,
                      trusted: bool) -> None:
    """The Cc'd people who are new to the ticket become participants (they
    get its emails and may reply) when `trusted`, up to
    MAIL_MAX_PARTICIPANTS on the ticket. Those not added are listed on the
    inbound message, with why: the agents see who else was copied."""
    if not parsed.cc:
        return
    skip = _own_addresses() | {parsed.from_address, ticket.customer.email.lower()}
    if ticket.customer.user_id:
        skip.add(ticket.customer.user.email.lower())
    present = {email.lower() for email in
               Participant.objects.filter(ticket=ticket).values_list("email", flat=True)}
    new = []
    for person in parsed.cc:
        if not person.address or person.address in skip or person.address in present:
            continue
        skip.add(person.address)
        new.append(person)
    if not new:
        return
    if not trusted:
        _cc_not_added(inbound, new, InboundMessage.CcNotAdded.UNVERIFIED)
        return
    room = max(settings.VENTANILLA["MAIL_MAX_PARTICIPANTS"] - len(present), 0)
    for person in new[:room]:
        Participant.objects.get_or_create(
            ticket=ticket, email=person.address, defaults={"name": person.name[:150]}
        )
    if new[room:]:
        _cc_not_added(inbound, new[room:], InboundMessage.CcNotAdded.LIMIT)


def _cc_not_added(inbound: InboundMessage, people, reason: str) -> None:
    inbound.cc_not_added = [person.address for person in people[:CC_NOT_ADDED_KEPT]]
    inbound.cc_not_added_reason = reason


REFUSAL_REASONS = {
    "type_not_allowed": lambda error: _("tipo no permitido"),
    "content_mismatch": lambda error: _("tipo no permitido"),
    "empty": lambda error: _("archivo vacío"),
    "file_too_large": lambda error: _("supera el máximo de %(max)s por archivo")
    % {"max": filesizeformat(settings.VENTANILLA["MAX_FILE_BYTES"])},
}


def _content(parsed: ParsedEmail) -> tuple[str, list[SimpleUploadedFile]]:
    """The ticket message's text and the attachments that pass the portal's
    checks; each refused attachment leaves a visible line in the text."""
    body = parsed.new_text.strip() or parsed.text.strip()
    files, notes, total = [], [], 0
    max_total = settings.VENTANILLA["MAX_MESSAGE_BYTES"]
    for attachment in parsed.attachments:
        reason = _refusal(attachment)
        if reason is None and total + len(attachment.content) > max_total:
            reason = _("los adjuntos superan el máximo de %(max)s por mensaje") % {
                "max": filesizeformat(max_total)}
        if reason is not None:
            notes.append(_("[Adjunto no aceptado: %(name)s — %(reason)s]")
                         % {"name": attachment.filename, "reason": reason})
            if attachment.summary and attachment.summary not in body:
                notes.append(attachment.summary)  # a forwarded message: its text at least
            continue
        total += len(attachment.content)
        files.append(SimpleUploadedFile(attachment.filename, attachment.content,
                                        content_type=attachment.content_type))
    if notes:
        body = (body + "\n\n" if body else "") + "\n".join(notes)
    return body or _("(Mensaje sin texto)"), files


def _refusal(attachment: ParsedAttachment) -> str | None:
    try:
        check_upload(attachment.filename, attachment.content[:8192], len(attachment.content))
    except ValidationError as error:
        reason = REFUSAL_REASONS.get(error.code)
        return reason(error) if reason else "; ".join(error.messages)
    return None
