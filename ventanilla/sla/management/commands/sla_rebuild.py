"""`ventanilla sla_rebuild`: give the tickets that are not closed their
response-time timers, replayed from their history (after upgrading to the
SLA feature, or after changing the policies or calendars)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from ventanilla.sla.services import ticket_timers_rebuild
from ventanilla.tickets.models import Status, Ticket


class Command(BaseCommand):
    help = _("Recalcula los plazos de los tickets no cerrados a partir de su historial.")

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true",
                            help=_("También los tickets cerrados (para los informes)."))

    def handle(self, *args, all=False, **options):
        tickets = Ticket.objects.all() if all else Ticket.objects.exclude(status=Status.CLOSED)
        count = 0
        for ticket in tickets.only("pk").iterator(chunk_size=500):
            ticket_timers_rebuild(ticket)
            count += 1
        self.stdout.write(_("Plazos recalculados: %(count)s tickets.") % {"count": count})
