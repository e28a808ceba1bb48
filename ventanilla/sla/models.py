"""Response-time promises: policies, calendars, escalations, agent alerts and
satisfaction ratings. The timers themselves live on tickets.Ticket as due
timestamps (indexed), kept by ventanilla.sla.timers."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.core.config_cache import ConfigQuerySet
from ventanilla.tickets.models import Channel, Priority


class Timer(models.TextChoices):
    FIRST_RESPONSE = "primera", _("Primera respuesta")
    NEXT_RESPONSE = "siguiente", _("Siguiente respuesta")
    RESOLUTION = "resolucion", _("Resolución")


class SlaPolicy(models.Model):
    """The targets for tickets of one channel and priority."""

    class BreachAction(models.TextChoices):
        NOTIFY = "avisar", _("Solo avisar")
        RAISE_PRIORITY = "subir_prioridad", _("Avisar y subir a prioridad Alta")
        UNASSIGN = "liberar", _("Avisar y devolver a la cola del departamento")

    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    priority = models.CharField(_("prioridad"), max_length=10, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(
        _("primera respuesta (minutos)"), validators=[MinValueValidator(1)])
    next_response_minutes = models.PositiveIntegerField(
        _("siguiente respuesta (minutos)"), null=True, blank=True,
        help_text=_("Tiempo para responder cada nuevo mensaje del cliente. Vacío: sin objetivo."))
    resolution_minutes = models.PositiveIntegerField(
        _("resolución (minutos)"), null=True, blank=True,
        help_text=_("Vacío: sin objetivo de resolución."))
    warning_percent = models.PositiveSmallIntegerField(
        _("aviso al (%)"), default=80, validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("Se avisa al agente y a los supervisores al consumir este porcentaje del plazo."))
    breach_action = models.CharField(_("al vencer"), max_length=16, choices=BreachAction.choices,
                                     default=BreachAction.NOTIFY)

    objects = ConfigQuerySet.as_manager()

    class Meta:
        verbose_name = _("política de tiempos de respuesta")
        verbose_name_plural = _("políticas de tiempos de respuesta")
        ordering = ["channel", "priority"]
        constraints = [models.UniqueConstraint(fields=["channel", "priority"], name="sla_policy_unique")]

    def __str__(self):
        return f"{self.get_channel_display()} · {self.get_priority_display()}"


class Calendar(models.Model):
    """Business hours in a time zone, with holidays. Departments without a
    calendar work 24/7."""

    name = models.CharField(_("nombre"), max_length=100, unique=True)
    time_zone = models.CharField(_("zona horaria"), max_length=64, default="Europe/Madrid")
    departments = models.ManyToManyField(
        "tickets.Department", blank=True, related_name="sla_calendars", verbose_name=_("departamentos"),
        help_text=_("Departamentos que cuentan sus plazos solo en este horario."))

    objects = ConfigQuerySet.as_manager()

    class Meta:
        verbose_name = _("horario laboral")
        verbose_name_plural = _("horarios laborales")
        ordering = ["name"]

    def __str__(self):
        return self.name


class OpeningHours(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("lunes")
        TUESDAY = 1, _("martes")
        WEDNESDAY = 2, _("miércoles")
        THURSDAY = 3, _("jueves")
        FRIDAY = 4, _("viernes")
        SATURDAY = 5, _("sábado")
        SUNDAY = 6, _("domingo")

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("día"), choices=Weekday.choices)
    opens = models.TimeField(_("abre"))
    closes = models.TimeField(_("cierra"), help_text=_("00:00 significa medianoche."))

    objects = ConfigQuerySet.as_manager()

    class Meta:
        verbose_name = _("tramo horario")
        verbose_name_plural = _("tramos horarios")
        ordering = ["weekday", "opens"]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("fecha"))
    name = models.CharField(_("nombre"), max_length=100, blank=True)

    objects = ConfigQuerySet.as_manager()

    class Meta:
        verbose_name = _("festivo")
        verbose_name_plural = _("festivos")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="sla_holiday_unique")]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}"


class Escalation(models.Model):
    """A timer crossed its warning threshold or breached. One row per timer
    run and level: the unique constraint makes every notification happen
    exactly once, however many sweeps look at the ticket."""

    class Level(models.TextChoices):
        WARNING = "aviso", _("Por vencer")
        BREACH = "vencido", _("Vencido")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="escalations")
    timer = models.CharField(_("plazo"), max_length=12, choices=Timer.choices)
    level = models.CharField(_("nivel"), max_length=8, choices=Level.choices)
    # Identifies the run of the timer: creation for first response and
    # resolution, the customer's message for a next response. A pause or a
    # new priority moves the due time but not the run.
    started_at = models.DateTimeField(_("inicio del plazo"))
    due_at = models.DateTimeField(_("vence"))
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)
    action = models.CharField(_("acción"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("escalado")
        verbose_name_plural = _("escalados")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "timer", "level", "started_at"],
                                    name="sla_escalation_once"),
        ]
        indexes = [models.Index(fields=["created_at"], name="sla_escalation_created")]

    def __str__(self):
        return f"{self.get_level_display()}: {self.get_timer_display()} ({self.ticket_id})"


class AgentAlert(models.Model):
    """An escalation as one agent sees it in the console."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="sla_alerts", verbose_name=_("agente"))
    escalation = models.ForeignKey(Escalation, on_delete=models.CASCADE, related_name="alerts")
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)
    read_at = models.DateTimeField(_("leída"), null=True, blank=True)

    class Meta:
        verbose_name = _("alerta de agente")
        verbose_name_plural = _("alertas de agentes")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "escalation"], name="sla_alert_once")]
        indexes = [models.Index(fields=["user", "read_at", "created_at"], name="sla_alert_user")]

    def __str__(self):
        return f"{self.user} · {self.escalation}"


class SatisfactionRating(models.Model):
    """A customer's 1–5 rating. Each source (the survey in the Resuelto
    email today, chat ratings later) writes through
    ventanilla.sla.services.satisfaction_record, one rating per source and
    subject: rating again replaces the score."""

    class Source(models.TextChoices):
        SURVEY = "encuesta", _("Encuesta tras la resolución")
        CHAT = "chat", _("Valoración del chat")

    source = models.CharField(_("origen"), max_length=10, choices=Source.choices)
    # What was rated, e.g. "ticket:123" or "chat:456": unique per source.
    subject_key = models.CharField(_("objeto valorado"), max_length=64)
    score = models.PositiveSmallIntegerField(
        _("puntuación"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="ratings", verbose_name=_("ticket"))
    # Copied so that reports group chat ratings without a ticket too.
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("agente"))
    department = models.ForeignKey("tickets.Department", on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+", verbose_name=_("departamento"))
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices)
    priority = models.CharField(_("prioridad"), max_length=10, choices=Priority.choices,
                                default=Priority.REGULAR)
    comment = models.TextField(_("comentario"), blank=True, default="")
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        verbose_name = _("valoración")
        verbose_name_plural = _("valoraciones")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["source", "subject_key"], name="sla_rating_once"),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5),
                                   name="sla_rating_score_range"),
        ]
        indexes = [models.Index(fields=["created_at"], name="sla_rating_created")]

    def __str__(self):
        return f"{self.get_source_display()}: {self.score}"
