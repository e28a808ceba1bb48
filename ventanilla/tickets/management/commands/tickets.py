"""`ventanilla tickets reindex`: rebuild the console's full-text index."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.tickets import search


class Command(BaseCommand):
    help = _("Mantenimiento de tickets.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("reindex", help=_("Reconstruye el índice de búsqueda de tickets."))

    def handle(self, *args, action, **options):
        started = time.monotonic()
        with transaction.atomic():
            done = search.rebuild(progress=self._progress)
        self.stderr.write("")
        self.stdout.write(_("%(count)s tickets indexados en %(seconds).1f s.")
                          % {"count": done, "seconds": time.monotonic() - started})

    def _progress(self, done: int, total: int) -> None:
        self.stderr.write(f"\r{done:,}/{total:,}", ending="")
