from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatusConfig(AppConfig):
    name = "ventanilla.status"
    label = "status"
    verbose_name = _("Estado del servicio y avisos")

    def ready(self):
        from ventanilla.mail import outbound

        from . import services

        outbound.TICKET_NOTIFICATION_HOOKS.append(services.identity_recipients_hook)
