"""What an MTA is told about one message it hands us: the rule shared by the
two intakes that answer an MTA, `ventanilla mail pipe` (an exit status) and
`ventanilla mail lmtp` (an LMTP reply per recipient).

- KEPT: ingest_raw returned. A ticket message, an ignored or quarantined
  record and a duplicate are all safely stored: the MTA may forget it.
- RETRY: not stored, for a reason that is not the message's (the database
  locked or unreachable, the attachment storage unusable, an unexpected
  error): the MTA keeps it and delivers it again later, and ingest's dedup
  key stores it once.
- REFUSED: the message itself can never be stored (empty, or larger than
  the intake accepts): the MTA bounces it and the sender learns it.

A malformed but non-empty message is never refused: it is quarantined."""

import enum
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import InterfaceError, OperationalError, ProgrammingError

from .ingest import IngestResult, ingest_raw
from .models import Mailbox

logger = logging.getLogger(__name__)

# The database is locked, unreachable or not migrated: as good as down.
DATABASE_ERRORS = (OperationalError, InterfaceError, ProgrammingError)


class Outcome(enum.Enum):
    KEPT = "kept"
    RETRY = "retry"
    REFUSED = "refused"


@dataclass(frozen=True)
class Delivery:
    outcome: Outcome
    # Read in the MTA's log by whoever runs the server: both languages.
    spanish: str
    english: str
    result: IngestResult | None = None


def max_message_bytes() -> int:
    """The largest message an MTA may hand us: the per-message attachment
    limit twice over (base64 grows attachments by a third, plus the text)."""
    return 2 * settings.VENTANILLA["MAX_MESSAGE_BYTES"]


def too_large() -> Delivery:
    megabytes = max_message_bytes() // (1024 * 1024)
    return Delivery(Outcome.REFUSED, f"No se guardó el mensaje: supera el máximo de {megabytes} MB.",
                    f"Message not stored: larger than {megabytes} MB.")


def unknown_mailbox(name: str) -> Delivery:
    # A configuration error (an alias naming a mailbox nobody created): the
    # mail waits in the MTA's queue until it is fixed, rather than bounce.
    return Delivery(Outcome.RETRY, f"No se guardó el mensaje: no existe el buzón «{name}».",
                    f"Message not stored: there is no mailbox named '{name}'.")


def database_down(error: Exception) -> Delivery:
    return Delivery(Outcome.RETRY,
                    f"No se guardó el mensaje: la base de datos no está disponible ({error}).",
                    "Message not stored: the database is unavailable.")


def deliver(raw: bytes, *, mailbox: Mailbox) -> Delivery:
    """Ingest one message for `mailbox` and say what the MTA should do with
    it. Never raises (but for KeyboardInterrupt and the like)."""
    if len(raw) > max_message_bytes():
        return too_large()
    if not raw.strip():
        return Delivery(Outcome.REFUSED, "No se guardó el mensaje: la entrada está vacía.",
                        "Message not stored: the input is empty.")
    try:
        result = ingest_raw(raw, mailbox=mailbox)
    except DATABASE_ERRORS as error:
        return database_down(error)
    except OSError as error:
        return Delivery(
            Outcome.RETRY, f"No se guardó el mensaje: no se pudo escribir el archivo ({error}).",
            "Message not stored: the file could not be written (attachment storage).")
    except Exception as error:
        # Not the message's fault (a malformed one is quarantined): keep the
        # traceback for the log, and let the MTA retry.
        logger.exception("mail intake: message not stored")
        return Delivery(
            Outcome.RETRY,
            f"No se guardó el mensaje: error inesperado ({type(error).__name__}: {error}).",
            "Message not stored: unexpected error.")
    return Delivery(Outcome.KEPT, "Mensaje guardado.", "Message stored.", result=result)
