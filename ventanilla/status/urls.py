"""Every URL of the status app, mounted at the site root: the app owns its
full paths (public, client area, console, API)."""

from django.urls import path

from . import views
from .feeds import StatusFeed

app_name = "status"
urlpatterns = [
    path("estado/", views.status_page, name="status_page"),
    path("estado/feed/", StatusFeed(), name="feed"),
    path("estado/incidentes/<int:incident_id>/", views.incident_detail, name="incident_detail"),
    path("estado/incidentes/<int:incident_id>/seguir/", views.incident_follow, name="incident_follow"),
    path("contacto/no-puedo-iniciar-sesion/", views.contact_cannot_login, name="contact_cannot_login"),
    path("contacto/ventas/", views.contact_presales, name="contact_presales"),
    path("contacto/abuso/", views.contact_abuse, name="contact_abuse"),
    path("contacto/recibido/", views.contact_received, name="contact_received"),
    path("cliente/pin-soporte/", views.pin_rotate, name="pin_rotate"),
    path("consola/estado/", views.console_incidents, name="console_incidents"),
    path("consola/estado/nuevo/", views.console_incident_new, name="console_incident_new"),
    path("consola/estado/vincular/", views.console_bulk_link, name="console_bulk_link"),
    path("consola/estado/<int:incident_id>/", views.console_incident, name="console_incident"),
    path("consola/estado/<int:incident_id>/tickets/<str:number>/", views.console_link,
         name="console_link"),
    path("consola/estado/tickets/<str:number>/vincular/", views.console_link_pick,
         name="console_link_pick"),
    path("consola/estado/abuso/<str:number>/", views.console_abuse_notice, name="console_abuse_notice"),
    path("consola/estado/pin/<str:number>/", views.console_pin_check, name="console_pin_check"),
]
