"""The one rule of required two-factor authentication, for pages and
sockets alike: when the site requires it, an agent (or staff member)
without a TOTP authenticator may only set one up. The page middleware
(middleware.AgentTwoFactorMiddleware) redirects them; the socket guard
below refuses every WebSocket they open."""

from channels.db import database_sync_to_async

from ventanilla.core.models import SiteSettings

# The close code of a refused socket (as the console's for a non-agent).
REFUSED = 4403


def has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def must_set_up_two_factor(user, *, site: SiteSettings | None = None) -> bool:
    """True for someone who must set up TOTP before anything else. `site`
    is the request's SiteSettings when there is one (loaded once)."""
    if not user.is_authenticated:
        return False
    if not (user.is_agent or user.is_staff):
        return False
    if not (site or SiteSettings.load()).agents_require_2fa:
        return False
    return not has_totp(user)


class TwoFactorSocketGuard:
    """ASGI middleware inside channels' AuthMiddlewareStack: a WebSocket of
    someone who must set up TOTP is closed before it is accepted (the code
    REFUSED), whatever its route, so no socket streams what their pages
    would not show."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and await database_sync_to_async(
                must_set_up_two_factor)(scope["user"]):
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": REFUSED})
            return None
        return await self.inner(scope, receive, send)
