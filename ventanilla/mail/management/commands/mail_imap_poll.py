from django.core.management.base import BaseCommand, CommandError

from ventanilla.mail.imap import mailbox_poll
from ventanilla.mail.models import Mailbox


class Command(BaseCommand):
    help = "Poll the IMAP mailboxes once by hand (all active ones, or --mailbox NAME)."

    def add_arguments(self, parser):
        parser.add_argument("--mailbox", help="the mailbox's name, e.g. soporte")

    def handle(self, *args, mailbox=None, **options):
        mailboxes = Mailbox.objects.exclude(imap_host="")
        if mailbox:
            mailboxes = mailboxes.filter(name=mailbox)
            if not mailboxes:
                raise CommandError(f"No IMAP mailbox named {mailbox!r}.")
        else:
            mailboxes = mailboxes.filter(is_active=True)
        failed = []
        for box in mailboxes:
            result = mailbox_poll(box)
            if result.skipped:
                self.stdout.write(f"{box.name}: another poll is running, skipped")
                continue
            self.stdout.write(
                f"{box.name}: {result.fetched} fetched, {result.done} done, "
                f"{result.new_tickets} new tickets, {result.duplicates} duplicates, "
                f"{result.quarantined} quarantined, {result.failed} left unseen"
            )
            if result.error:
                self.stderr.write(f"{box.name}: {result.error}")
                failed.append(box.name)
        if failed:
            raise CommandError(f"Polling failed for: {', '.join(failed)}")
