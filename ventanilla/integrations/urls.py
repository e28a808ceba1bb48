"""Every URL of the integrations app: the REST API under /api/v1/ (each call
logged) and the single sign-on link into the client area."""

import json
import os
import re
from functools import wraps
from time import monotonic

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig
from django.http import JsonResponse
from django.urls import include, path
from django.utils import translation
from django.utils.translation import gettext as _

from ventanilla.core import ratelimit

from . import views
from .api import api
from .api.auth import ApiKeyAuth, bearer_token
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


# Deepest JSON nesting a call may send: our bodies nest three or four
# levels; json.loads and the checks after it recurse once per level.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def json_too_deep(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether a JSON text nests arrays/objects deeper than `limit`,
    found without parsing it (a parser recurses per level)."""
    if b"[" not in body and b"{" not in body:
        return False
    depth = 0
    for char in _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS):
        depth += 1 if char in b"[{" else -1
        if depth > limit:
            return True
    return False


def unauthenticated_rate() -> str:
    return getattr(settings, "VENTANILLA_API_UNAUTHENTICATED_RATE",
                   os.environ.get("VENTANILLA_API_UNAUTHENTICATED_RATE", "30/m"))


class _Refusal(Exception):
    """A call refused before its view runs; `log` says whether it gets a
    row in the call log."""

    def __init__(self, error: ApiError, log: bool = True):
        super().__init__(error.detail)
        self.error, self.log = error, log


def _refuse_unauthenticated(request):
    """401 for a call without a valid key. Calls without one are limited
    per IP address (VENTANILLA_API_UNAUTHENTICATED_RATE): past the limit
    they get 429 and only the first 429 of the window is logged, so a
    flood of bad calls writes a bounded number of rows."""
    ip = request.META.get("REMOTE_ADDR", "")
    rate = unauthenticated_rate()
    if ratelimit.consume("api_unauthenticated", ip, rate) is None:
        window = (ratelimit.parse_rate(rate) or (0, 60))[1]
        raise _Refusal(ApiError(
            429, "rate_limited",
            _("Demasiadas llamadas sin una clave de API válida desde tu dirección; "
              "espera un minuto."), headers={"Retry-After": str(window)}),
            log=cache.add(f"api_unauthenticated_logged:{ip}", 1, timeout=window))
    raise _Refusal(ApiError(
        401, "unauthenticated",
        _("Falta la clave de API o no es válida (cabecera Authorization: Bearer …)."),
        headers={"WWW-Authenticate": "Bearer"}))


def _check_before_view(request, kwargs) -> None:
    """What every logged API call passes before its view reads the body:
    a valid key (so anonymous callers never get their body parsed), a JSON
    body of bounded depth, no NUL characters. Raises _Refusal."""
    try:
        key = ApiKeyAuth().authenticate(request, token) if (token := bearer_token(request)) else None
    except ApiError as error:  # the key's own rate limit
        raise _Refusal(error) from None
    if key is None:
        _refuse_unauthenticated(request)
    if request.content_type == "application/json":
        try:
            too_deep = json_too_deep(request.body)
        except RequestDataTooBig:
            too_deep = False  # the view answers 413
        if too_deep:
            raise _Refusal(ApiError(
                400, "json_too_deep",
                _("El cuerpo JSON anida demasiados niveles (máximo %(max)s).")
                % {"max": MAX_JSON_DEPTH}))
    if fields := nul_fields(request, kwargs):
        raise _Refusal(ApiError(
            422, "validation_error",
            _("Datos no válidos: %(fields)s.") % {"fields": ", ".join(fields)},
            [{"field": field, "code": "null_character",
              "message": _("El texto no puede contener el carácter nulo.")}
             for field in fields]))


# The first billing endpoint's own wording, kept for the systems that read it.
LEGACY_MESSAGES = {"unauthenticated": "Invalid or missing API key."}


def _legacy_response(error: ApiError):
    """The first billing endpoint's error format: {"error": "…"}."""
    response = JsonResponse({"error": LEGACY_MESSAGES.get(error.code, error.detail)},
                            status=error.status)
    for name, value in error.headers.items():
        response[name] = value
    return response


def logged(view, route: str, *, legacy: bool = False):
    """Run an API view in the caller's language, after _check_before_view,
    and log the call. `legacy`: errors in the first billing endpoint's
    format."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        started, status, log = monotonic(), 500, route not in UNLOGGED_ROUTES
        try:
            with translation.override(api_language(request)):
                try:
                    if route not in UNLOGGED_ROUTES:
                        _check_before_view(request, kwargs)
                    response = view(request, *args, **kwargs)
                except _Refusal as refusal:
                    log = log and refusal.log
                    response = (_legacy_response if legacy else problem_response)(refusal.error)
            status = response.status_code
            return response
        finally:
            if log:
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
         logged(legacy_billing_events, "facturacion/eventos/", legacy=True), name="billing_events"),
    path("api/v1/", include((API_PATTERNS, "api-v1"))),
    path("acceso/sso/<slug:integration>/", views.sso_login, name="sso_login"),
]
