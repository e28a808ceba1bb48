"""A ticket's category fields and consent records in the API (issue 10):
read from ventanilla.fields as the ticket shows them (each value with the
label and type it had when answered), and written through the fields app's
own forms and services, so the API validates exactly like the portal and
the console (syntax, choices, domains that must belong to the customer)."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Schema

from ventanilla.fields import selectors as field_selectors
from ventanilla.fields import services as field_services
from ventanilla.fields.forms import category_fields_form, ticket_values_form
from ventanilla.fields.models import FieldType, TicketFieldValue
from ventanilla.tickets.models import Category

from .errors import ApiError


class FieldValueOut(Schema):
    field: int | None  # the CategoryField id (null once the field is deleted)
    label: str
    type: str
    value: Any
    text: str


class ConsentAnswerOut(Schema):
    decision: str
    text: str
    answered_by: str
    channel: str
    answered_at: datetime


class ConsentOut(Schema):
    id: int
    action: str
    kind: str | None
    status: str
    requested_by: str | None
    created_at: datetime
    expires_at: datetime
    answer: ConsentAnswerOut | None
    done_at: datetime | None


def field_rows(ticket) -> list[dict]:
    return [{"field": v.field_id, "label": v.label, "type": v.type, "value": v.value,
             "text": v.text} for v in field_selectors.ticket_values(ticket)]


def consent_rows(ticket) -> list[dict]:
    rows = []
    for row in field_selectors.consent_rows(ticket):
        request, answer = row.request, row.answer
        record = getattr(request, "record", None)
        rows.append({
            "id": request.pk, "action": request.action,
            "kind": request.kind.name if request.kind_id else None, "status": row.state,
            "requested_by": request.requested_by.email if request.requested_by_id else None,
            "created_at": request.created_at, "expires_at": request.expires_at,
            "answer": None if answer is None else {
                "decision": answer.decision, "text": answer.text,
                "answered_by": answer.answered_by_name, "channel": answer.channel,
                "answered_at": answer.answered_at},
            "done_at": record.done_at if record is not None else None,
        })
    return rows


# --- Writes -----------------------------------------------------------------

def _form_data(form, values: dict[str, Any]) -> dict:
    """The API's {"<field id>": JSON value} as the fields form's POST data."""
    data = {}
    by_key = {spec.key: (name, spec) for name, spec in form.specs.items()}
    for key, value in values.items():
        name, spec = by_key[key]
        prefixed = form.add_prefix(name)
        if spec.type == FieldType.AMOUNT:
            value = value if isinstance(value, dict) else {}
            data[f"{prefixed}_0"] = str(value.get("amount") or "")
            data[f"{prefixed}_1"] = str(value.get("currency") or "")
        elif spec.type == FieldType.DATETIME:
            value = value if isinstance(value, dict) else {}
            data[f"{prefixed}_0"] = str(value.get("local") or "")
            data[f"{prefixed}_1"] = str(value.get("tz") or "")
        elif spec.type == FieldType.MULTIPLE:
            data[prefixed] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
        elif spec.type == FieldType.CHECKBOX:
            if value is True:
                data[prefixed] = "on"
        elif value is not None:
            data[prefixed] = value if isinstance(value, str) else str(value)
    return data


def _problem(form, key_of) -> ApiError:
    errors = []
    for name, messages in form.errors.items():
        spec = form.specs.get(name)
        field = f"fields.{key_of(spec)}" if spec else "fields"
        errors.append({"field": field, "code": "invalid_field", "message": " ".join(messages)})
    labels = ", ".join(form.specs[n].label for n in form.errors if n in form.specs)
    return ApiError(422, "invalid_fields",
                    _("Revisa los datos de la categoría: %(fields)s.") % {"fields": labels},
                    errors)


def _unknown(keys) -> ApiError:
    return ApiError(422, "unknown_field", _("Ese campo no es de la categoría del ticket."),
                    [{"field": f"fields.{key}", "code": "unknown_field",
                      "message": _("Campo desconocido.")} for key in keys])


def category_or_error(category_id: int | None, department) -> Category | None:
    if category_id is None:
        return None
    category = field_selectors.portal_category(category_id)
    if category is None or category.department_id != department.pk:
        raise ApiError(422, "unknown_category", _("No hay esa categoría en el departamento."),
                       [{"field": "category", "code": "unknown_category",
                         "message": _("Categoría desconocida.")}])
    return category


def creation_form(category, customer, values: dict[str, Any] | None):
    """The validated fields form for a new ticket (required fields are
    required, as in the portal); raise a problem naming each bad field."""
    values = values or {}
    if values and category is None:
        raise _unknown(values)
    form = category_fields_form(category, customer=customer, data={})
    unknown = [key for key in values if key not in {s.key for s in form.specs.values()}]
    if unknown:
        raise _unknown(unknown)
    form = category_fields_form(category, customer=customer, data=_form_data(form, values))
    if not form.is_valid():
        raise _problem(form, lambda spec: spec.key)
    return form


def values_update(ticket, agent, values: dict[str, Any]) -> int:
    """PATCH: only the fields named change (null empties one). Keys are the
    CategoryField ids, for values already answered too."""
    if not values:
        return 0
    blank = ticket_values_form(ticket)
    answered = {str(v.field_id): f"v{v.pk}"
                for v in TicketFieldValue.objects.filter(ticket=ticket, field__isnull=False)}
    spec_keys = {spec.key for spec in blank.specs.values()}
    wanted = {answered.get(key, key): value for key, value in values.items()}
    unknown = [key for key, spec_key in zip(values, wanted, strict=True) if spec_key not in spec_keys]
    if unknown:
        raise _unknown(unknown)
    # Every value not named is sent back as it is, so the form leaves it alone.
    current = {f"v{v.pk}": v.value for v in field_selectors.ticket_values(ticket)}
    data = _form_data(blank, {**{k: v for k, v in current.items() if k in spec_keys}, **wanted})
    form = ticket_values_form(ticket, data=data)
    if not form.is_valid():
        field_of = {spec_key: key for key, spec_key in answered.items()}
        raise _problem(form, lambda spec: field_of.get(spec.key, spec.key))
    with transaction.atomic():
        return field_services.ticket_values_update(ticket, agent=agent, form=form)


