import secrets
import uuid
from datetime import UTC, datetime
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.config_cache import ConfigQuerySet


class Department(models.Model):
    name = models.CharField(_("nombre"), max_length=100, unique=True)
    slug = models.SlugField(_("identificador"), max_length=50, unique=True)
    description = models.CharField(_("descripción"), max_length=300, blank=True)
    is_active = models.BooleanField(_("activo"), default=True)
    position = models.PositiveSmallIntegerField(_("orden"), default=0)

    objects = ConfigQuerySet.as_manager()

    class Meta:
        verbose_name = _("departamento")
        verbose_name_plural = _("departamentos")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class Category(models.Model):
    """A category tree under each department. Inactive categories stay for
    the history of old tickets but are no longer offered ("No lo utilizaremos")."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="categories", verbose_name=_("departamento")
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("categoría padre"),
    )
    name = models.CharField(_("nombre"), max_length=100)
    is_active = models.BooleanField(_("activa"), default=True)
    position = models.PositiveSmallIntegerField(_("orden"), default=0)

    objects = ConfigQuerySet.as_manager()

    class Meta:
        verbose_name = _("categoría")
        verbose_name_plural = _("categorías")
        ordering = ["department__position", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "parent", "name"], name="category_unique_name")
        ]

    def __str__(self):
        return f"{self.parent.name} → {self.name}" if self.parent_id else self.name


class Status(models.TextChoices):
    OPEN = "abierto", _("Abierto")
    PENDING = "pendiente", _("Pendiente")
    RESOLVED = "resuelto", _("Resuelto")
    CLOSED = "cerrado", _("Cerrado")


class Priority(models.TextChoices):
    REGULAR = "regular", _("Regular")
    HIGH = "alta", _("Alta")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Área de cliente")
    EMAIL = "email", _("Correo electrónico")
    CHAT = "chat", _("Chat")
    API = "api", _("API")
    AGENT = "agente", _("Creado por un agente")


# Ticket.due_at when no response-time target runs: far in the future (but
# not so far that a time-zone conversion overflows), so it sorts last.
NO_DUE = datetime(9000, 1, 1, tzinfo=UTC)


def new_ticket_number() -> str:
    """A public ticket number: 8 random digits, not sequential, not guessable."""
    return str(10_000_000 + secrets.randbelow(90_000_000))


class Ticket(models.Model):
    number = models.CharField(_("número"), max_length=12, unique=True, default=new_ticket_number)
    subject = models.CharField(_("asunto"), max_length=200)
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.PROTECT, related_name="tickets", verbose_name=_("cliente")
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("solicitante"),
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, verbose_name=_("departamento"))
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("categoría")
    )
    service = models.ForeignKey(
        "accounts.Service", on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("servicio")
    )
    priority = models.CharField(_("prioridad"), max_length=10, choices=Priority.choices,
                                default=Priority.REGULAR)
    # Only ventanilla.tickets.status may write this field.
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices, default=Status.OPEN)
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices, default=Channel.PORTAL)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="assigned_tickets", verbose_name=_("asignado a"),
    )
    created_at = models.DateTimeField(_("creado"), default=timezone.now)
    updated_at = models.DateTimeField(_("actualizado"), default=timezone.now)
    status_changed_at = models.DateTimeField(_("cambio de estado"), default=timezone.now)
    last_customer_message_at = models.DateTimeField(_("último mensaje del cliente"), null=True, blank=True)
    last_agent_message_at = models.DateTimeField(_("última respuesta del agente"), null=True, blank=True)
    # When the ticket began waiting for the customer (Pendiente/Resuelto);
    # the auto-close clock runs from here. Null while it waits for an agent.
    awaiting_customer_since = models.DateTimeField(_("esperando al cliente desde"), null=True, blank=True)
    close_warning_sent_at = models.DateTimeField(_("aviso de cierre enviado"), null=True, blank=True)
    closed_at = models.DateTimeField(_("cerrado"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged_from",
        verbose_name=_("fusionado en"),
    )
    follow_up_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="follow_ups",
        verbose_name=_("continuación de"),
    )

    # Critical incident details (required when priority is Alta).
    incident_server_ip = models.GenericIPAddressField(_("IP del servidor"), null=True, blank=True)
    incident_order_number = models.CharField(_("número de pedido"), max_length=20, blank=True)
    incident_service_name = models.CharField(_("nombre del servicio"), max_length=150, blank=True)
    incident_started_at = models.DateTimeField(_("inicio del problema"), null=True, blank=True)
    incident_time_zone = models.CharField(_("zona horaria del inicio"), max_length=64, blank=True)
    incident_diagnostics = models.TextField(_("datos de diagnóstico"), blank=True)

    # Response-time promises, kept by ventanilla.sla.timers on every event.
    # The targets' due times stay after they are met, for the reports.
    first_response_due_at = models.DateTimeField(_("primera respuesta antes de"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("primera respuesta"), null=True, blank=True)
    next_response_since = models.DateTimeField(_("espera respuesta desde"), null=True, blank=True)
    next_response_due_at = models.DateTimeField(_("siguiente respuesta antes de"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolución antes de"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resuelto"), null=True, blank=True)
    # Set while the clocks stop (waiting for the customer, resolved, closed).
    sla_paused_at = models.DateTimeField(_("plazos en pausa desde"), null=True, blank=True)
    # The earliest running due time (the queue sorts by it; NO_DUE when none
    # runs, so that keyset pagination never meets a NULL) and when it turns
    # "por vencer".
    due_at = models.DateTimeField(_("vence"), default=NO_DUE)
    due_warning_at = models.DateTimeField(_("por vencer desde"), null=True, blank=True)
    # The next warning or breach the SLA sweep must look at (indexed: the
    # sweep reads only tickets whose moment has come).
    sla_check_at = models.DateTimeField(_("próxima revisión de plazos"), null=True, blank=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            # Agent queues: a department's tickets in a status, Alta first, oldest first.
            models.Index(fields=["department", "status", "priority", "created_at"], name="tk_queue"),
            models.Index(fields=["department", "status", "updated_at"], name="tk_queue_updated"),
            models.Index(fields=["assignee", "status", "updated_at"], name="tk_assignee"),
            # Customer history: newest first.
            models.Index(fields=["customer", "updated_at"], name="tk_customer"),
            models.Index(fields=["customer", "status", "updated_at"], name="tk_customer_status"),
            # Auto-close sweep.
            models.Index(fields=["status", "awaiting_customer_since"], name="tk_autoclose",
                         condition=Q(awaiting_customer_since__isnull=False)),
            # Agent queues sorted by due time, Alta first.
            models.Index(fields=["department", "status", "priority", "due_at"], name="tk_queue_due"),
            # The SLA sweep.
            models.Index(fields=["sla_check_at"], name="tk_sla_check",
                         condition=Q(sla_check_at__isnull=False)),
        ]

    def __str__(self):
        return f"#{self.number} {self.subject}"

    @property
    def is_closed(self) -> bool:
        return self.status == Status.CLOSED

    @property
    def awaits_agent(self) -> bool:
        return self.status == Status.OPEN

    @property
    def has_due(self) -> bool:
        return self.due_at != NO_DUE


class Message(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "cliente", _("Mensaje del cliente")
        REPLY = "respuesta", _("Respuesta del agente")
        NOTE = "nota", _("Nota interna")
        SYSTEM = "sistema", _("Mensaje del sistema")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("autor"),
    )
    body = models.TextField(_("mensaje"))
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices, default=Channel.PORTAL)

    class Meta:
        verbose_name = _("mensaje")
        verbose_name_plural = _("mensajes")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="msg_ticket")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.ticket_id})"

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.NOTE


def attachment_path(instance, filename):
    # Random names: the original name is kept in the database only.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("adjunto")
        verbose_name_plural = _("adjuntos")

    def __str__(self):
        return self.original_name


class TicketEvent(models.Model):
    """The audit log: every change to a ticket, who did it, from → to."""

    class Kind(models.TextChoices):
        CREATED = "creado", _("Creado")
        STATUS = "estado", _("Estado")
        PRIORITY = "prioridad", _("Prioridad")
        DEPARTMENT = "departamento", _("Departamento")
        CATEGORY = "categoria", _("Categoría")
        ASSIGNEE = "asignacion", _("Asignación")
        MERGED = "fusion", _("Fusión")
        CLOSE_WARNING = "aviso_cierre", _("Aviso de cierre")
        VERIFIED = "verificado", _("Verificado")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("tipo"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("quién"),
    )
    from_value = models.CharField(_("antes"), max_length=200, blank=True)
    to_value = models.CharField(_("después"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("cuándo"), default=timezone.now)

    class Meta:
        verbose_name = _("evento")
        verbose_name_plural = _("eventos")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="ev_ticket")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.from_value} → {self.to_value}"


class CannedResponse(models.Model):
    title = models.CharField(_("título"), max_length=120)
    body = models.TextField(_("texto"))
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, blank=True, related_name="canned_responses",
        verbose_name=_("departamento"), help_text=_("Vacío: disponible en todos los departamentos."),
    )

    class Meta:
        verbose_name = _("respuesta predefinida")
        verbose_name_plural = _("respuestas predefinidas")
        ordering = ["title"]

    def __str__(self):
        return self.title


class PortalSubmission(models.Model):
    """A portal form's one-time token (ventanilla/tickets/submissions.py),
    stored in the transaction that created the ticket or reply: the same
    submission sent again (a retry after a crash, a double click) finds what
    it made instead of making it twice, even when both arrive together."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, blank=True,
                                related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "token"],
                                               name="portal_submission_once")]

    def __str__(self):
        return f"{self.token} → #{self.ticket_id}"
