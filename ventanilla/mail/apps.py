from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "ventanilla.mail"
    label = "mail"
    verbose_name = _("Correo")

    def ready(self):
        # Huey's consumer only autodiscovers `tasks` modules.
        from . import jobs  # noqa: F401
