"""Every URL of the sla app, mounted at the site root: the app owns its
full paths (public, client area, console, API)."""

from django.urls import path

from . import views

app_name = "sla"
urlpatterns = [
    path("contacto/", views.contact, name="contact"),
    path("encuesta/<str:token>/<int:score>/", views.survey, name="survey"),
    path("consola/alertas/", views.alerts, name="alerts"),
    path("consola/alertas/leidas/", views.alerts_read, name="alerts_read"),
    path("consola/informes/", views.reports_page, name="reports"),
]
