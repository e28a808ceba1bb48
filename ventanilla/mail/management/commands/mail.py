"""`ventanilla mail pipe --mailbox NAME`: ingest one raw RFC 822 message
from standard input, for an MTA that pipes mail to a command (Postfix's
pipe(8), an alias "|ventanilla mail pipe --mailbox soporte", procmail).

Exit status 0 means the message is kept (a ticket message, or ignored,
quarantined or a duplicate: all recorded); anything else means it was not
stored, and the MTA must keep it and retry. We answer 75 (EX_TEMPFAIL),
which Postfix, Exim and sendmail all treat as "defer and try again"."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, ProgrammingError

from ventanilla.mail.ingest import ingest_raw
from ventanilla.mail.models import Mailbox

EX_TEMPFAIL = 75


def failure(spanish: str, english: str) -> CommandError:
    # Read in the MTA's log by whoever runs the server: both languages.
    return CommandError(f"{spanish} / {english}", returncode=EX_TEMPFAIL)


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
        raw = sys.stdin.buffer.read()
        try:
            mailbox = Mailbox.objects.select_related("department").filter(name=name).first()
            if mailbox is None:
                raise failure(
                    f"No se guardó el mensaje: no existe el buzón «{name}».",
                    f"Message not stored: there is no mailbox named '{name}'.",
                )
            result = ingest_raw(raw, mailbox=mailbox)
        except (OperationalError, InterfaceError, ProgrammingError) as error:
            raise failure(
                f"No se guardó el mensaje: la base de datos no está disponible ({error}).",
                "Message not stored: the database is unavailable.",
            ) from error
        if verbosity > 1:
            inbound = result.inbound
            if inbound is None:
                self.stdout.write("duplicate")
            else:
                self.stdout.write(f"{inbound.status} {inbound.ticket.number if inbound.ticket else ''}")
