"""Every URL of the integrations app: the REST API under /api/v1/ (each call
logged) and the single sign-on link into the client area."""

import json
from functools import wraps
from time import monotonic

from django.core.exceptions import RequestDataTooBig
from django.urls import include, path
from django.utils import translation
from django.utils.translation import gettext as _

from . import views
from .api import api
from .api.billing import legacy_billing_events
from .api.errors import ApiError, problem_response
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


def _with_nul(value, where: str):
    """The paths under `where` of the strings in a decoded JSON value that
    hold a NUL character."""
    if isinstance(value, str):
        return [where] if "\x00" in value else []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return []
    return [found for key, item in items
            for found in _with_nul(key, where) + _with_nul(item, f"{where}.{key}")]


def nul_fields(request, kwargs) -> list[str]:
    """Input fields that carry a NUL character: no text column stores one
    (PostgreSQL refuses it), so the call gets a 422 naming them."""
    fields = [name for name, values in request.GET.lists()
              if "\x00" in name or any("\x00" in value for value in values)]
    fields += [name for name, value in kwargs.items() if "\x00" in str(value)]
    if request.content_type == "application/json":
        try:
            if b"\\u0000" in request.body:
                fields += [found.removeprefix("body.") or "body"
                           for found in _with_nul(json.loads(request.body), "body")]
        except (RequestDataTooBig, ValueError):
            pass  # too big or not JSON: the API's own parser answers
    return list(dict.fromkeys(fields))


def logged(view, route: str):
    """Run an API view in the caller's language and log the call."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        started, status = monotonic(), 500
        try:
            with translation.override(api_language(request)):
                if fields := nul_fields(request, kwargs):
                    response = problem_response(ApiError(
                        422, "validation_error",
                        _("Datos no válidos: %(fields)s.") % {"fields": ", ".join(fields)},
                        [{"field": field, "code": "null_character",
                          "message": _("El texto no puede contener el carácter nulo.")}
                         for field in fields]))
                else:
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
