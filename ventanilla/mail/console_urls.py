from django.urls import path

from . import console_views

app_name = "mail_console"

urlpatterns = [
    path("consola/envios-fallidos/", console_views.failed_deliveries, name="failed"),
    path("salud/notificaciones/", console_views.health, name="health"),
]
