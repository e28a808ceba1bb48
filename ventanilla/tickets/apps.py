from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "ventanilla.tickets"
    label = "tickets"
    verbose_name = _("Tickets")

    def ready(self):
        from ventanilla.mail import outbound

        from . import verification

        outbound.TICKET_NOTIFICATION_HOOKS.append(verification.unverified_recipients_hook)
