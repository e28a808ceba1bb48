"""Poll one support mailbox over IMAP: every unseen message goes through
`ingest_raw`, and only once it returned (its transaction committed) is the
message marked \\Seen or moved to the processed folder. A crash or a database
outage in between leaves the message unseen, so the next poll ingests it
again, and deduplication by the email's fingerprint (fingerprint.py) makes
that repeat harmless: nothing is lost, nothing is stored twice."""

import imaplib
import ipaddress
import logging
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from imap_tools import (
    AND,
    BaseMailBox,
    MailBox,
    MailBoxStartTls,
    MailBoxUnencrypted,
    MailMessageFlags,
)
from imap_tools.errors import ImapToolsError
from imap_tools.message import MailMessage

from . import ingest
from .models import InboundMessage, Mailbox

logger = logging.getLogger(__name__)

# The database is down or the connection broke: stop this mailbox's poll and
# leave the message unseen; anything else ingest_raw raises is a bug in one
# message's handling, which must not stop the others.
DATABASE_DOWN = (OperationalError, InterfaceError)
# A server that is down, slow, refuses the login or breaks the protocol.
IMAP_ERRORS = (OSError, imaplib.IMAP4.error, ImapToolsError)

FETCH_BATCH = 50  # messages per FETCH command (and per \Seen/MOVE command)
POLL_LEASE = timedelta(minutes=10)  # renewed after every batch


class ImapSecurityError(Exception):
    pass


@dataclass
class PollResult:
    fetched: int = 0
    done: int = 0  # ingested (stored, ignored, quarantined or duplicate) and marked seen / moved
    new_tickets: int = 0
    duplicates: int = 0
    quarantined: int = 0
    failed: int = 0  # left unseen for the next poll
    skipped: bool = False  # another poll of this mailbox was running
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error and not self.skipped


class PollLease:
    """The claim on a mailbox: a conditional UPDATE that only one poller can
    win, renewed after every batch, released at the end, and expiring by
    itself should the worker die mid-poll."""

    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox
        self.until: datetime | None = None

    def claim(self, now: datetime) -> bool:
        until = now + POLL_LEASE
        claimed = (Mailbox.objects.filter(pk=self.mailbox.pk)
                   .filter(Q(poll_lease_until__isnull=True) | Q(poll_lease_until__lt=now))
                   .update(poll_lease_until=until))
        self.until = until if claimed else None
        return bool(claimed)

    def renew(self) -> bool:
        until = timezone.now() + POLL_LEASE
        renewed = (Mailbox.objects.filter(pk=self.mailbox.pk, poll_lease_until=self.until)
                   .update(poll_lease_until=until))
        self.until = until if renewed else None
        return bool(renewed)

    def release(self) -> None:
        if self.until is not None:
            Mailbox.objects.filter(pk=self.mailbox.pk, poll_lease_until=self.until).update(poll_lease_until=None)
            self.until = None


class RawMessage(MailMessage):
    """What we fetch: the UID and the raw bytes, as the server keeps them
    (imap-tools' own class would parse every message once more)."""

    def __init__(self, fetch_data: list) -> None:
        self.raw, self._raw_uid_data, self._raw_flag_data = self._get_message_data_parts(fetch_data)


def tls_context() -> ssl.SSLContext:
    """Verifying context: the system's CAs, or VENTANILLA_IMAP_CA_FILE.
    (imaplib's own default would not verify the certificate at all.)"""
    return ssl.create_default_context(cafile=settings.VENTANILLA_IMAP_CA_FILE or None)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def imap_connect(mailbox: Mailbox) -> BaseMailBox:
    """An unauthenticated connection with the mailbox's security."""
    host, port = mailbox.imap_host, mailbox.imap_port
    timeout = settings.VENTANILLA_IMAP_TIMEOUT_SECONDS
    if mailbox.imap_security == Mailbox.Security.SSL:
        client = MailBox(host, port, timeout=timeout, ssl_context=tls_context())
    elif mailbox.imap_security == Mailbox.Security.STARTTLS:
        client = MailBoxStartTls(host, port, timeout=timeout, ssl_context=tls_context())
    elif _is_loopback(host):
        client = MailBoxUnencrypted(host, port, timeout=timeout)
    else:
        # The password would cross the network in clear.
        raise ImapSecurityError(_("Sin cifrado solo se permite con un servidor local (127.0.0.1)."))
    client.email_message_class = RawMessage
    return client


@contextmanager
def imap_session(mailbox: Mailbox) -> Iterator[BaseMailBox]:
    """Logged in, with the mailbox's folder selected; logged out afterwards,
    or the socket just closed when the session failed."""
    client = imap_connect(mailbox)
    try:
        client.login(mailbox.imap_username, mailbox.imap_password, initial_folder=mailbox.imap_folder)
        yield client
    except BaseException:
        client.client.shutdown()
        raise
    try:
        client.logout()
    except IMAP_ERRORS as exc:  # the work is done and settled: not worth an error
        logger.info("Mailbox %s: logout failed: %r", mailbox.name, exc)


