from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from ventanilla.core import views as core_views
from ventanilla.tickets import views_shared

admin.site.site_header = _("Administración de Ventanilla")
admin.site.site_title = _("Ventanilla")
admin.site.index_title = _("Configuración")

# Branded, translated error pages with a way back (templates/404.html, 403.html;
# 500.html is Django's default handler rendering templates/500.html).
handler404 = core_views.page_not_found
handler403 = core_views.permission_denied

urlpatterns = [
    path("", core_views.home, name="home"),
    path("salud/", core_views.health, name="health"),
    # /consola/envios-fallidos/ and /salud/notificaciones/ (ventanilla.mail).
    path("", include("ventanilla.mail.console_urls")),
    path("tema.css", core_views.theme_css, name="theme_css"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("marca/logotipo", core_views.site_logo, name="site_logo"),
    path("cuenta/", include("allauth.urls")),
    path("cuenta/ajustes/", include("ventanilla.accounts.urls")),
    path("cuenta/correos/", include("ventanilla.mail.urls")),
    path("cliente/", include("ventanilla.tickets.portal_urls")),
    path("consola/", include("ventanilla.tickets.console_urls")),
    path("adjuntos/<int:attachment_id>/", views_shared.attachment_download, name="attachment"),
    # A forwarded message (.eml attachment) shown safely, and its own files.
    path("", include("ventanilla.mail.forwarded_urls")),
    # Feature apps own their full paths (public, client area, console, API).
    path("", include("ventanilla.kb.urls")),
    path("", include("ventanilla.chat.urls")),
    path("", include("ventanilla.sla.urls")),
    path("", include("ventanilla.status.urls")),
    path("", include("ventanilla.fields.urls")),
    path("", include("ventanilla.notifications.urls")),
    path("", include("ventanilla.integrations.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
