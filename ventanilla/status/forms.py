import ipaddress
import re
import time

from django import forms
from django.core import signing
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from ventanilla.tickets.portal_forms import MultipleFileField, attachments_help

from . import state
from .models import Component, ContactRequest, Incident

# --- Spam protection without third parties ------------------------------------

SIGNING_SALT = "ventanilla.status.contact-form"
MIN_SECONDS = 3  # a person takes longer than this to fill in a form
MAX_AGE_SECONDS = 24 * 3600
DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.I)


def form_token(now: float | None = None) -> str:
    return signing.dumps({"t": int(now if now is not None else time.time())}, salt=SIGNING_SALT)


class SpamGuardForm(forms.Form):
    """A honeypot field people never see (CSS hides it; bots fill it) and a
    signed timestamp: a form sent within MIN_SECONDS of being shown was not
    typed by a person."""

    website = forms.CharField(required=False, label=_("Deja este campo vacío"),
                              widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    spam_reason = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["started"] = form_token()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("website"):
            self.spam_reason = "honeypot"
            raise forms.ValidationError(_(
                "No pudimos enviar el formulario. Si eres una persona, deja vacío el campo "
                "«Deja este campo vacío» y vuelve a enviarlo."), code="spam")
        try:
            started = signing.loads(cleaned.get("started") or "", salt=SIGNING_SALT,
                                    max_age=MAX_AGE_SECONDS)["t"]
        except (signing.BadSignature, KeyError, TypeError):
            self.spam_reason = "token"
            self._renew_token()
            raise forms.ValidationError(_(
                "El formulario caducó. Revisa los datos y vuelve a enviarlo."), code="expired") from None
        if time.time() - started < MIN_SECONDS:
            self.spam_reason = "too_fast"
            raise forms.ValidationError(_(
                "Enviaste el formulario demasiado rápido. Espera unos segundos y vuelve a "
                "enviarlo; no se perdió nada."), code="too_fast")
        return cleaned

    def _renew_token(self):
        self.data = self.data.copy()
        self.data["started"] = form_token()


class CannotLoginForm(SpamGuardForm):
    name = forms.CharField(label=_("Tu nombre"), max_length=150)
    identifier = forms.CharField(
        label=_("Correo de la cuenta o dominio"), max_length=253,
        help_text=_("El correo con el que te registraste o un dominio de tu cuenta, p. ej. midominio.mx."))
    description = forms.CharField(
        label=_("¿Qué ocurre?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("No escribas tu contraseña ni parte de ella: nunca te la pediremos."))

    def clean_identifier(self):
        value = self.cleaned_data["identifier"].strip()
        if "@" in value:
            try:
                forms.EmailField().clean(value)
            except forms.ValidationError:
                raise forms.ValidationError(_("Escribe un correo válido, p. ej. nombre@midominio.mx.")) from None
            return value.lower()
        domain = value.lower().removeprefix("http://").removeprefix("https://").split("/")[0]
        if not DOMAIN_RE.match(domain):
            raise forms.ValidationError(_(
                "Escribe el correo de tu cuenta o un dominio, p. ej. midominio.mx."))
        return domain


class PresalesForm(SpamGuardForm):
    name = forms.CharField(label=_("Tu nombre"), max_length=150)
    email = forms.EmailField(label=_("Tu correo"), error_messages={
        "invalid": _("Escribe un correo válido, p. ej. nombre@midominio.mx.")})
    company = forms.CharField(label=_("Empresa o proyecto"), max_length=150, required=False)
    body = forms.CharField(label=_("¿En qué te podemos ayudar?"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 6}))


class AbuseForm(SpamGuardForm):
    abuse_type = forms.ChoiceField(label=_("Tipo de abuso"), choices=ContactRequest.AbuseType.choices,
                                   widget=forms.RadioSelect,
                                   error_messages={"required": _("Elige el tipo de abuso.")})
    target = forms.CharField(
        label=_("URL o IP"), max_length=500,
        help_text=_("La dirección del sitio, p. ej. https://ejemplo.mx/pagina, o la IP, p. ej. 192.0.2.10."))
    evidence = forms.CharField(
        label=_("Pruebas"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Describe lo ocurrido; para spam, pega las cabeceras completas del mensaje."))
    attachments = MultipleFileField(label=_("Archivos adjuntos"))
    name = forms.CharField(label=_("Tu nombre"), max_length=150, required=False)
    email = forms.EmailField(label=_("Tu correo"), help_text=_("Para enviarte el número del reporte."),
                             error_messages={"invalid": _("Escribe un correo válido, p. ej. nombre@midominio.mx.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()

    def clean_target(self):
        value = self.cleaned_data["target"].strip()
        try:
            ipaddress.ip_address(value)
            return value
        except ValueError:
            pass
        candidate = value if "://" in value else f"http://{value}"
        try:
            URLValidator(schemes=["http", "https"])(candidate)
        except forms.ValidationError:
            raise forms.ValidationError(_(
                "Escribe una URL (p. ej. https://ejemplo.mx/pagina) o una IP (p. ej. 192.0.2.10).")) from None
        return value


# --- Console -------------------------------------------------------------------

class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class IncidentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Tipo"), choices=Incident.Kind.choices, widget=forms.RadioSelect,
                             initial=Incident.Kind.INCIDENT)
    title = forms.CharField(label=_("Título"), max_length=200)
    impact = forms.ChoiceField(
        label=_("Impacto"), required=False,
        choices=[(v, label) for v, label in Incident.Impact.choices if v != Incident.Impact.MAINTENANCE],
        help_text=_("Solo para incidentes; un mantenimiento marca sus componentes «En mantenimiento»."))
    components = forms.ModelMultipleChoiceField(
        label=_("Componentes afectados"), queryset=Component.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Elige al menos un componente afectado.")})
    body = forms.CharField(label=_("Mensaje para los clientes"), widget=forms.Textarea(attrs={"rows": 4}))
    scheduled_start = forms.DateTimeField(label=_("Inicio programado"), required=False,
                                          widget=DateTimeLocalInput())
    scheduled_end = forms.DateTimeField(label=_("Fin programado"), required=False,
                                        widget=DateTimeLocalInput())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Incident.Kind.MAINTENANCE:
            for name in ("scheduled_start", "scheduled_end"):
                if not cleaned.get(name):
                    self.add_error(name, _("Indica cuándo empieza y termina el mantenimiento."))
        elif not cleaned.get("impact"):
            self.add_error("impact", _("Elige el impacto del incidente."))
        return cleaned


class IncidentUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Estado"))
    body = forms.CharField(label=_("Mensaje"), widget=forms.Textarea(attrs={"rows": 4}))
    post_to_tickets = forms.BooleanField(
        label=_("Publicarlo también en todos los tickets vinculados"), required=False,
        help_text=_("Al resolver o completar, los tickets vinculados se resuelven con este mensaje."))

    def __init__(self, incident: Incident, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Incident.Status.choices)
        statuses = [incident.status, *state.allowed_statuses(incident.kind, incident.status)]
        self.fields["status"].choices = [(s, labels[s]) for s in statuses]
        self.fields["status"].initial = incident.status


class PinCheckForm(forms.Form):
    pin = forms.RegexField(label=_("PIN que te dicta el cliente"), regex=r"^\s*\d{6}\s*$",
                           error_messages={"invalid": _("El PIN tiene 6 cifras.")},
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))


class AbuseNoticeForm(forms.Form):
    customer_email = forms.EmailField(label=_("Correo registrado del cliente"))
    title = forms.CharField(label=_("Asunto del aviso"), max_length=200)
    body = forms.CharField(label=_("Texto del aviso"), widget=forms.Textarea(attrs={"rows": 6}))

    def clean_customer_email(self):
        from ventanilla.accounts.models import Customer

        email = self.cleaned_data["customer_email"].lower()
        customer = Customer.objects.filter(email__lower=email).first()
        if customer is None:
            raise forms.ValidationError(_("No hay ningún cliente con ese correo registrado."))
        self.cleaned_data["customer"] = customer
        return email
