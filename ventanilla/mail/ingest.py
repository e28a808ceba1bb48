"""The one ingest function behind both ways in (IMAP polling and
`ventanilla mail pipe`): raw RFC 822 bytes in, a ticket message, an ignored
record or a quarantined one out. It never raises on bad input."""

from dataclasses import dataclass

from .models import InboundMessage, Mailbox


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


def ingest_raw(raw: bytes, *, mailbox: Mailbox) -> IngestResult:
    raise NotImplementedError  # built by the inbound helper
