from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ventanilla.core"
    label = "core"
    verbose_name = _("Configuración")

    def ready(self):
        from django.apps import apps

        from . import config_cache

        # What ventanilla.core.config_cache keeps in memory is read from these.
        config_cache.watch(*(apps.get_model(label) for label in (
            "tickets.Department", "tickets.Category", "sla.SlaPolicy", "sla.Calendar",
            "sla.OpeningHours", "sla.Holiday", "fields.CategoryField", "fields.CategoryGuidance",
        )))
