"""`ventanilla mail pipe --mailbox NAME`: ingest one raw RFC 822 message
from standard input, for an MTA that pipes mail to a command (Postfix's
pipe(8), an alias "|ventanilla mail pipe --mailbox soporte", procmail).

Exit status (README.md):
- 0: the message is kept (a ticket message, or ignored, quarantined or a
  duplicate: all recorded); the MTA may forget it.
- 75 (EX_TEMPFAIL): it was not stored, for a reason that is not the
  message's: the database locked or unreachable, the attachment storage
  unusable, an unknown mailbox name (a configuration error: the mail waits
  in the MTA's queue until the alias or the admin is fixed, rather than
  bounce), any unexpected error. Postfix, Exim and sendmail all defer and
  retry on 75; Exim's pipe transport bounces on anything else but 73, so we
  do not answer 78 (EX_CONFIG) for the unknown mailbox.
- 65 (EX_DATAERR): the message itself can never be stored: empty input, or
  larger than the pipe accepts (twice VENTANILLA_MAX_MESSAGE_MB). The MTA
  bounces it, and the sender learns it did not arrive. (A malformed but
  non-empty message is kept in quarantine: 0.)"""

import logging
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, ProgrammingError

from ventanilla.mail.ingest import ingest_raw
from ventanilla.mail.models import Mailbox

logger = logging.getLogger(__name__)

EX_DATAERR = 65
EX_TEMPFAIL = 75


def failure(spanish: str, english: str, *, returncode: int = EX_TEMPFAIL) -> CommandError:
    # Read in the MTA's log by whoever runs the server: both languages.
    return CommandError(f"{spanish} / {english}", returncode=returncode)


def pipe_max_bytes() -> int:
    """The largest message the pipe reads: the per-message attachment limit
    twice over (base64 grows attachments by a third, plus the text)."""
    return 2 * settings.VENTANILLA["MAX_MESSAGE_BYTES"]


class Command(BaseCommand):
    help = "Email channel tools. `mail pipe --mailbox NAME` ingests one message from stdin."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        pipe = actions.add_parser("pipe", help="ingest one raw RFC 822 message read from stdin")
        pipe.add_argument("--mailbox", required=True, help="the mailbox's name, e.g. soporte")

    def handle(self, *args, action, **options):
        if action == "pipe":
            self.pipe(options["mailbox"], verbosity=options["verbosity"])

    def pipe(self, name: str, *, verbosity: int) -> None:
        limit = pipe_max_bytes()
        raw = sys.stdin.buffer.read(limit + 1)
        if len(raw) > limit:
            raise failure(
                f"No se guardó el mensaje: supera el máximo de {limit // (1024 * 1024)} MB.",
                f"Message not stored: larger than {limit // (1024 * 1024)} MB.",
                returncode=EX_DATAERR,
            )
        if not raw.strip():
            raise failure("No se guardó el mensaje: la entrada está vacía.",
                          "Message not stored: the input is empty.", returncode=EX_DATAERR)
        try:
            mailbox = Mailbox.objects.select_related("department").filter(name=name).first()
            if mailbox is None:
                raise failure(
                    f"No se guardó el mensaje: no existe el buzón «{name}».",
                    f"Message not stored: there is no mailbox named '{name}'.",
                )
            result = ingest_raw(raw, mailbox=mailbox)
        except CommandError:
            raise
        except (OperationalError, InterfaceError, ProgrammingError) as error:
            raise failure(
                f"No se guardó el mensaje: la base de datos no está disponible ({error}).",
                "Message not stored: the database is unavailable.",
            ) from error
        except OSError as error:
            raise failure(
                f"No se guardó el mensaje: no se pudo escribir el archivo ({error}).",
                "Message not stored: the file could not be written (attachment storage).",
            ) from error
        except Exception as error:
            # Not the message's fault (a malformed one is quarantined): keep
            # the traceback for the log, and let the MTA retry.
            logger.exception("mail pipe: message not stored")
            raise failure(
                f"No se guardó el mensaje: error inesperado ({type(error).__name__}: {error}).",
                "Message not stored: unexpected error.",
            ) from error
        if verbosity > 1:
            inbound = result.inbound
            if inbound is None:
                self.stdout.write("duplicate")
            else:
                self.stdout.write(f"{inbound.status} {inbound.ticket.number if inbound.ticket else ''}")
