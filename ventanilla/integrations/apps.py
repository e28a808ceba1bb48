from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "ventanilla.integrations"
    label = "integrations"
    verbose_name = _("Integraciones")

    def ready(self):
        # Webhook events ride the notifications' outbox (integrations.events).
        from ventanilla.mail import outbound

        from . import events

        outbound.OUTBOX_HANDLERS[events.OUTBOX_KIND] = events.outbox_build
