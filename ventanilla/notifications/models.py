"""The customer's notification center: every notice lands here (the bell in
the client area) and, by the customer's choice per kind, by email to the
registered address and the confirmed addresses of that kind."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    TICKET = "ticket", _("Actualizaciones de tickets")
    SERVICE = "servicio", _("Incidentes y mantenimientos de tus servicios")
    BILLING = "facturacion", _("Facturación y pedidos")
    ABUSE = "abuso", _("Abuso y seguridad")


class Notification(models.Model):
    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE,
                                 related_name="notifications", verbose_name=_("cliente"))
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("título"), max_length=200)
    body = models.TextField(_("texto"), blank=True)
    # A path inside the site (the ticket, the incident, the invoice...).
    url = models.CharField(_("enlace"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("creada"), default=timezone.now)
    read_at = models.DateTimeField(_("leída"), null=True, blank=True)

    class Meta:
        verbose_name = _("notificación")
        verbose_name_plural = _("notificaciones")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "created_at"], name="notif_customer"),
            models.Index(fields=["customer"], name="notif_unread",
                         condition=models.Q(read_at__isnull=True)),
        ]

    def __str__(self):
        return self.title

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class Preference(models.Model):
    """Whether a customer wants email for one kind (no row: yes)."""

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE,
                                 related_name="notification_preferences", verbose_name=_("cliente"))
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    email = models.BooleanField(_("recibir por correo"), default=True)

    class Meta:
        verbose_name = _("preferencia de notificación")
        verbose_name_plural = _("preferencias de notificación")
        constraints = [models.UniqueConstraint(fields=["customer", "kind"], name="notif_pref_unique")]

    def __str__(self):
        return f"{self.customer_id} {self.kind}: {self.email}"


class BillingEvent(models.Model):
    class Type(models.TextChoices):
        INVOICE_ISSUED = "invoice.issued", _("Factura emitida")
        ORDER_CONFIRMED = "order.confirmed", _("Pedido confirmado")
        PAYMENT_FAILED = "payment.failed", _("Pago fallido")

    # The billing system is an integrations.Integration: its API keys with the
    # billing_events:write scope send events (see docs/integrations.md).
    integration = models.ForeignKey("integrations.Integration", on_delete=models.PROTECT,
                                    related_name="billing_events", verbose_name=_("integración"))
    # The billing system's id for the event: a retried delivery is stored once.
    external_id = models.CharField(_("id del evento"), max_length=100)
    type = models.CharField(_("tipo"), max_length=32, choices=Type.choices)
    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE,
                                 related_name="billing_events", verbose_name=_("cliente"))
    payload = models.JSONField(_("datos"), default=dict)
    notification = models.OneToOneField(Notification, on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+")
    received_at = models.DateTimeField(_("recibido"), default=timezone.now)

    class Meta:
        verbose_name = _("evento de facturación")
        verbose_name_plural = _("eventos de facturación")
        ordering = ["-received_at"]
        constraints = [models.UniqueConstraint(fields=["integration", "external_id"],
                                               name="billing_event_unique")]

    def __str__(self):
        return f"{self.type} {self.external_id}"
