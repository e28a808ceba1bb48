from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "ventanilla.notifications"
    label = "notifications"
    verbose_name = _("Centro de notificaciones")

    def ready(self):
        from ventanilla.mail import outbound

        from . import services

        outbound.TICKET_NOTIFICATION_HOOKS.append(services.ticket_notification_hook)
