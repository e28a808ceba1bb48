from django.conf import settings
from django.urls import path

from . import consumers

websocket_urlpatterns = [
    path("ws/chat/<uuid:token>/", consumers.CustomerChatConsumer.as_asgi()),
    path("ws/consola/chat/", consumers.AgentConsoleConsumer.as_asgi()),
    path("ws/consola/tickets/<str:number>/", consumers.TicketPresenceConsumer.as_asgi()),
]
if settings.VENTANILLA_CHAT_ECHO:
    websocket_urlpatterns.append(path("ws/eco/", consumers.EchoConsumer.as_asgi()))
