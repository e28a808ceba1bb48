"""Every URL of the integrations app: the REST API under /api/v1/ (each call
logged) and the single sign-on link into the client area."""

from functools import wraps
from time import monotonic

from django.urls import include, path
from django.utils import translation

from . import views
from .api import api
from .api.billing import legacy_billing_events
from .models import ApiCall

app_name = "integrations"

UNLOGGED_ROUTES = {"docs", "openapi.json"}


def api_language(request) -> str:
    """es unless the caller asks for en (Accept-Language); never the cookie."""
    for language, _quality in translation.trans_real.parse_accept_lang_header(
            request.headers.get("Accept-Language", "")):
        if language.split("-")[0].lower() in ("es", "en"):
            return language.split("-")[0].lower()
    return "es"


def logged(view, route: str):
    """Run an API view in the caller's language and log the call."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        started, status = monotonic(), 500
        try:
            with translation.override(api_language(request)):
                response = view(request, *args, **kwargs)
            status = response.status_code
            return response
        finally:
            if route not in UNLOGGED_ROUTES:
                ApiCall.objects.create(
                    api_key=getattr(request, "api_key", None), method=request.method[:8],
                    route=f"/api/v1/{route}"[:200], status=status,
                    duration_ms=int((monotonic() - started) * 1000),
                )

    return wrapper


def _api_patterns():
    patterns, _app_name, _namespace = api.urls
    return [path(str(p.pattern), logged(p.callback, str(p.pattern)), name=p.name)
            for p in patterns]


API_PATTERNS = _api_patterns()


def api_view(route: str):
    """The logged view of an API route, for a URL another app answers first
    (kb/search: the kb app's view hands it calls that carry a key)."""
    return next(p.callback for p in API_PATTERNS if str(p.pattern) == route)


urlpatterns = [
    # The billing events endpoint's first URL, kept for billing systems set up
    # before /api/v1/billing-events (docs/status.md).
    path("api/v1/facturacion/eventos/",
         logged(legacy_billing_events, "facturacion/eventos/"), name="billing_events"),
    path("api/v1/", include((API_PATTERNS, "api-v1"))),
    path("acceso/sso/<slug:integration>/", views.sso_login, name="sso_login"),
]
