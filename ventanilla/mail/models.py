"""The email channel's records: the mailboxes we read, every message that
came in (stored, ignored or quarantined: nothing vanishes), the Message-IDs
that thread a conversation, the people cc'd on a ticket, every notification
we send, and the extra addresses a customer wants notifications at."""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Mailbox(models.Model):
    class Security(models.TextChoices):
        SSL = "ssl", _("IMAPS (TLS desde el inicio)")
        STARTTLS = "starttls", _("STARTTLS")
        NONE = "none", _("Sin cifrado (solo pruebas locales)")

    name = models.SlugField(_("nombre"), max_length=50, unique=True,
                            help_text=_("Identificador corto, p. ej. «soporte»; lo usa `ventanilla mail pipe --mailbox`."))
    address = models.EmailField(_("dirección"), unique=True,
                                help_text=_("La dirección pública, p. ej. soporte@tuempresa.com."))
    department = models.ForeignKey("tickets.Department", on_delete=models.PROTECT,
                                   verbose_name=_("departamento"))
    is_active = models.BooleanField(_("activo"), default=True)
    imap_host = models.CharField(_("servidor IMAP"), max_length=200, blank=True,
                                 help_text=_("Vacío: este buzón solo recibe por `ventanilla mail pipe`."))
    imap_port = models.PositiveIntegerField(_("puerto IMAP"), default=993)
    imap_security = models.CharField(_("cifrado"), max_length=10, choices=Security.choices,
                                     default=Security.SSL)
    imap_username = models.CharField(_("usuario IMAP"), max_length=200, blank=True)
    imap_password = models.CharField(_("contraseña IMAP"), max_length=200, blank=True)
    imap_folder = models.CharField(_("carpeta"), max_length=100, default="INBOX")
    processed_folder = models.CharField(
        _("carpeta de procesados"), max_length=100, blank=True,
        help_text=_("Si se indica, los mensajes procesados se mueven aquí; si no, se marcan como leídos."))
    poll_every_seconds = models.PositiveIntegerField(_("revisar cada (segundos)"), default=60)
    last_polled_at = models.DateTimeField(_("última revisión"), null=True, blank=True)
    last_error = models.TextField(_("último error"), blank=True)
    # A poll claims the mailbox until this time (a conditional UPDATE, so two
    # consumers never poll it at once); it expires by itself should the
    # worker die mid-poll, unlike a lock that would have to be cleared.
    poll_lease_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("buzón")
        verbose_name_plural = _("buzones")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} <{self.address}>"


def raw_path(instance, filename):
    return f"mail/{timezone.now():%Y/%m}/{filename}"


