"""Per-category guidance and custom fields, the values a ticket carries, and
the customer's recorded consent.

A value keeps the label, type and options its field had when it was
answered: renaming, retyping or deleting a category's fields never changes
what old tickets show. Consent answers are written once and never change.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.config_cache import ConfigQuerySet


class FieldType(models.TextChoices):
    TEXT = "texto", _("Texto")
    LONG_TEXT = "texto_largo", _("Texto largo")
    EMAIL = "correo", _("Correo electrónico")
    DOMAIN = "dominio", _("Dominio")
    IP = "ip", _("Dirección IP")
    URL = "url", _("URL")
    DATETIME = "fecha_hora", _("Fecha y hora con zona horaria")
    AMOUNT = "importe", _("Importe con moneda")
    CHOICE = "opcion", _("Una opción")
    MULTIPLE = "opciones", _("Varias opciones")
    CHECKBOX = "casilla", _("Casilla")


# Types whose options come from CategoryField.options.
TYPES_WITH_OPTIONS = {FieldType.CHOICE, FieldType.MULTIPLE}
# Types that can be checked against the domains of the customer's services.
TYPES_WITH_OWNERSHIP = {FieldType.EMAIL, FieldType.DOMAIN, FieldType.URL}


class CategoryGuidance(models.Model):
    """What the customer should include, shown when the category is picked."""

    category = models.OneToOneField(
        "tickets.Category", on_delete=models.CASCADE, related_name="guidance",
        verbose_name=_("categoría"),
    )
    text = models.TextField(
        _("indicaciones"),
        help_text=_("Se muestra en el formulario al elegir la categoría, p. ej. «Incluye la "
                    "dirección de correo con la que tienes problemas». Las subcategorías sin "
                    "indicaciones propias muestran las de su categoría padre."),
    )

    objects = ConfigQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicaciones")
        verbose_name_plural = _("indicaciones")

    def __str__(self):
        return str(self.category)


class CategoryField(models.Model):
    """A question asked when a ticket of this category (or of one of its
    subcategories) is opened."""

    category = models.ForeignKey(
        "tickets.Category", on_delete=models.CASCADE, related_name="custom_fields",
        verbose_name=_("categoría"),
    )
    label = models.CharField(_("etiqueta"), max_length=120)
    type = models.CharField(_("tipo"), max_length=16, choices=FieldType.choices,
                            default=FieldType.TEXT)
    help_text = models.CharField(_("ayuda"), max_length=300, blank=True)
    required = models.BooleanField(_("obligatorio"), default=False)
    options = models.TextField(
        _("opciones"), blank=True,
        help_text=_("Solo para «Una opción» y «Varias opciones»: una opción por línea."),
    )
    must_be_customer_domain = models.BooleanField(
        _("debe ser de un servicio del cliente"), default=False,
        help_text=_("Para correo, dominio y URL: el dominio debe ser el de uno de los servicios "
                    "del cliente (o un subdominio suyo)."),
    )
    is_active = models.BooleanField(
        _("activo"), default=True,
        help_text=_("Un campo inactivo deja de preguntarse; los tickets que ya lo tienen lo conservan."),
    )
    position = models.PositiveSmallIntegerField(_("orden"), default=0)

    objects = ConfigQuerySet.as_manager()

    class Meta:
        verbose_name = _("campo personalizado")
        verbose_name_plural = _("campos personalizados")
        ordering = ["category_id", "position", "id"]

    def __str__(self):
        return self.label

    @property
    def option_list(self) -> list[str]:
        return [line.strip() for line in self.options.splitlines() if line.strip()]

    def clean(self):
        if self.type in TYPES_WITH_OPTIONS and len(self.option_list) < 2:
            raise ValidationError({"options": _("Escribe al menos dos opciones, una por línea.")})
        if self.must_be_customer_domain and self.type not in TYPES_WITH_OWNERSHIP:
            raise ValidationError({"must_be_customer_domain": _(
                "Solo los campos de correo, dominio o URL pueden comprobarse contra los "
                "servicios del cliente.")})


class TicketFieldValue(models.Model):
    """One answer on one ticket, with its field as it was when answered."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="field_values",
        verbose_name=_("ticket"),
    )
    field = models.ForeignKey(
        CategoryField, on_delete=models.SET_NULL, null=True, blank=True, related_name="values",
        verbose_name=_("campo"),
    )
    label = models.CharField(_("etiqueta"), max_length=120)
    type = models.CharField(_("tipo"), max_length=16, choices=FieldType.choices)
    options = models.JSONField(_("opciones"), default=list, blank=True)
    value = models.JSONField(_("valor"), null=True, blank=True)
    # The value as people read it, also what the console search matches.
    text = models.CharField(_("texto"), max_length=1000, blank=True)
    position = models.PositiveSmallIntegerField(_("orden"), default=0)
    updated_at = models.DateTimeField(_("actualizado"), default=timezone.now)

    class Meta:
        verbose_name = _("valor de campo")
        verbose_name_plural = _("valores de campos")
        ordering = ["ticket_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "field"], name="fieldvalue_unique_field"),
        ]

    def __str__(self):
        return f"{self.label}: {self.text}"


