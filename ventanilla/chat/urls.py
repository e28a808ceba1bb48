"""Every URL of the chat app, mounted at the site root: the app owns its
full paths (public, client area, console, API). The WebSocket routes are
in routing.py."""

from django.urls import path

from . import views

app_name = "chat"
urlpatterns = [
    path("chat/", views.start, name="start"),
    path("chat/iniciar/", views.begin, name="begin"),
    path("chat/ticket/", views.offline_ticket, name="offline_ticket"),
    path("consola/chat/", views.console, name="console"),
    path("consola/chat/<int:chat_id>/cliente/", views.console_sidebar, name="console_sidebar"),
    path("consola/chat/<int:chat_id>/pin/", views.console_pin_check, name="console_pin_check"),
    path("consola/chat/<int:chat_id>/convertir/", views.console_convert, name="console_convert"),
    path("consola/chat/<int:chat_id>/kb/", views.console_kb_search, name="console_kb_search"),
    path("consola/chat/<int:chat_id>/autorizacion/", views.console_consent,
         name="console_consent"),
]
