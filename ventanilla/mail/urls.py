from django.urls import path

from . import views

app_name = "mail"

urlpatterns = [
    path("", views.notification_addresses, name="addresses"),
    path("<int:address_id>/eliminar/", views.address_remove, name="address_remove"),
    path("<int:address_id>/reenviar/", views.address_resend, name="address_resend"),
    path("confirmar/<str:signature>/", views.address_confirm, name="address_confirm"),
]
