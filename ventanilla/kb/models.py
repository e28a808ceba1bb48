"""The knowledge base: categories, articles (Markdown, rendered to sanitized
HTML on save), their revisions, readers' feedback and self-service sessions.

Articles change only through kb.services, which keeps a revision of every
edit and the search index in step."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    SPANISH = "es", _("Español")
    ENGLISH = "en", _("Inglés")


class ArticleStatus(models.TextChoices):
    PUBLISHED = "published", _("Publicado")
    DRAFT = "draft", _("Borrador")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Público")
    INTERNAL = "internal", _("Interno (solo agentes)")


class KbCategory(models.Model):
    name = models.CharField(_("nombre"), max_length=100, unique=True)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    description = models.CharField(_("descripción"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("orden"), default=100)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("categoría de ayuda")
        verbose_name_plural = _("categorías de ayuda")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("kb:category", args=[self.slug])


class Article(models.Model):
    slug = models.SlugField(_("slug"), max_length=120, unique=True,
                            help_text=_("Parte fija de la dirección: no la cambies tras publicar."))
    title = models.CharField(_("título"), max_length=200)
    summary = models.CharField(_("resumen"), max_length=300, blank=True,
                               help_text=_("Una frase: aparece en los resultados y en buscadores."))
    body = models.TextField(_("contenido (Markdown)"))
    body_html = models.TextField(_("contenido (HTML)"), editable=False, default="")
    category = models.ForeignKey(KbCategory, on_delete=models.PROTECT, related_name="articles",
                                 verbose_name=_("categoría"))
    language = models.CharField(_("idioma"), max_length=2, choices=Language.choices,
                                default=Language.SPANISH)
    status = models.CharField(_("estado"), max_length=10, choices=ArticleStatus.choices,
                              default=ArticleStatus.DRAFT)
    visibility = models.CharField(_("visibilidad"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    tags = models.JSONField(_("etiquetas"), default=list, blank=True)
    related = models.ManyToManyField("self", symmetrical=False, blank=True,
                                     verbose_name=_("artículos relacionados"))
    views = models.PositiveIntegerField(_("visitas"), default=0)
    helpful_yes = models.PositiveIntegerField(_("útil: sí"), default=0)
    helpful_no = models.PositiveIntegerField(_("útil: no"), default=0)
    created_at = models.DateTimeField(_("creado"), default=timezone.now)
    updated_at = models.DateTimeField(_("actualizado"), default=timezone.now)
    published_at = models.DateTimeField(_("publicado"), null=True, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("editado por"))

    class Meta:
        ordering = ["title"]
        verbose_name = _("artículo")
        verbose_name_plural = _("artículos")
        indexes = [models.Index(fields=["status", "visibility", "language"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("kb:article", args=[self.slug])

    @property
    def body_text(self) -> str:
        from .rendering import html_to_text

        return html_to_text(self.body_html)

    @property
    def is_public(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED and self.visibility == Visibility.PUBLIC


class ArticleRevision(models.Model):
    """What an article looked like after one edit (the newest is the current one)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("número"))
    title = models.CharField(_("título"), max_length=200)
    summary = models.CharField(_("resumen"), max_length=300, blank=True)
    body = models.TextField(_("contenido (Markdown)"))
    status = models.CharField(_("estado"), max_length=10, choices=ArticleStatus.choices)
    visibility = models.CharField(_("visibilidad"), max_length=10, choices=Visibility.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("autor"))
    note = models.CharField(_("nota"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"],
                                               name="kb_revision_number_unique")]
        verbose_name = _("revisión")
        verbose_name_plural = _("revisiones")

    def __str__(self):
        return f"{self.article.slug} #{self.number}"


class ArticleFeedback(models.Model):
    """One "¿Te fue útil?" answer, with an optional comment."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    helpful = models.BooleanField(_("útil"))
    comment = models.TextField(_("comentario"), blank=True, max_length=2000)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("valoración")
        verbose_name_plural = _("valoraciones")

    def __str__(self):
        return f"{self.article.slug}: {'sí' if self.helpful else 'no'}"


class Outcome(models.TextChoices):
    PENDING = "pending", _("Sin respuesta")
    RESOLVED = "resolved", _("Resuelta sin ticket")
    NOT_RESOLVED = "not_resolved", _("No resuelta")
    CHAT = "chat", _("Pasó al chat")
    TICKET = "ticket", _("Pasó a ticket")


class SelfServiceSession(models.Model):
    """One customer's use of the self-service widget: the question they typed,
    the articles we suggested, the one they opened and how it ended."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+", verbose_name=_("usuario"))
    place = models.CharField(_("lugar"), max_length=20, default="help")
    question = models.CharField(_("pregunta"), max_length=300)
    shown = models.JSONField(_("artículos sugeridos"), default=list, blank=True)
    opened = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+", verbose_name=_("artículo abierto"))
    outcome = models.CharField(_("resultado"), max_length=15, choices=Outcome.choices,
                               default=Outcome.PENDING)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="+", verbose_name=_("ticket"))
    created_at = models.DateTimeField(_("inicio"), default=timezone.now)
    updated_at = models.DateTimeField(_("última actividad"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_at"])]
        verbose_name = _("sesión de autoservicio")
        verbose_name_plural = _("sesiones de autoservicio")

    def __str__(self):
        return self.question
