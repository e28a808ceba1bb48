import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChatDepartment(models.Model):
    """A department's chat settings: whether it chats, what the chat covers
    and what it does not (shown before a chat starts), and how long a
    customer may wait before being offered a ticket instead."""

    department = models.OneToOneField(
        "tickets.Department", on_delete=models.CASCADE, related_name="chat_settings",
        verbose_name=_("departamento"),
    )
    is_enabled = models.BooleanField(_("chat activo"), default=True)
    covers = models.TextField(_("el chat ayuda con"), blank=True,
                              help_text=_("Un punto por línea."))
    excludes = models.TextField(_("el chat no hace"), blank=True,
                                help_text=_("Un punto por línea."))
    max_wait_minutes = models.PositiveSmallIntegerField(
        _("espera máxima (minutos)"), default=10,
        help_text=_("Pasada esta espera se ofrece dejar la consulta como ticket."),
    )

    class Meta:
        verbose_name = _("chat de un departamento")
        verbose_name_plural = _("chat por departamento")

    def __str__(self):
        return str(self.department)

    @staticmethod
    def lines(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def covers_list(self) -> list[str]:
        return self.lines(self.covers)

    @property
    def excludes_list(self) -> list[str]:
        return self.lines(self.excludes)


class AgentAvailability(models.Model):
    """Whether an agent takes chats now, and how many at once."""

    class Status(models.TextChoices):
        AVAILABLE = "disponible", _("Disponible")
        AWAY = "ausente", _("Ausente")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="chat_availability", verbose_name=_("agente"))
    status = models.CharField(_("disponibilidad"), max_length=10, choices=Status.choices,
                              default=Status.AWAY)
    max_chats = models.PositiveSmallIntegerField(
        _("chats simultáneos"), default=3, validators=[MinValueValidator(1), MaxValueValidator(20)])
    changed_at = models.DateTimeField(_("cambio"), default=timezone.now)

    class Meta:
        verbose_name = _("disponibilidad de agente")
        verbose_name_plural = _("disponibilidad de agentes")

    def __str__(self):
        return f"{self.user} · {self.get_status_display()}"


class Chat(models.Model):
    class Status(models.TextChoices):
        WAITING = "espera", _("En espera")
        ACTIVE = "activo", _("En curso")
        CLOSED = "cerrado", _("Terminado")

    class VisitorReason(models.TextChoices):
        NONE = "", _("—")
        CANNOT_LOG_IN = "sin_acceso", _("No puedo iniciar sesión")
        NOT_A_CUSTOMER = "no_cliente", _("Todavía no soy cliente")

    # The visitor's handle in URLs and sockets: random, never the pk.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    department = models.ForeignKey("tickets.Department", on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("departamento"))
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices,
                              default=Status.WAITING)
    # A logged-in customer, or a visitor known only by what they typed.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("usuario"))
    customer = models.ForeignKey("accounts.Customer", on_delete=models.SET_NULL, null=True,
                                 blank=True, related_name="chats", verbose_name=_("cliente"))
    name = models.CharField(_("nombre"), max_length=150)
    email = models.EmailField(_("correo"))
    visitor_reason = models.CharField(_("motivo"), max_length=12, blank=True,
                                      choices=VisitorReason.choices)
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="chats_taken", verbose_name=_("agente"))
    last_seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("inicio"), default=timezone.now)
    accepted_at = models.DateTimeField(_("atendido"), null=True, blank=True)
    # When the assigned agent's console opened the chat: only then does the
    # customer read "X se unió al chat" (an assignment alone is no person).
    joined_at = models.DateTimeField(_("el agente se unió"), null=True, blank=True)
    closed_at = models.DateTimeField(_("terminado"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("valoración"), null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.TextField(_("comentario"), blank=True)
    transcript_sent_at = models.DateTimeField(_("transcripción enviada"), null=True, blank=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("ticket"))

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["department", "status", "created_at"], name="chat_queue"),
            models.Index(fields=["agent", "status"], name="chat_agent",
                         condition=Q(agent__isnull=False)),
        ]

    def __str__(self):
        return f"{self.name} · {self.get_status_display()}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class ChatMessage(models.Model):
    class Kind(models.TextChoices):
        CUSTOMER = "cliente", _("Cliente")
        AGENT = "agente", _("Agente")
        SYSTEM = "sistema", _("Sistema")
        NOTE = "nota", _("Nota interna")  # transfer notes: agents only

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages")
    # 1, 2, 3... within the chat: the order everyone sees and what a client
    # resumes from after a reconnect.
    seq = models.PositiveIntegerField()
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("autor"))
    body = models.TextField(_("mensaje"))
    # The sender's id for the message: a resend after a dropped connection
    # finds the stored one instead of storing it twice.
    client_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("mensaje de chat")
        verbose_name_plural = _("mensajes de chat")
        ordering = ["chat", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chat", "seq"], name="chatmsg_seq"),
            models.UniqueConstraint(fields=["chat", "client_id"], name="chatmsg_client_id",
                                    condition=~Q(client_id="")),
        ]

    def __str__(self):
        return f"{self.chat_id}#{self.seq}"

    @property
    def is_public(self) -> bool:
        return self.kind != self.Kind.NOTE


class ConsoleConnection(models.Model):
    """One open chat console socket of an agent, and when it last said it
    is alive (on connecting, then a heartbeat every few seconds). An agent
    is there while one of their consoles was seen lately (presence.py);
    the row outlives a closed socket, so a reload keeps them there."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="chat_consoles", verbose_name=_("agente"))
    # The socket's channel name: unique per connection, across processes.
    key = models.CharField(max_length=120, unique=True)
    opened_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("consola de chat abierta")
        verbose_name_plural = _("consolas de chat abiertas")
        indexes = [models.Index(fields=["user", "last_seen"], name="chat_console_seen")]

    def __str__(self):
        return f"{self.user} · {self.last_seen:%H:%M:%S}"