class InboundMessage(models.Model):
    """One received email, kept raw (downloadable as .eml) whatever became of it."""

    class Status(models.TextChoices):
        STORED = "guardado", _("Guardado en un ticket")
        IGNORED = "ignorado", _("Ignorado (respuesta automática, rebote o bucle)")
        QUARANTINED = "cuarentena", _("En cuarentena")

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="messages",
                                verbose_name=_("buzón"))
    class Unacknowledged(models.TextChoices):
        """Why a ticket this message opened got no automatic acknowledgement
        (RFC 3834: never answer a list, a bulk mailing or a program)."""
        BULK = "masivo", _("correo masivo o de una lista de correo")
        AUTOMATIC = "automatico", _("enviado por un programa (Auto-Submitted)")

    class CcNotAdded(models.TextChoices):
        UNVERIFIED = "sin_verificar", _("el remitente no está verificado")
        LIMIT = "limite", _("el ticket alcanzó el máximo de participantes")

    # "sha256:<fingerprint>" (fingerprint.redelivery_key): the same email
    # arriving again (two mailboxes, an MTA's retry, a re-poll) is stored
    # once; a different email reusing a Message-ID is stored as itself.
    dedup_key = models.CharField(_("clave de duplicados"), max_length=300, unique=True)
    # Every delivery of this email, the first included: a redelivery only
    # counts here (it is the same message), so none goes unrecorded.
    deliveries = models.PositiveIntegerField(_("entregas"), default=1)
    last_delivered_at = models.DateTimeField(_("última entrega"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=300, blank=True, db_index=True)
    raw = models.FileField(_("original (.eml)"), upload_to=raw_path, max_length=200)
    size = models.PositiveIntegerField(_("tamaño"), default=0)
    sender = models.EmailField(_("remitente"), blank=True)
    subject = models.CharField(_("asunto"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("recibido"), default=timezone.now)
    status = models.CharField(_("estado"), max_length=12, choices=Status.choices)
    reason = models.CharField(_("motivo"), max_length=300, blank=True)
    error = models.TextField(_("error"), blank=True)
    sender_verified = models.BooleanField(_("remitente verificado"), default=False)
    # The HTML part, sanitized with nh3 (no scripts, styles or remote images).
    html = models.TextField(_("versión HTML saneada"), blank=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="inbound_emails", verbose_name=_("ticket"))
    ticket_message = models.OneToOneField("tickets.Message", on_delete=models.SET_NULL, null=True,
                                          blank=True, related_name="inbound_email")
    unacknowledged = models.CharField(_("sin acuse automático"), max_length=12, blank=True,
                                      choices=Unacknowledged.choices)
    # The Cc'd addresses that did not become participants, and why: shown to
    # the agents under the message (they may write to them) and in the admin.
    cc_not_added = models.JSONField(_("en copia, no añadidos"), default=list, blank=True)
    cc_not_added_reason = models.CharField(_("por qué no se añadieron"), max_length=14, blank=True,
                                           choices=CcNotAdded.choices)

    class Meta:
        verbose_name = _("correo recibido")
        verbose_name_plural = _("correos recibidos")
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_status")]

    def __str__(self):
        return f"{self.sender}: {self.subject}"


class ThreadId(models.Model):
    """Every Message-ID we received or sent for a ticket: replies thread by
    In-Reply-To/References against these."""

    message_id = models.CharField(max_length=300, unique=True)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="thread_ids")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Message-ID de un ticket")
        verbose_name_plural = _("Message-IDs de tickets")

    def __str__(self):
        return self.message_id


class Participant(models.Model):
    """Someone cc'd on a ticket: gets its notifications and may reply to it."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="participants",
                               verbose_name=_("ticket"))
    email = models.EmailField(_("correo"))
    name = models.CharField(_("nombre"), max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("participante")
        verbose_name_plural = _("participantes")
        constraints = [models.UniqueConstraint(fields=["ticket", "email"], name="participant_unique")]

    def __str__(self):
        return self.email


class OutboundEmail(models.Model):
    """Every notification we send, so that a failure is visible and can be
    retried by hand instead of vanishing."""

    class Status(models.TextChoices):
        PENDING = "pendiente", _("Pendiente")
        SENT = "enviado", _("Enviado")
        FAILED = "fallido", _("Fallido")

    kind = models.CharField(_("tipo"), max_length=30)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="outbound_emails", verbose_name=_("ticket"))
    # The message it is about (an agent's reply, a customer's answer), so
    # that a failure can say which one the recipient did not get.
    ticket_message = models.ForeignKey("tickets.Message", on_delete=models.SET_NULL, null=True,
                                       blank=True, related_name="+", verbose_name=_("mensaje"))
    to = models.TextField(_("para"), help_text=_("Direcciones separadas por comas."))
    subject = models.CharField(_("asunto"), max_length=300)
    message_id = models.CharField(_("Message-ID"), max_length=300, unique=True)
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    last_error = models.TextField(_("último error"), blank=True)
    created_at = models.DateTimeField(_("creado"), default=timezone.now)
    sent_at = models.DateTimeField(_("enviado"), null=True, blank=True)
    # What is sent is rendered once, when the row is created: every retry
    # sends the same bytes with the same Message-ID and threading headers.
    from_email = models.CharField(_("de"), max_length=300, blank=True)
    text_body = models.TextField(_("texto"), blank=True)
    html_body = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("cabeceras"), default=dict, blank=True)
    # When the next attempt is due (while one runs: when it counts as lost);
    # the sweep re-queues rows whose job never ran.
    next_attempt_at = models.DateTimeField(_("próximo intento"), null=True, blank=True)

    class Meta:
        verbose_name = _("correo enviado")
        verbose_name_plural = _("correos enviados")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="outbound_status")]

    def __str__(self):
        return f"{self.kind} → {self.to}"


class NotificationOutbox(models.Model):
    """One committed event whose notifications must be built, written in the
    transaction that made the change (tickets.notifications). The row is
    marked done in the transaction that creates its OutboundEmail rows, so a
    build that dies (a locked database, a killed worker) leaves it pending and
    the sweep builds it again: every committed event is notified exactly
    once. `kind` names the handler (outbound.OUTBOX_HANDLERS); other apps
    register theirs (webhooks)."""

    class Status(models.TextChoices):
        PENDING = "pendiente", _("Pendiente")
        DONE = "hecho", _("Hecho")
        FAILED = "fallido", _("Fallido")

    kind = models.CharField(_("tipo"), max_length=40)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+", verbose_name=_("ticket"))
    message = models.ForeignKey("tickets.Message", on_delete=models.CASCADE, null=True,
                                blank=True, related_name="+", verbose_name=_("mensaje"))
    actor_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    last_error = models.TextField(_("último error"), blank=True)
    created_at = models.DateTimeField(_("creado"), default=timezone.now)
    # A build claims the row until this time (a conditional UPDATE, so two
    # workers never build it at once); after a failure, when the next try
    # is due. The sweep takes rows whose claim has run out.
    claimed_until = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notificación por construir")
        verbose_name_plural = _("notificaciones por construir")
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="outbox_status")]

    def __str__(self):
        return f"{self.kind} ({self.get_status_display()})"


class NotificationAddress(models.Model):
    """An extra address a customer wants some notifications at (INTROSERV's
    "Enviar correos electrónicos": soporte, facturas/pedidos, abusos). It
    receives nothing until confirmed through the link we email to it."""

    class Kind(models.TextChoices):
        SUPPORT = "soporte", _("Soporte (actualizaciones de tickets)")
        BILLING = "facturacion", _("Facturas y pedidos")
        ABUSE = "abuso", _("Abusos y seguridad")

    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE,
                                 related_name="notification_addresses", verbose_name=_("cliente"))
    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    email = models.EmailField(_("correo"))
    token = models.CharField(max_length=64, unique=True)
    confirmed_at = models.DateTimeField(_("confirmado"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("dirección de notificación")
        verbose_name_plural = _("direcciones de notificación")
        constraints = [models.UniqueConstraint(fields=["customer", "kind", "email"],
                                               name="notification_address_unique")]
        indexes = [models.Index(Lower("email"), name="notification_email_lower")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.email}"
