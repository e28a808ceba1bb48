from django.urls import path

from . import claim_views
from . import portal_views as views

app_name = "portal"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tickets/", views.ticket_list, name="ticket_list"),
    path("tickets/nuevo/", views.ticket_new, name="ticket_new"),
    path("tickets/nuevo/categorias/", views.ticket_new_categories, name="ticket_new_categories"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<str:number>/creado/", views.ticket_created, name="ticket_created"),
    path("tickets/<str:number>/responder/", views.ticket_reply, name="ticket_reply"),
    path("tickets/<str:number>/cerrar/", views.ticket_close, name="ticket_close"),
    path("solicitudes/", claim_views.unverified_list, name="unverified_list"),
    path("solicitudes/<str:number>/reclamar/", claim_views.unverified_claim, name="unverified_claim"),
    path("solicitudes/confirmar/<str:token>/", claim_views.unverified_confirm,
         name="unverified_confirm"),
]
