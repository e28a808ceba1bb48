"""Strings the sla feature adds to core files (the queue template, the new
fields of tickets.Ticket), listed here so that `makemessages` in this app
extracts them and their English lives in this app's catalogue."""

from django.utils.translation import gettext_noop as _

STRINGS = [
    # ventanilla/templates/console/queue.html
    _("Plazo"), _("Alertas de plazos"), _("sin leer"),
    # tickets.Ticket's response-time fields
    _("primera respuesta antes de"), _("primera respuesta"), _("espera respuesta desde"),
    _("siguiente respuesta antes de"), _("resolución antes de"), _("resuelto"),
    _("plazos en pausa desde"), _("vence"), _("por vencer desde"), _("próxima revisión de plazos"),
]
