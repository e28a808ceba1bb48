from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Usa un color hexadecimal como #1f5fbf."))


class SiteSettings(models.Model):
    """The single row of settings an admin changes at run time."""

    site_name = models.CharField(_("nombre del sitio"), max_length=80, default="Ventanilla")
    logo_url = models.CharField(
        _("URL del logotipo"), max_length=300, blank=True,
        help_text=_("Ruta en este mismo sitio (p. ej. /static/logo.svg); vacío muestra el nombre."),
    )
    primary_colour = models.CharField(_("color principal"), max_length=7, default="#1f5fbf",
                                      validators=[hex_colour])
    accent_colour = models.CharField(_("color de acento"), max_length=7, default="#0f7b6c",
                                     validators=[hex_colour])
    auto_close_days = models.PositiveSmallIntegerField(
        _("días para cierre automático"), default=3,
        validators=[MinValueValidator(2), MaxValueValidator(90)],
        help_text=_("Los tickets Pendientes o Resueltos sin respuesta del cliente se cierran "
                    "tras estos días; el cliente recibe un aviso un día antes."),
    )
    agents_require_2fa = models.BooleanField(
        _("exigir verificación en dos pasos a los agentes"), default=True
    )

    class Meta:
        verbose_name = _("configuración del sitio")
        verbose_name_plural = _("configuración del sitio")

    def __str__(self):
        return str(_("Configuración del sitio"))

    @classmethod
    def load(cls) -> "SiteSettings":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj

    @classmethod
    def for_request(cls, request) -> "SiteSettings":
        """Loaded once per request, however many places ask."""
        if not hasattr(request, "_site_settings"):
            request._site_settings = cls.load()
        return request._site_settings
