from django.urls import path

from . import console_views as views

app_name = "console"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("exportar.csv", views.queue_export, name="queue_export"),
    path("tomar/", views.bulk_take, name="bulk_take"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<str:number>/responder/", views.ticket_reply, name="ticket_reply"),
    path("tickets/<str:number>/campos/", views.ticket_fields, name="ticket_fields"),
    path("tickets/<str:number>/campos/categorias/", views.ticket_fields_categories,
         name="ticket_fields_categories"),
    path("tickets/<str:number>/estado/", views.ticket_status, name="ticket_status"),
    path("tickets/<str:number>/asignar/", views.ticket_assign, name="ticket_assign"),
    path("tickets/<str:number>/fusionar/", views.ticket_merge, name="ticket_merge"),
    path("tickets/<str:number>/correos/<int:inbound_id>.eml", views.ticket_email_original,
         name="ticket_email_original"),
]
