"""HTTP and WebSockets on one ASGI application, served by `ventanilla serve`
(uvicorn). WebSockets authenticate from the Django session cookie and must
come from a page of one of ALLOWED_HOSTS (the Origin header), so another
site cannot open a chat socket with a visitor's cookies."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
django_application = get_asgi_application()

# Imported after Django is set up: the routes import models.
from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from ventanilla.accounts.two_factor import TwoFactorSocketGuard  # noqa: E402
from ventanilla.chat.routing import websocket_urlpatterns  # noqa: E402
from ventanilla.core.request_threads import RequestThreads  # noqa: E402

application = ProtocolTypeRouter({
    "http": RequestThreads(django_application),
    # Every socket: from an allowed page, with the session's user, refused
    # to an agent who must first set up two-factor authentication.
    "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(
        TwoFactorSocketGuard(URLRouter(websocket_urlpatterns)))),
})
