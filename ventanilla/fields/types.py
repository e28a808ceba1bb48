"""Field types: one Django form field per type, and how a cleaned value is
stored (JSON plus the text people read and the console searches).

Pure: everything here works from a FieldSpec, without the database, so the
validation of every type is tested as a table."""

import re
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.core.time_zones import time_zone_choices

from .models import FieldType

CURRENCIES = [
    ("MXN", "MXN — peso mexicano"), ("USD", "USD — dólar estadounidense"), ("EUR", "EUR — euro"),
    ("COP", "COP — peso colombiano"), ("ARS", "ARS — peso argentino"), ("CLP", "CLP — peso chileno"),
    ("PEN", "PEN — sol peruano"), ("UYU", "UYU — peso uruguayo"), ("GTQ", "GTQ — quetzal"),
    ("CRC", "CRC — colón costarricense"), ("DOP", "DOP — peso dominicano"),
    ("BOB", "BOB — boliviano"), ("PYG", "PYG — guaraní"),
]
CURRENCY_CODES = {code for code, _label in CURRENCIES}

DOMAIN_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
TLD_RE = re.compile(r"^(xn--[a-z0-9-]{1,59}|[a-z]{2,63})$")


@dataclass(frozen=True)
class FieldSpec:
    """What a form needs to ask one field: a CategoryField now, or the
    snapshot an old value kept."""

    key: str
    label: str
    type: str
    required: bool = False
    help_text: str = ""
    options: tuple[str, ...] = ()
    must_be_customer_domain: bool = False
    # Set by the form: the customer's service domains, for the ownership check
    # (a frozenset, or a lazy one read only when a value is checked).
    customer_domains: frozenset[str] = field(default=frozenset())


# --- Normalizers (pure) ----------------------------------------------------


def normalize_domain(value: str) -> str:
    """'HTTPS://www.MiDominio.mx/' → 'www.midominio.mx'; raises ValidationError.
    Internationalized names are accepted and kept in Unicode."""
    value = (value or "").strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).split("/")[0].rstrip(".")
    invalid = ValidationError(
        _("Escribe un dominio válido, p. ej. midominio.mx (sin «http://» ni rutas)."), code="invalid")
    if not value or " " in value or "@" in value or ":" in value:
        raise invalid
    try:
        ascii_name = value.encode("idna").decode("ascii")
    except UnicodeError:
        raise invalid from None
    labels = ascii_name.split(".")
    if (len(ascii_name) > 253 or len(labels) < 2
            or not all(DOMAIN_LABEL_RE.match(label) for label in labels)
            or not TLD_RE.match(labels[-1])):
        raise invalid
    return value


def domain_belongs(domain: str, customer_domains) -> bool:
    """The domain is one of the customer's, or a subdomain of one."""
    domain = domain.lower()
    return any(domain == own or domain.endswith("." + own) for own in customer_domains if own)


def check_ownership(domain: str, spec: FieldSpec, *, what: str) -> None:
    if spec.must_be_customer_domain and not domain_belongs(domain, spec.customer_domains):
        raise ValidationError(
            _("%(what)s no corresponde a ninguno de los dominios de tus servicios (%(domains)s).")
            % {"what": what, "domains": ", ".join(sorted(spec.customer_domains)) or _("ninguno")},
            code="not_owned",
        )


