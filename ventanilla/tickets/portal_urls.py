from django.urls import path

from . import portal_views as views

app_name = "portal"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tickets/", views.ticket_list, name="ticket_list"),
    path("tickets/nuevo/", views.ticket_new, name="ticket_new"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket_detail"),
]