class FieldValueChange(models.Model):
    """The history of agents' edits to a ticket's values."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="field_changes",
        verbose_name=_("ticket"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("quién"),
    )
    label = models.CharField(_("campo"), max_length=120)
    from_text = models.CharField(_("antes"), max_length=1000, blank=True)
    to_text = models.CharField(_("después"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("cuándo"), default=timezone.now)

    class Meta:
        verbose_name = _("cambio de campo")
        verbose_name_plural = _("cambios de campos")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="fieldchange_ticket")]

    def __str__(self):
        return f"{self.label}: {self.from_text} → {self.to_text}"


# --- Consent ----------------------------------------------------------------


class ImmutableError(ValidationError):
    def __init__(self):
        super().__init__(_("Las autorizaciones quedan registradas tal cual: no se pueden modificar "
                           "ni borrar."), code="immutable")


class ImmutableQuerySet(models.QuerySet):
    """Bulk writes would bypass Model.save/delete: refuse them too."""

    def update(self, **kwargs):
        raise ImmutableError()

    def delete(self):
        raise ImmutableError()


class ImmutableModel(models.Model):
    """Rows written once: a record of what the customer was asked and answered."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableError()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError()


class ConsentChannel(models.TextChoices):
    PORTAL = "portal", _("Área de cliente")
    EMAIL = "email", _("Enlace del correo")
    CHAT = "chat", _("Chat")


class ConsentDecision(models.TextChoices):
    AUTHORIZED = "autorizo", _("Autorizo")
    REFUSED = "no_autorizo", _("No autorizo")


class ConsentAction(models.Model):
    """A kind of action that needs the customer's consent (updates, restores,
    test emails from the customer's account...), listed by admins. An agent
    cannot record such an action as done without an accepted consent."""

    name = models.CharField(_("nombre"), max_length=120, unique=True)
    text = models.TextField(
        _("texto para el cliente"),
        help_text=_("Se propone al pedir la autorización; el agente puede concretarlo."),
    )
    is_active = models.BooleanField(_("activa"), default=True)
    position = models.PositiveSmallIntegerField(_("orden"), default=0)

    class Meta:
        verbose_name = _("acción que requiere autorización")
        verbose_name_plural = _("acciones que requieren autorización")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name


class ConsentRequest(ImmutableModel):
    """An agent asks the customer to authorize one action on a ticket, or in
    a live chat (then `chat` is set, and `ticket` too if the chat already
    was one; a chat's requests count for the ticket it becomes)."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.PROTECT, related_name="consent_requests",
        null=True, blank=True, verbose_name=_("ticket"),
    )
    chat = models.ForeignKey(
        "chat.Chat", on_delete=models.PROTECT, related_name="consent_requests",
        null=True, blank=True, verbose_name=_("chat"),
    )
    kind = models.ForeignKey(
        ConsentAction, on_delete=models.PROTECT, null=True, blank=True, related_name="requests",
        verbose_name=_("tipo de acción"),
    )
    action = models.TextField(_("acción"), max_length=2000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("solicitada por"),
    )
    sent_to = models.CharField(_("enviada a"), max_length=1000, blank=True)
    created_at = models.DateTimeField(_("solicitada"), default=timezone.now)
    expires_at = models.DateTimeField(_("vence"))

    class Meta:
        verbose_name = _("solicitud de autorización")
        verbose_name_plural = _("solicitudes de autorización")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="consent_ticket")]
        constraints = [models.CheckConstraint(
            condition=models.Q(ticket__isnull=False) | models.Q(chat__isnull=False),
            name="consent_ticket_or_chat")]

    def __str__(self):
        return f"#{self.pk} {self.action[:60]}"

    def is_expired(self, now=None) -> bool:
        return (now or timezone.now()) >= self.expires_at


class ConsentAnswer(ImmutableModel):
    """The customer's answer: who, when, the exact text and the channel."""

    request = models.OneToOneField(
        ConsentRequest, on_delete=models.PROTECT, related_name="answer",
        verbose_name=_("solicitud"),
    )
    decision = models.CharField(_("respuesta"), max_length=12, choices=ConsentDecision.choices)
    # The exact text the customer saw and answered (a copy: the record
    # stands on its own).
    text = models.TextField(_("texto respondido"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("usuario"),
    )
    answered_by_name = models.CharField(_("quién"), max_length=300)
    channel = models.CharField(_("canal"), max_length=10, choices=ConsentChannel.choices)
    ip_address = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    answered_at = models.DateTimeField(_("cuándo"), default=timezone.now)

    class Meta:
        verbose_name = _("respuesta de autorización")
        verbose_name_plural = _("respuestas de autorización")

    def __str__(self):
        return f"{self.get_decision_display()} · {self.answered_by_name}"

    @property
    def authorized(self) -> bool:
        return self.decision == ConsentDecision.AUTHORIZED


class ActionRecord(ImmutableModel):
    """An agent did an action that needed consent, under that accepted
    consent (each consent covers one action)."""

    consent = models.OneToOneField(
        ConsentRequest, on_delete=models.PROTECT, related_name="record",
        verbose_name=_("autorización"),
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("realizada por"),
    )
    note = models.CharField(_("nota"), max_length=500, blank=True)
    done_at = models.DateTimeField(_("realizada"), default=timezone.now)

    class Meta:
        verbose_name = _("acción realizada")
        verbose_name_plural = _("acciones realizadas")

    def __str__(self):
        return f"{self.consent} · {self.done_at:%Y-%m-%d %H:%M}"
