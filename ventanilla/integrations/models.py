"""Integrations with the billing system and other tools: API keys, the API
call log, idempotent retries, external ids, webhooks and single sign-on.

External ids live here (ExternalRef), not on the core models: each
integration has its own id space, so two billing systems never collide."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Resources of the REST API; each has a read and a write scope. A feature
# that adds a router adds its resource here (see docs/integrations.md).
API_RESOURCES = {
    "customers": _("Clientes"),
    "services": _("Servicios"),
    "tickets": _("Tickets"),
    "attachments": _("Adjuntos"),
    "chats": _("Chats"),
    "kb": _("Base de conocimiento"),
    "sla": _("Tiempos de respuesta"),
    "status": _("Estado del servicio"),
    "billing_events": _("Eventos de facturación"),
}
SCOPE_CHOICES = [
    (f"{resource}:{access}", f"{label} — {access_label}")
    for resource, label in API_RESOURCES.items()
    for access, access_label in (("read", _("lectura")), ("write", _("escritura")))
]

# Webhook events. sla.*, chat.* and incident.* are emitted by their apps
# through ventanilla.integrations.events.emit.
WEBHOOK_EVENTS = [
    ("ticket.created", _("Ticket creado")),
    ("ticket.updated", _("Ticket actualizado")),
    ("message.created", _("Mensaje nuevo")),
    ("sla.warning", _("Aviso de SLA")),
    ("sla.breached", _("SLA incumplido")),
    ("chat.started", _("Chat iniciado")),
    ("chat.ended", _("Chat terminado")),
    ("incident.updated", _("Incidente actualizado")),
]


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_key(raw: str) -> str:
    """API keys are long random strings: a plain SHA-256 is enough to store
    them (no password stretching needed), and it allows an indexed lookup."""
    return hashlib.sha256(raw.encode()).hexdigest()


class Integration(models.Model):
    """One connected system (WHMCS, Blesta, an in-house billing app...)."""

    name = models.CharField(_("nombre"), max_length=100, unique=True)
    slug = models.SlugField(_("identificador"), max_length=50, unique=True)
    is_active = models.BooleanField(_("activa"), default=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("agente de la integración"),
        help_text=_("Las respuestas, notas y cambios hechos por la API quedan a su nombre, y la "
                    "API ve los tickets que este agente ve."),
    )
    sso_secret = models.CharField(
        _("secreto de acceso único"), max_length=100, default=new_secret,
        help_text=_("Secreto compartido con el sistema de facturación para firmar los enlaces de "
                    "acceso al Área de cliente."),
    )
    created_at = models.DateTimeField(_("creada"), default=timezone.now)

    class Meta:
        verbose_name = _("integración")
        verbose_name_plural = _("integraciones")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ApiKey(models.Model):
    """Only the SHA-256 of the key is stored; the key itself is shown once."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="api_keys",
                                    verbose_name=_("integración"))
    name = models.CharField(_("nombre"), max_length=100)
    prefix = models.CharField(_("prefijo"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("permisos"), default=list, blank=True)
    rate = models.CharField(
        _("límite de llamadas"), max_length=20, default="600/m",
        help_text=_("Llamadas por periodo, p. ej. «600/m» o «10000/h». Vacío: sin límite."),
        blank=True,
    )
    created_at = models.DateTimeField(_("creada"), default=timezone.now)
    last_used_at = models.DateTimeField(_("último uso"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revocada"), null=True, blank=True)

    class Meta:
        verbose_name = _("clave de API")
        verbose_name_plural = _("claves de API")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def generate(cls, **fields) -> tuple["ApiKey", str]:
        """A new unsaved key and its secret text ("vt_<prefix>_<secret>")."""
        prefix = secrets.token_hex(4)
        raw = f"vt_{prefix}_{secrets.token_urlsafe(32)}"
        return cls(prefix=prefix, key_hash=hash_key(raw), **fields), raw

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, scope: str) -> bool:
        return scope in self.scopes


class ApiCall(models.Model):
    """Every call to the API: which key, which route (the URL pattern, not
    the ids in it), the status code."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="calls", verbose_name=_("clave"))
    method = models.CharField(_("método"), max_length=8)
    route = models.CharField(_("ruta"), max_length=200)
    status = models.PositiveSmallIntegerField(_("código"))
    duration_ms = models.PositiveIntegerField(_("duración (ms)"), default=0)
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("llamada a la API")
        verbose_name_plural = _("llamadas a la API")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["api_key", "created_at"], name="apicall_key")]

    def __str__(self):
        return f"{self.method} {self.route} → {self.status}"


class IdempotentRequest(models.Model):
    """A POST made with an Idempotency-Key: a retry gets the same answer."""

    api_key = models.ForeignKey(ApiKey, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["api_key", "key"], name="idempotency_unique")]

    def __str__(self):
        return self.key


class ExternalRef(models.Model):
    """The billing system's id of one of our objects."""

    class Kind(models.TextChoices):
        CUSTOMER = "customer", _("Cliente")
        SERVICE = "service", _("Servicio")
        TICKET = "ticket", _("Ticket")
        MESSAGE = "message", _("Mensaje")

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="refs",
                                    verbose_name=_("integración"))
    kind = models.CharField(_("tipo"), max_length=10, choices=Kind.choices)
    external_id = models.CharField(_("id externo"), max_length=100)
    object_id = models.BigIntegerField(_("id interno"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("id externo")
        verbose_name_plural = _("ids externos")
        constraints = [
            models.UniqueConstraint(fields=["integration", "kind", "external_id"], name="extref_unique"),
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="extref_object")]

    def __str__(self):
        return f"{self.integration} {self.kind} {self.external_id} → {self.object_id}"


class WebhookSubscription(models.Model):
    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="webhooks",
                                    verbose_name=_("integración"))
    url = models.URLField(_("URL"), max_length=500)
    events = models.JSONField(_("eventos"), default=list)
    secret = models.CharField(
        _("secreto de firma"), max_length=100, default=new_secret,
        help_text=_("Con él se firma cada envío (cabecera Ventanilla-Signature)."),
    )
    is_active = models.BooleanField(_("activa"), default=True)
    include_internal_notes = models.BooleanField(
        _("incluir notas internas"), default=False,
        help_text=_("Envía también las notas internas de los agentes en «message.created». "
                    "Desactivado: el receptor solo ve lo que ve el cliente."),
    )
    consecutive_failures = models.PositiveIntegerField(_("fallos seguidos"), default=0)
    disabled_at = models.DateTimeField(_("desactivada automáticamente"), null=True, blank=True)
    created_at = models.DateTimeField(_("creada"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["integration", "url"]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pendiente", _("Pendiente")
        DELIVERED = "entregado", _("Entregado")
        FAILED = "fallido", _("Fallido")

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE,
                                     related_name="deliveries", verbose_name=_("webhook"))
    event = models.CharField(_("evento"), max_length=40)
    body = models.TextField(_("contenido"))
    status = models.CharField(_("estado"), max_length=10, choices=Status.choices,
                              default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("intentos"), default=0)
    response_code = models.PositiveSmallIntegerField(_("código de respuesta"), null=True, blank=True)
    last_error = models.TextField(_("último error"), blank=True)
    created_at = models.DateTimeField(_("creado"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("próximo intento"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("entregado"), null=True, blank=True)

    class Meta:
        verbose_name = _("envío de webhook")
        verbose_name_plural = _("envíos de webhooks")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subscription", "created_at"], name="delivery_sub")]

    def __str__(self):
        return f"{self.event} → {self.subscription}"


class SsoLogin(models.Model):
    """A used single sign-on link: the nonce is unique, so a replay fails."""

    integration = models.ForeignKey(Integration, on_delete=models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=100)
    customer = models.ForeignKey("accounts.Customer", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["integration", "nonce"], name="sso_nonce_unique")]

    def __str__(self):
        return self.nonce
