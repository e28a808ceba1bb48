import hashlib

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Usa un color hexadecimal como #1f5fbf."))

LOGO_MAX_BYTES = 1024 * 1024
LOGO_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def validate_logo(file) -> None:
    """The logo is checked by its content, like an attachment
    (tickets.attachments.check_upload), and must be a raster image: an SVG
    can carry scripts and is refused."""
    from ventanilla.tickets.attachments import check_upload

    name = getattr(file, "name", "") or ""
    if name.lower().endswith((".svg", ".svgz")):
        raise ValidationError(_("No se admiten logotipos SVG (pueden llevar código): "
                                "súbelo en PNG, JPG, GIF o WebP."), code="svg")
    size = file.size
    if size > LOGO_MAX_BYTES:
        raise ValidationError(_("El logotipo pesa %(size)s; el máximo es %(max)s.")
                              % {"size": filesizeformat(size), "max": filesizeformat(LOGO_MAX_BYTES)},
                              code="too_large")
    file.seek(0)
    head = file.read(2048)
    file.seek(0)
    checked = check_upload(name, head, size)
    if checked.content_type not in LOGO_TYPES:
        raise ValidationError(_("El logotipo debe ser una imagen PNG, JPG, GIF o WebP."),
                              code="not_an_image")


class SiteSettings(models.Model):
    """The single row of settings an admin changes at run time."""

    site_name = models.CharField(_("nombre del sitio"), max_length=80, default="Ventanilla")
    logo = models.FileField(
        _("logotipo"), upload_to="marca/", blank=True, validators=[validate_logo],
        help_text=_("PNG, JPG, GIF o WebP de hasta 1 MB (unos 32 px de alto en pantalla); "
                    "sin logotipo se muestra el nombre."),
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

    @property
    def logo_url(self) -> str:
        """The public address of the logo (served by core.views.site_logo:
        uploads are otherwise private), versioned so a new one shows at once."""
        if not self.logo:
            return ""
        version = hashlib.sha256(self.logo.name.encode()).hexdigest()[:10]
        return f"{reverse('site_logo')}?v={version}"

    @property
    def theme_version(self) -> str:
        """Part of the theme stylesheet's URL: new colours are a new URL, so
        browsers that cached the old colours fetch the new ones at once."""
        return hashlib.sha256(f"{self.primary_colour}{self.accent_colour}".encode()).hexdigest()[:10]

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
