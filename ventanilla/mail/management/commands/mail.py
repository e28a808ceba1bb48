"""Email intake for an MTA.

`ventanilla mail pipe --mailbox NAME` ingests one raw RFC 822 message from
standard input, for an MTA that pipes mail to a command (Postfix's pipe(8),
an alias "|ventanilla mail pipe --mailbox soporte", procmail). It starts a
Python process per message: simple, but for volume use the LMTP server.

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
  non-empty message is kept in quarantine: 0.)

`ventanilla mail lmtp [--socket PATH | --port N]` is a long-running LMTP
server (ventanilla/mail/lmtp.py) that Postfix or Exim deliver to, the
mailbox chosen by the recipient address (docs/deploy.md, "Incoming mail")."""

import sys

from django.core.management.base import BaseCommand, CommandError

from ventanilla.mail.delivery import (
    DATABASE_ERRORS,
    Outcome,
    database_down,
    deliver,
    max_message_bytes,
    too_large,
    unknown_mailbox,
)

EX_DATAERR = 65
EX_TEMPFAIL = 75
RETURNCODES = {Outcome.RETRY: EX_TEMPFAIL, Outcome.REFUSED: EX_DATAERR}


def pipe_max_bytes() -> int:
    return max_message_bytes()


class Command(BaseCommand):
    help = ("Email intake. `mail pipe --mailbox NAME` ingests one message from stdin; "
            "`mail lmtp` serves LMTP for an MTA.")
    # The pipe runs once per message: Django's system checks alone took
    # 0.6 s of every delivery (issue 21). `ventanilla serve` and `migrate`
    # run them; a message waiting in the MTA's queue gains nothing from them.
    requires_system_checks = []

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        pipe = actions.add_parser("pipe", help="ingest one raw RFC 822 message read from stdin")
        pipe.add_argument("--mailbox", required=True, help="the mailbox's name, e.g. soporte")
        lmtp = actions.add_parser("lmtp", help="serve LMTP on a Unix socket or a loopback port")
        lmtp.add_argument("--socket", help="Unix socket path (default: VENTANILLA_LMTP_SOCKET)")
        lmtp.add_argument("--port", type=int, help="TCP port (default: VENTANILLA_LMTP_PORT)")
        lmtp.add_argument("--host", help="TCP address (default: VENTANILLA_LMTP_HOST, 127.0.0.1)")
        lmtp.add_argument("--processes", type=int,
                          help="processes accepting on it (default: VENTANILLA_LMTP_PROCESSES, 1)")

    def handle(self, *args, action, **options):
        if action == "pipe":
            self.pipe(options["mailbox"], verbosity=options["verbosity"])
        elif action == "lmtp":
            self.lmtp(socket_path=options["socket"], host=options["host"], port=options["port"],
                      processes=options["processes"])

    def pipe(self, name: str, *, verbosity: int) -> None:
        from ventanilla.mail.models import Mailbox

        limit = max_message_bytes()
        raw = sys.stdin.buffer.read(limit + 1)
        if len(raw) > limit:
            raise failure(too_large())
        try:
            mailbox = Mailbox.objects.select_related("department").filter(name=name).first()
        except DATABASE_ERRORS as error:
            raise failure(database_down(error)) from error
        if mailbox is None:
            raise failure(unknown_mailbox(name))
        delivery = deliver(raw, mailbox=mailbox)
        if delivery.outcome is not Outcome.KEPT:
            raise failure(delivery)
        if verbosity > 1:
            inbound = delivery.result.inbound
            if inbound is None:
                self.stdout.write("duplicate")
            else:
                self.stdout.write(f"{inbound.status} {inbound.ticket.number if inbound.ticket else ''}")

    def lmtp(self, *, socket_path: str | None, host: str | None, port: int | None,
             processes: int | None) -> None:
        from django.conf import settings

        from ventanilla.mail.lmtp import serve_lmtp

        if not socket_path and not port:  # the command line wins over the environment
            socket_path = settings.VENTANILLA["LMTP_SOCKET"]
            port = settings.VENTANILLA["LMTP_PORT"]
        host = host or settings.VENTANILLA["LMTP_HOST"]
        processes = processes or settings.VENTANILLA["LMTP_PROCESSES"]
        if bool(socket_path) == bool(port):
            raise CommandError("Indica --socket o --port (o VENTANILLA_LMTP_SOCKET o "
                               "VENTANILLA_LMTP_PORT), uno de los dos.")
        serve_lmtp(socket_path=socket_path or None, host=host, port=port or None,
                   processes=processes)


def failure(delivery) -> CommandError:
    return CommandError(f"{delivery.spanish} / {delivery.english}",
                        returncode=RETURNCODES[delivery.outcome])
