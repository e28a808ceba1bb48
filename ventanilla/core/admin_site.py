"""The admin site, its models grouped by what an administrator does rather
than by the app that defines them (Django lists ~45 models in app order)."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (section, models as "app_label.ModelName"), in the order shown. A model
# registered later and missing here appears under "Otros": nothing is hidden.
SECTIONS = [
    (_("Clientes y servicios"), ["accounts.Customer", "accounts.Service", "status.SupportPin",
                                 "status.PinCheck", "status.ContactRequest",
                                 "notifications.Preference"]),
    (_("Equipo"), ["accounts.User", "accounts.AgentProfile", "auth.Group", "account.EmailAddress",
                   "mfa.Authenticator", "chat.AgentAvailability"]),
    (_("Tickets y categorías"), ["tickets.Ticket", "tickets.Department", "tickets.Category",
                                 "tickets.CannedResponse", "fields.CategoryField",
                                 "fields.TicketFieldValue", "fields.FieldValueChange",
                                 "fields.ConsentAction", "fields.ConsentRequest",
                                 "fields.ConsentAnswer", "fields.ActionRecord"]),
    (_("Correo"), ["mail.Mailbox", "mail.InboundMessage", "mail.OutboundEmail"]),
    (_("Centro de ayuda"), ["kb.Article", "kb.KbCategory", "kb.ArticleFeedback",
                            "kb.SelfServiceSession"]),
    (_("Chat"), ["chat.Chat", "chat.ChatDepartment"]),
    (_("Plazos (SLA)"), ["sla.SlaPolicy", "sla.Calendar", "sla.Escalation", "sla.AgentAlert",
                         "sla.SatisfactionRating"]),
    (_("Estado del servicio"), ["status.Component", "status.Incident",
                                "notifications.Notification"]),
    (_("Integraciones"), ["integrations.Integration", "integrations.ApiKey",
                          "integrations.WebhookSubscription", "integrations.WebhookDelivery",
                          "integrations.ApiCall", "notifications.BillingEvent"]),
    (_("Configuración"), ["core.SiteSettings"]),
]
OTHERS = _("Otros")


class VentanillaAdminSite(AdminSite):
    site_header = _("Administración de Ventanilla")
    site_title = _("Ventanilla")
    index_title = _("Configuración")

    def get_app_list(self, request, app_label=None):
        if app_label is not None:  # an app's own page keeps Django's list
            return super().get_app_list(request, app_label)
        models = {}
        for app in self._build_app_dict(request).values():
            for model in app["models"]:
                models[f"{app['app_label']}.{model['object_name']}"] = model
        index_url = reverse("admin:index", current_app=self.name)
        sections = []
        for position, (name, labels) in enumerate(SECTIONS):
            found = [models.pop(label) for label in labels if label in models]
            if found:
                sections.append(self._section(f"seccion-{position}", name, found, index_url))
        if models:
            rest = sorted(models.values(), key=lambda m: str(m["name"]).lower())
            sections.append(self._section("otros", OTHERS, rest, index_url))
        return sections

    @staticmethod
    def _section(label, name, models, index_url):
        return {"name": name, "app_label": label, "app_url": index_url,
                "has_module_perms": True, "models": models}


class AdminConfig(DjangoAdminConfig):
    default_site = "ventanilla.core.admin_site.VentanillaAdminSite"
