"""The notification center, mounted at the site root (full paths here)."""

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("cliente/avisos/", views.notification_list, name="list"),
    path("cliente/avisos/leidos/", views.notifications_read, name="read"),
    path("cliente/avisos/preferencias/", views.preferences_save, name="preferences"),
    path("cliente/avisos/<int:notification_id>/", views.notification_open, name="open"),
]