def parse_amount(value: str) -> Decimal:
    """'1,250.50' / '1250,50' / '$1250' → Decimal('1250.50'); raises ValidationError."""
    text = (value or "").strip().replace("$", "").replace(" ", "")
    if "," in text and "." in text:
        # The last separator is the decimal one: 1.250,50 or 1,250.50.
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "").replace(",", ".")
    elif "," in text:
        head, _sep, tail = text.rpartition(",")
        text = f"{head.replace(',', '')}.{tail}" if len(tail) <= 2 else text.replace(",", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Escribe un importe válido, p. ej. 1250.50."), code="invalid") from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError(_("El importe debe ser mayor que cero."), code="invalid")
    if amount.as_tuple().exponent < -2:
        raise ValidationError(_("El importe admite como mucho dos decimales."), code="invalid")
    if amount >= Decimal("1e12"):
        raise ValidationError(_("Ese importe es demasiado grande."), code="invalid")
    return amount.quantize(Decimal("0.01"))


# --- Form fields -----------------------------------------------------------


class DomainField(forms.CharField):
    def __init__(self, *, spec: FieldSpec, **kwargs):
        self.spec = spec
        super().__init__(max_length=300, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        domain = normalize_domain(value)
        check_ownership(domain, self.spec, what=_("El dominio %(domain)s") % {"domain": domain})
        return domain


class OwnedEmailField(forms.EmailField):
    default_error_messages = {
        "invalid": gettext_lazy("Escribe una dirección de correo válida, p. ej. info@midominio.mx."),
    }

    def __init__(self, *, spec: FieldSpec, **kwargs):
        self.spec = spec
        super().__init__(max_length=254, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        local, _at, domain = value.rpartition("@")
        value = f"{local}@{domain.lower()}"
        check_ownership(domain.lower(), self.spec,
                        what=_("La dirección %(email)s") % {"email": value})
        return value


class OwnedURLField(forms.URLField):
    default_error_messages = {
        "invalid": gettext_lazy("Escribe una dirección web válida, p. ej. "
                                "https://midominio.mx/pagina."),
    }

    def __init__(self, *, spec: FieldSpec, **kwargs):
        self.spec = spec
        super().__init__(max_length=1000, assume_scheme="https", **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        host = (urlsplit(value).hostname or "").lower()
        check_ownership(host, self.spec, what=_("La dirección %(url)s") % {"url": value})
        return value


class IPField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        try:
            validate_ipv46_address(value.strip())
        except ValidationError:
            raise ValidationError(
                _("Escribe una dirección IP válida, p. ej. 203.0.113.5 o 2001:db8::1."),
                code="invalid") from None
        return forms.GenericIPAddressField(unpack_ipv4=True).clean(value.strip())


class DateTimeZoneWidget(forms.MultiWidget):
    def __init__(self, attrs=None):
        super().__init__([
            forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            forms.Select(choices=time_zone_choices),
        ], attrs)

    def decompress(self, value):
        if isinstance(value, dict):
            return [value.get("local"), value.get("tz")]
        return [None, None]


class DateTimeZoneField(forms.MultiValueField):
    """A wall-clock date and time plus the zone it was read in; cleans to
    {"at": ISO-8601 aware, "local": "YYYY-MM-DDTHH:MM", "tz": zone}."""

    widget = DateTimeZoneWidget

    def __init__(self, **kwargs):
        fields = [forms.CharField(), forms.ChoiceField(choices=time_zone_choices)]
        super().__init__(fields, require_all_fields=False, **kwargs)
        self.error_messages["incomplete"] = _("Indica la fecha y hora, y su zona horaria.")

    def clean(self, value):
        local, tz = (list(value) + [None, None])[:2] if isinstance(value, list | tuple) else (None, None)
        local, tz = (local or "").strip(), (tz or "").strip()
        if not local and not tz:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        if not local or not tz:
            raise ValidationError(self.error_messages["incomplete"], code="incomplete")
        try:
            naive = parse_datetime(local)
        except ValueError:
            naive = None
        if naive is None:
            raise ValidationError(_("Escribe una fecha y hora válidas, p. ej. 2025-03-14 09:30."),
                                  code="invalid")
        if tz not in zoneinfo.available_timezones():
            raise ValidationError(_("Elige una zona horaria de la lista."), code="invalid")
        aware = timezone.make_aware(naive.replace(tzinfo=None), zoneinfo.ZoneInfo(tz))
        return {"at": aware.isoformat(), "local": aware.strftime("%Y-%m-%dT%H:%M"), "tz": tz}

    def compress(self, data_list):  # clean() above does the work
        return data_list


class AmountWidget(forms.MultiWidget):
    def __init__(self, attrs=None):
        super().__init__([
            forms.TextInput(attrs={"inputmode": "decimal", "class": "fields-amount"}),
            forms.Select(choices=CURRENCIES),
        ], attrs)

    def decompress(self, value):
        if isinstance(value, dict):
            return [value.get("amount"), value.get("currency")]
        return [None, "MXN"]


class AmountField(forms.MultiValueField):
    """An amount and its currency; cleans to {"amount": "1250.50", "currency": "MXN"}."""

    widget = AmountWidget

    def __init__(self, **kwargs):
        fields = [forms.CharField(), forms.ChoiceField(choices=CURRENCIES)]
        super().__init__(fields, require_all_fields=False, **kwargs)

    def clean(self, value):
        amount, currency = (list(value) + [None, None])[:2] if isinstance(value, list | tuple) else (None, None)
        amount, currency = (amount or "").strip(), (currency or "").strip()
        if not amount:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        if currency not in CURRENCY_CODES:
            raise ValidationError(_("Elige la moneda de la lista."), code="invalid")
        return {"amount": str(parse_amount(amount)), "currency": currency}

    def compress(self, data_list):
        return data_list


REQUIRED_MESSAGES = {
    FieldType.CHECKBOX: gettext_lazy("Marca esta casilla para continuar."),
    FieldType.CHOICE: gettext_lazy("Elige una opción."),
    FieldType.MULTIPLE: gettext_lazy("Elige al menos una opción."),
}


MAX_LENGTH_MESSAGE = gettext_lazy(
    "Escribe como mucho %(limit_value)d caracteres (ahora hay %(show_value)d).")


def form_field(spec: FieldSpec) -> forms.Field:
    """The Django form field that asks `spec`."""
    required_message = REQUIRED_MESSAGES.get(spec.type) or _(
        "Este dato es obligatorio: %(label)s.") % {"label": spec.label}
    common = dict(label=spec.label, required=spec.required, help_text=spec.help_text,
                  error_messages={"required": required_message, "max_length": MAX_LENGTH_MESSAGE})
    kind = spec.type
    if kind == FieldType.TEXT:
        return forms.CharField(max_length=500, **common, strip=True)
    if kind == FieldType.LONG_TEXT:
        return forms.CharField(max_length=5000, widget=forms.Textarea(attrs={"rows": 4}), **common)
    if kind == FieldType.EMAIL:
        return OwnedEmailField(spec=spec, **common)
    if kind == FieldType.DOMAIN:
        return DomainField(spec=spec, **common)
    if kind == FieldType.URL:
        return OwnedURLField(spec=spec, **common)
    if kind == FieldType.IP:
        return IPField(max_length=45, **common)
    if kind in (FieldType.DATETIME, FieldType.AMOUNT):
        common["error_messages"].pop("max_length")
        return (DateTimeZoneField if kind == FieldType.DATETIME else AmountField)(**common)
    choices = [(option, option) for option in spec.options]
    invalid = {"invalid_choice": _("Elige una de las opciones de la lista.")}
    if kind == FieldType.CHOICE:
        common["error_messages"].update(invalid)
        return forms.ChoiceField(choices=[("", _("Elige una opción")), *choices], **common)
    if kind == FieldType.MULTIPLE:
        common["error_messages"].update(invalid)
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple,
                                         **common)
    if kind == FieldType.CHECKBOX:
        common["error_messages"].pop("max_length")
        return forms.BooleanField(**common)
    raise ValueError(f"Unknown field type {kind!r}")


# --- Storage ---------------------------------------------------------------


def is_empty(value) -> bool:
    return value in (None, "", [], False)


def display_text(kind: str, value) -> str:
    """The value as people read it (and the console search matches)."""
    if is_empty(value) and kind != FieldType.CHECKBOX:
        return ""
    if kind == FieldType.CHECKBOX:
        return str(_("Sí") if value else _("No"))
    if kind == FieldType.MULTIPLE:
        return ", ".join(value)
    if kind == FieldType.AMOUNT:
        return f"{value['amount']} {value['currency']}"
    if kind == FieldType.DATETIME:
        at = datetime.fromisoformat(value["at"])
        return f"{at:%Y-%m-%d %H:%M} ({value['tz']})"
    return str(value)

