from django.urls import path

from . import console_views as views

app_name = "console"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("tickets/<str:number>/", views.ticket_detail, name="ticket_detail"),
]