def mailbox_poll(mailbox: Mailbox, *, limit: int | None = None) -> PollResult:
    """Ingest the unseen messages of one mailbox (at most `limit`, by
    default VENTANILLA_IMAP_MAX_PER_POLL) and record how it went on the
    mailbox. Never raises for a server or database failure: it is recorded
    in last_error (when the database lets us) and in the result."""
    result = PollResult()
    started = timezone.now()
    lease = PollLease(mailbox)
    try:
        claimed = lease.claim(started)
    except DATABASE_DOWN as exc:
        logger.warning("Mailbox %s: database unavailable, not polled: %s", mailbox.name, exc)
        result.error = _("Base de datos no disponible: %(error)s") % {"error": exc}
        return result
    if not claimed:
        result.skipped = True
        return result
    try:
        with imap_session(mailbox) as client:
            _ingest_unseen(client, mailbox, result, lease,
                           limit=limit or settings.VENTANILLA_IMAP_MAX_PER_POLL)
    except DATABASE_DOWN as exc:
        logger.warning("Mailbox %s: database unavailable, poll stopped: %s", mailbox.name, exc)
        result.error = _("Base de datos no disponible; el mensaje queda sin leer: %(error)s") % {"error": exc}
    except (*IMAP_ERRORS, ImapSecurityError) as exc:
        logger.warning("Mailbox %s: IMAP poll failed: %r", mailbox.name, exc)
        result.error = _("No se pudo revisar el buzón: %(error)s") % {"error": _describe(exc)}
    except Exception as exc:
        # A bug: kept visible on the mailbox rather than only in a job log.
        logger.exception("Mailbox %s: poll failed", mailbox.name)
        result.error = _("Error inesperado al revisar el buzón: %(error)s") % {"error": _describe(exc)}
    finally:
        _record(mailbox, started, result.error, lease)
    return result


def _ingest_unseen(client: BaseMailBox, mailbox: Mailbox, result: PollResult, lease: PollLease, *,
                   limit: int) -> None:
    processed = mailbox.processed_folder
    if processed and not client.folder.exists(processed):
        client.folder.create(processed)
    uids = client.uids(AND(seen=False))[:limit]  # ascending: oldest first, originals before replies
    for start in range(0, len(uids), FETCH_BATCH):
        batch = uids[start:start + FETCH_BATCH]
        done: list[str] = []
        try:
            for message in client.fetch(uid_list=batch, mark_seen=False, bulk=True):
                result.fetched += 1
                if _ingest_one(message, mailbox, result):
                    done.append(message.uid)
        finally:
            # Even when the database went away mid-batch, the messages whose
            # transaction did commit are settled now rather than re-fetched.
            _settle(client, done, processed)
            result.done += len(done)
        if not lease.renew():
            return  # someone took the mailbox over (our lease expired)


def _ingest_one(message: RawMessage, mailbox: Mailbox, result: PollResult) -> bool:
    """True when the message is safely recorded and may be marked seen."""
    try:
        outcome = ingest.ingest_raw(message.raw, mailbox=mailbox)
    except DATABASE_DOWN:
        raise
    except Exception:
        logger.exception("Mailbox %s: ingest failed for UID %s; left unseen", mailbox.name, message.uid)
        result.failed += 1
        return False
    if not outcome.stored:
        result.failed += 1
        return False
    result.duplicates += outcome.duplicate
    result.new_tickets += outcome.created_ticket
    if outcome.inbound is not None and outcome.inbound.status == InboundMessage.Status.QUARANTINED:
        result.quarantined += 1
    return True


def _settle(client: BaseMailBox, uids: list[str], processed_folder: str) -> None:
    if not uids:
        return
    client.flag(uids, MailMessageFlags.SEEN, True)
    if processed_folder:
        client.move(uids, processed_folder)


def _describe(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    if isinstance(exc, ConnectionRefusedError):
        text = _("conexión rechazada (%(text)s)") % {"text": text}
    elif isinstance(exc, TimeoutError):
        text = _("tiempo de espera agotado")
    return text


def _record(mailbox: Mailbox, started: datetime, error: str, lease: PollLease) -> None:
    """last_polled_at is when the poll started, so that polls start every
    poll_every_seconds however long each one takes."""
    mailbox.last_polled_at, mailbox.last_error = started, error
    try:
        Mailbox.objects.filter(pk=mailbox.pk).update(last_polled_at=started, last_error=error)
        lease.release()
    except DatabaseError as exc:
        # The lease then expires by itself.
        logger.warning("Mailbox %s: could not record the poll: %s", mailbox.name, exc)
