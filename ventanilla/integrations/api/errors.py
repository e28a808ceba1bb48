"""Errors as RFC 9457 problem documents (application/problem+json).

Every error has a stable machine-readable `code` and a `detail` in the
caller's language (Accept-Language: es, the default, or en); validation
errors list each offending field in `errors`."""

import json

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

PROBLEM_CONTENT_TYPE = "application/problem+json"


class FieldError(Schema):
    field: str
    code: str
    message: str


class Problem(Schema):
    type: str
    title: str
    status: int
    code: str
    detail: str
    errors: list[FieldError] = []


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str, errors: list[dict] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail
        self.errors = errors or []
        self.headers = headers or {}


def not_found() -> ApiError:
    return ApiError(404, "not_found", _("No existe o no tienes acceso."))


TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 413: "Content Too Large",
    422: "Unprocessable Content", 429: "Too Many Requests",
}


def problem_response(error: ApiError) -> HttpResponse:
    body = {
        "type": f"https://ventanilla.invalid/problems/{error.code}",
        "title": TITLES.get(error.status, "Error"),
        "status": error.status,
        "code": error.code,
        "detail": error.detail,
        "errors": error.errors,
    }
    response = HttpResponse(json.dumps(body, ensure_ascii=False), status=error.status,
                            content_type=PROBLEM_CONTENT_TYPE)
    for name, value in error.headers.items():
        response[name] = value
    return response


# pydantic error types → our message; anything else gets the generic one.
def _pydantic_message(error_type: str) -> str:
    messages = {
        "missing": _("Este campo es obligatorio."),
        "string_too_long": _("El texto es demasiado largo."),
        "string_too_short": _("El texto es demasiado corto."),
        "literal_error": _("Valor no admitido."),
        "enum": _("Valor no admitido."),
        "int_parsing": _("Debe ser un número entero."),
        "int_type": _("Debe ser un número entero."),
        "string_type": _("Debe ser un texto."),
        "bool_parsing": _("Debe ser true o false."),
        "datetime_parsing": _("Debe ser una fecha ISO 8601."),
        "datetime_from_date_parsing": _("Debe ser una fecha ISO 8601."),
        "datetime_range": _("La fecha está fuera del rango admitido."),
        "greater_than_equal": _("El número es demasiado pequeño."),
        "less_than_equal": _("El número es demasiado grande."),
        "json_invalid": _("El cuerpo no es JSON válido."),
        "model_attributes_type": _("Se esperaba un objeto JSON."),
        "dict_type": _("Se esperaba un objeto JSON."),
        "list_type": _("Se esperaba una lista."),
    }
    return messages.get(error_type, _("Valor no válido."))


def _field_name(loc) -> str:
    # ninja puts the source first ("body", "query", "path") and, for a body,
    # the parameter name second: keep only the field path the caller sent.
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "form", "file"}:
        parts = parts[1:]
        if parts and parts[0] == "payload":
            parts = parts[1:]
    return ".".join(parts) or "body"


def from_ninja_validation(error: NinjaValidationError) -> ApiError:
    fields = [
        {"field": _field_name(item.get("loc", ())), "code": item.get("type", "invalid"),
         "message": _pydantic_message(item.get("type", ""))}
        for item in error.errors
    ]
    names = ", ".join(dict.fromkeys(f["field"] for f in fields))
    return ApiError(422, "validation_error",
                    _("Datos no válidos: %(fields)s.") % {"fields": names}, fields)


def from_django_validation(error: DjangoValidationError) -> ApiError:
    fields = []
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            for item in errors:
                fields.append({"field": field, "code": item.code or "invalid",
                               "message": " ".join(item.messages)})
    else:
        for item in error.error_list:
            fields.append({"field": "", "code": item.code or "invalid",
                           "message": " ".join(item.messages)})
    code = fields[0]["code"] if len(fields) == 1 else "validation_error"
    detail = " ".join(f["message"] for f in fields)
    return ApiError(422, code, detail, [f for f in fields if f["field"]])


def install_handlers(api) -> None:
    @api.exception_handler(ApiError)
    def _api_error(request, exc):
        return problem_response(exc)

    @api.exception_handler(NinjaValidationError)
    def _validation(request, exc):
        return problem_response(from_ninja_validation(exc))

    @api.exception_handler(DjangoValidationError)
    def _django_validation(request, exc):
        return problem_response(from_django_validation(exc))

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request, exc):
        return problem_response(ApiError(
            401, "unauthenticated",
            _("Falta la clave de API o no es válida (cabecera Authorization: Bearer …)."),
            headers={"WWW-Authenticate": "Bearer"},
        ))

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return problem_response(not_found())

    @api.exception_handler(PermissionDenied)
    def _refused(request, exc):
        return problem_response(ApiError(409, "not_allowed", str(exc) or _("Operación no permitida.")))

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request, exc):
        return problem_response(ApiError(
            413, "body_too_large",
            _("El cuerpo de la petición es demasiado grande; envía los adjuntos con "
              "/messages/upload (multipart).")))

    @api.exception_handler(HttpError)
    def _http_error(request, exc):
        return problem_response(ApiError(exc.status_code, "http_error", str(exc)))


# The error statuses every operation documents (as Problem documents).
ERROR_CODES = frozenset({400, 401, 403, 404, 405, 409, 413, 422, 429})
