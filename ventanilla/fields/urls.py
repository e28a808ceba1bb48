"""Every URL of the fields app, mounted at the site root: the app owns its
full paths (public, client area, console, API)."""

from django.urls import path

from . import views

app_name = "fields"
urlpatterns = [
    # Client area: the category's guidance and fields (htmx), answering consent.
    path("cliente/tickets/nuevo/campos/", views.portal_category_fields,
         name="portal_category_fields"),
    path("cliente/tickets/<str:number>/autorizaciones/<int:request_id>/",
         views.portal_consent_answer, name="portal_consent_answer"),
    # The signed link of the consent email (no login needed).
    path("autorizacion/<str:token>/", views.consent_link, name="consent_link"),
    # Console: edit values, ask for consent.
    path("consola/tickets/<str:number>/datos/", views.console_values_edit,
         name="console_values_edit"),
    path("consola/tickets/<str:number>/autorizaciones/", views.console_consent_new,
         name="console_consent_new"),
    path("consola/tickets/<str:number>/autorizaciones/realizada/", views.console_action_done,
         name="console_action_done"),
]
