"""Service status: components (servers, DNS, correo, panel, red), the
services that run on each (so we know who an incident affects), incidents
and scheduled maintenance with their timeline, ticket links; and the
contact forms without an account and the support PIN."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ComponentState(models.TextChoices):
    """Ordered from best to worst (see state.SEVERITY)."""

    OPERATIONAL = "operativo", _("Operativo")
    MAINTENANCE = "mantenimiento", _("En mantenimiento")
    DEGRADED = "degradado", _("Rendimiento degradado")
    PARTIAL = "parcial", _("Interrupción parcial")
    MAJOR = "total", _("Interrupción total")


class Component(models.Model):
    class Kind(models.TextChoices):
        SERVER = "servidor", _("Servidor o clúster")
        DNS = "dns", _("DNS")
        MAIL = "correo", _("Correo")
        PANEL = "panel", _("Panel de control")
        NETWORK = "red", _("Red")
        OTHER = "otro", _("Otro")

    name = models.CharField(_("nombre"), max_length=100, unique=True)
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices, default=Kind.SERVER)
    description = models.CharField(_("descripción"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("orden"), default=0)
    is_public = models.BooleanField(_("visible en la página de estado"), default=True)
    services = models.ManyToManyField("accounts.Service", through="ComponentService",
                                      related_name="status_components", blank=True)

    class Meta:
        verbose_name = _("componente")
        verbose_name_plural = _("componentes")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class ComponentService(models.Model):
    """A customer's service runs on (depends on) a component."""

    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="service_links",
                                  verbose_name=_("componente"))
    service = models.ForeignKey("accounts.Service", on_delete=models.CASCADE,
                                related_name="component_links", verbose_name=_("servicio"))

    class Meta:
        verbose_name = _("servicio del componente")
        verbose_name_plural = _("servicios de los componentes")
        constraints = [models.UniqueConstraint(fields=["component", "service"],
                                               name="component_service_unique")]

    def __str__(self):
        return f"{self.component} ← {self.service}"


class Incident(models.Model):
    """An incident or a scheduled maintenance, with its timeline of updates.
    Only status.services changes `status` (see status.state for the table)."""

    class Kind(models.TextChoices):
        INCIDENT = "incidente", _("Incidente")
        MAINTENANCE = "mantenimiento", _("Mantenimiento programado")

    class Status(models.TextChoices):
        INVESTIGATING = "investigando", _("Investigando")
        IDENTIFIED = "identificado", _("Causa identificada")
        MONITORING = "monitorizando", _("Monitorizando")
        RESOLVED = "resuelto", _("Resuelto")
        SCHEDULED = "programado", _("Programado")
        IN_PROGRESS = "en_curso", _("En curso")
        COMPLETED = "completado", _("Completado")
        CANCELLED = "cancelado", _("Cancelado")

    class Impact(models.TextChoices):
        DEGRADED = ComponentState.DEGRADED.value, ComponentState.DEGRADED.label
        PARTIAL = ComponentState.PARTIAL.value, ComponentState.PARTIAL.label
        MAJOR = ComponentState.MAJOR.value, ComponentState.MAJOR.label
        MAINTENANCE = ComponentState.MAINTENANCE.value, ComponentState.MAINTENANCE.label

    kind = models.CharField(_("tipo"), max_length=14, choices=Kind.choices, default=Kind.INCIDENT)
    title = models.CharField(_("título"), max_length=200)
    status = models.CharField(_("estado"), max_length=14, choices=Status.choices)
    impact = models.CharField(_("impacto"), max_length=14, choices=Impact.choices)
    components = models.ManyToManyField(Component, related_name="incidents",
                                        verbose_name=_("componentes afectados"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("publicado por"))
    created_at = models.DateTimeField(_("publicado"), default=timezone.now)
    # When the impact began (an incident: on publication; a maintenance:
    # when it starts) and ended.
    started_at = models.DateTimeField(_("inicio"), null=True, blank=True)
    ended_at = models.DateTimeField(_("fin"), null=True, blank=True)
    scheduled_start = models.DateTimeField(_("inicio programado"), null=True, blank=True)
    scheduled_end = models.DateTimeField(_("fin programado"), null=True, blank=True)
    updated_at = models.DateTimeField(_("actualizado"), default=timezone.now)

    class Meta:
        verbose_name = _("incidente o mantenimiento")
        verbose_name_plural = _("incidentes y mantenimientos")
        ordering = ["-created_at"]
        # Supervisors and administrators hold it by their role; any other
        # agent gets it in the admin (user permissions or a group).
        permissions = [("publish_incident",
                        _("Puede publicar incidentes y mantenimientos en la página de estado"))]
        indexes = [models.Index(fields=["status", "created_at"], name="incident_status")]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        from .state import OPEN_STATUSES

        return self.status in OPEN_STATUSES

    @property
    def is_maintenance(self) -> bool:
        return self.kind == self.Kind.MAINTENANCE


class IncidentUpdate(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="updates")
    status = models.CharField(_("estado"), max_length=14, choices=Incident.Status.choices)
    body = models.TextField(_("mensaje"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("autor"))
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)
    posted_to_tickets = models.PositiveIntegerField(_("publicado en tickets"), default=0)

    class Meta:
        verbose_name = _("actualización")
        verbose_name_plural = _("actualizaciones")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["incident", "created_at"], name="incident_update")]

    def __str__(self):
        return f"{self.incident}: {self.get_status_display()}"


