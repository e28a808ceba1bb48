"""API keys: `Authorization: Bearer vt_<prefix>_<secret>` (or vtb_… for keys
migrated from the first billing events endpoint), looked up by the
SHA-256 of the key, with per-key scopes and rate limit."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from ventanilla.core import ratelimit

from ..models import ApiKey, hash_key
from .errors import ApiError


def bearer_token(request) -> str:
    """The token of an `Authorization: Bearer …` header, as ninja reads it."""
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class ApiKeyAuth(HttpBearer):
    def authenticate(self, request, token: str) -> ApiKey | None:
        # The URL layer authenticates every call before its body is read
        # (urls.logged); ninja's own check then reuses that answer, so a
        # call is counted once against its key's rate.
        if getattr(request, "_api_key_token", None) == token:
            return request._api_key_result
        key = self._authenticate(request, token)
        request._api_key_token, request._api_key_result = token, key
        return key

    def _authenticate(self, request, token: str) -> ApiKey | None:
        # vtb_: keys of the first billing events endpoint, migrated as they were.
        if not token.startswith(("vt_", "vtb_")):
            return None
        key = (
            ApiKey.objects.select_related("integration__agent")
            .filter(key_hash=hash_key(token), revoked_at__isnull=True,
                    integration__is_active=True)
            .first()
        )
        if key is None:
            return None
        # The call log reads it even when the view fails later.
        request.api_key = key
        if ratelimit.consume("api", key.prefix, key.rate) is None:
            raise ApiError(429, "rate_limited",
                           _("Has superado el límite de llamadas de esta clave (%(rate)s).")
                           % {"rate": key.rate}, headers={"Retry-After": "60"})
        now = timezone.now()
        if key.last_used_at is None or key.last_used_at < now - timedelta(minutes=1):
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        return key


def require(request, resource: str, access: str) -> ApiKey:
    """The caller's key, if it holds the scope `resource:access`; else 403."""
    key: ApiKey = request.auth
    if not key.allows(f"{resource}:{access}"):
        raise ApiError(403, "insufficient_scope",
                       _("Esta clave no tiene el permiso «%(scope)s».")
                       % {"scope": f"{resource}:{access}"})
    return key


def acting_agent(request):
    """The integration's agent: the API sees the tickets this agent sees and
    writes on its behalf."""
    agent = request.auth.integration.agent
    if agent is None or not agent.is_active or not (agent.is_agent or agent.is_superuser):
        raise ApiError(403, "no_agent",
                       _("La integración no tiene un agente activo; asígnalo en el admin."))
    return agent