class IncidentTicket(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="ticket_links")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="incident_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ticket vinculado")
        verbose_name_plural = _("tickets vinculados")
        constraints = [models.UniqueConstraint(fields=["incident", "ticket"], name="incident_ticket_unique")]

    def __str__(self):
        return f"{self.incident_id} ↔ {self.ticket_id}"


class IncidentFollower(models.Model):
    """A customer who chose to follow an incident (instead of opening a
    ticket): they get every update, not only the start and the end."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="followers")
    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("seguidor")
        verbose_name_plural = _("seguidores")
        constraints = [models.UniqueConstraint(fields=["incident", "customer"], name="incident_follower_unique")]

    def __str__(self):
        return f"{self.customer_id} → {self.incident_id}"


class ContactRequest(models.Model):
    """What a person without an account sent through a public form, kept
    beside the ticket it opened (with the address they typed, which for
    "No puedo iniciar sesión" never receives anything)."""

    class Kind(models.TextChoices):
        CANNOT_LOGIN = "acceso", _("No puedo iniciar sesión")
        PRESALES = "preventa", _("Todavía no soy cliente")
        ABUSE = "abuso", _("Reporte de abuso")

    class AbuseType(models.TextChoices):
        SPAM = "spam", _("Spam")
        PHISHING = "phishing", _("Phishing")
        MALWARE = "malware", _("Malware")
        COPYRIGHT = "copyright", _("Derechos de autor")
        OTHER = "otro", _("Otro")

    kind = models.CharField(_("formulario"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("nombre"), max_length=150)
    email = models.EmailField(_("correo escrito"), blank=True)
    identifier = models.CharField(_("correo o dominio de la cuenta"), max_length=253, blank=True)
    abuse_type = models.CharField(_("tipo de abuso"), max_length=10, choices=AbuseType.choices,
                                  blank=True)
    target = models.CharField(_("URL o IP"), max_length=500, blank=True)
    matched_customer = models.ForeignKey("accounts.Customer", on_delete=models.SET_NULL, null=True,
                                         blank=True, related_name="+", verbose_name=_("cuenta encontrada"))
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="contact_request")
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    created_at = models.DateTimeField(_("recibido"), default=timezone.now)

    class Meta:
        verbose_name = _("solicitud de contacto sin cuenta")
        verbose_name_plural = _("solicitudes de contacto sin cuenta")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name}"


def new_pin() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


class SupportPin(models.Model):
    """The number a customer tells an agent to prove the account is theirs
    (never a password). Shown to the customer, so it is stored as is."""

    customer = models.OneToOneField("accounts.Customer", on_delete=models.CASCADE,
                                    related_name="support_pin", verbose_name=_("cliente"))
    pin = models.CharField(_("PIN"), max_length=6, default=new_pin)
    rotated_at = models.DateTimeField(_("generado"), default=timezone.now)

    class Meta:
        verbose_name = _("PIN de soporte")
        verbose_name_plural = _("PIN de soporte")

    def __str__(self):
        return str(self.customer)


class PinCheck(models.Model):
    """Every time an agent checks a customer's PIN (the audit log and the
    lockout counter)."""

    class Result(models.TextChoices):
        OK = "correcto", _("Correcto")
        WRONG = "incorrecto", _("Incorrecto")
        LOCKED = "bloqueado", _("Bloqueado (demasiados intentos)")

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("cliente"))
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+", verbose_name=_("agente"))
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("ticket"))
    result = models.CharField(_("resultado"), max_length=10, choices=Result.choices)
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("verificación de PIN")
        verbose_name_plural = _("verificaciones de PIN")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["customer", "created_at"], name="pincheck_customer")]

    def __str__(self):
        return f"{self.customer_id} {self.result}"
