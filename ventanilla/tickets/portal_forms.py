"""Forms of the customer portal: opening a ticket, replying, the history filter.

The forms validate what the customer typed (including that the IP and the
order number of a critical incident belong to them); the services write."""

import zoneinfo
from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.accounts.models import Service
from ventanilla.core.time_zones import time_zone_choices
from ventanilla.core.widgets import MemoizedSelect

from . import selectors
from .attachments import ALLOWED_EXTENSIONS, check_uploads
from .models import Priority, Status
from .services import IncidentDetails


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list checked by check_uploads
    (size per file and per message, type by content and extension)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        files = [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]
        files = [f for f in files if f]
        if self.required and not files:
            raise ValidationError(self.error_messages["required"], code="required")
        if files:
            check_uploads(files)
        return files


def attachments_help() -> str:
    return _("Opcional. Hasta %(file)s por archivo y %(total)s en total. Tipos: %(types)s.") % {
        "file": filesizeformat(settings.VENTANILLA["MAX_FILE_BYTES"]),
        "total": filesizeformat(settings.VENTANILLA["MAX_MESSAGE_BYTES"]),
        "types": ", ".join(ALLOWED_EXTENSIONS),
    }


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock date and time without a zone: the form makes it aware
    in the zone the customer picks next to it, not in the viewer's zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        try:
            result = parse_datetime(value.strip())
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        return result or forms.BaseTemporalField.to_python(self, value)


def normalize_order_number(value: str) -> str:
    """'#123456', ' 123456 ' and '123456' are the same order."""
    return value.strip().lstrip("#").strip()


class ConfigChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose submitted id is checked by `lookup(id)` (an
    instance or None) against the configuration cache, not by a query. The
    queryset still gives the choices shown."""

    def __init__(self, *args, lookup, **kwargs):
        super().__init__(*args, **kwargs)
        self.lookup = lookup

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        instance = self.lookup(value)
        if instance is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": value})
        return instance


class TicketForm(forms.Form):
    department = ConfigChoiceField(
        label=gettext_lazy("Departamento"), queryset=selectors.portal_departments(),
        lookup=selectors.portal_department_by_id, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Elige el departamento que debe atenderte."),
                        "invalid_choice": gettext_lazy("Ese departamento no está disponible.")},
    )
    category = ConfigChoiceField(
        label=gettext_lazy("Categoría"), queryset=selectors.portal_categories(), required=False,
        lookup=selectors.portal_category_by_id,
        empty_label=gettext_lazy("Elige una categoría"),
        error_messages={"invalid_choice": gettext_lazy("Esa categoría no está disponible.")},
    )
    service = forms.ModelChoiceField(
        label=gettext_lazy("Servicio relacionado"), queryset=Service.objects.none(), required=False,
        empty_label=gettext_lazy("Ninguno en particular"),
        help_text=gettext_lazy("El servicio de tu cuenta con el que tienes la duda o el problema."),
        error_messages={"invalid_choice": gettext_lazy("Ese servicio no pertenece a tu cuenta.")},
    )
    subject = forms.CharField(
        label=gettext_lazy("Asunto"), max_length=200,
        help_text=gettext_lazy("Una descripción breve de la duda o del incidente."),
        error_messages={"required": gettext_lazy("Escribe un asunto."),
                        "max_length": gettext_lazy("El asunto no puede pasar de 200 caracteres.")},
    )
    body = forms.CharField(
        label=gettext_lazy("Mensaje"), widget=forms.Textarea(attrs={"rows": 8}), max_length=50_000,
        help_text=gettext_lazy("Cuéntanos todos los detalles: qué intentabas hacer, qué ocurrió "
                               "y los mensajes de error que viste."),
        error_messages={"required": gettext_lazy("Escribe tu mensaje.")},
    )
    attachments = MultipleFileField(label=gettext_lazy("Archivos adjuntos"))
    priority = forms.ChoiceField(
        label=gettext_lazy("Prioridad"), choices=Priority.choices, initial=Priority.REGULAR,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Elige una prioridad.")},
    )
    incident_server_ip = forms.GenericIPAddressField(
        label=gettext_lazy("IP del servidor"), required=False, unpack_ipv4=True,
        help_text=gettext_lazy("P. ej. 203.0.113.5"),
        error_messages={
            "invalid": gettext_lazy("Escribe una dirección IP válida, p. ej. 203.0.113.5."),
        },
    )
    incident_order_number = forms.CharField(
        label=gettext_lazy("Número de pedido"), required=False, max_length=21,
        help_text=gettext_lazy("P. ej. #123456"),
    )
    incident_service_name = forms.CharField(
        label=gettext_lazy("Nombre del servicio tal como aparece en el Área de cliente"),
        required=False, max_length=150,
    )
    incident_started_at = LocalDateTimeField(
        label=gettext_lazy("Fecha y hora de inicio del problema"), required=False,
        error_messages={"invalid": gettext_lazy("Escribe una fecha y hora válidas.")},
    )
    incident_time_zone = forms.ChoiceField(
        label=gettext_lazy("Zona horaria de esa hora"), required=False, choices=time_zone_choices,
        widget=MemoizedSelect(key="incident-time-zones"),
    )
    incident_diagnostics = forms.CharField(
        label=gettext_lazy("Datos de diagnóstico"), required=False, max_length=50_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Mensajes de error, resultados de ping o traceroute, registros… "
                               "Puedes adjuntar capturas o archivos arriba."),
    )
    continuacion = forms.CharField(required=False, widget=forms.HiddenInput)
    # The submission's one-time token (tickets/submissions.py).
    envio = forms.CharField(required=False, widget=forms.HiddenInput)

    INCIDENT_FIELDS = [
        "incident_server_ip", "incident_order_number", "incident_service_name",
        "incident_started_at", "incident_time_zone", "incident_diagnostics",
    ]

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["service"].queryset = selectors.customer_services(customer)
        self.fields["service"].label_from_instance = service_label
        self.fields["attachments"].help_text = attachments_help()
        self.set_category_choices(None)

    @cached_property
    def services(self) -> list:
        """The customer's services, read only when an Alta ticket's incident
        details are checked (a regular ticket's POST skips the query)."""
        return list(selectors.customer_services(self.customer))

    def set_category_choices(self, department):
        """All active categories grouped by department (what a browser without
        JavaScript needs), or only `department`'s (the htmx refresh).

        The choices are computed only when the form is rendered: a valid
        submission never needs them (validation queries by id)."""
        field = self.fields["category"]

        def choices():
            categories = selectors.portal_categories_tree(department)
            empty = [("", field.empty_label)]
            if department is not None:
                return empty + [(c.pk, str(c)) for c in categories]
            groups: dict[str, list] = {}
            for category in categories:
                groups.setdefault(category.department.name, []).append((category.pk, str(category)))
            return empty + list(groups.items())

        field.choices = choices

    def clean_incident_order_number(self):
        return normalize_order_number(self.cleaned_data["incident_order_number"])

    def clean(self):
        data = super().clean()
        department, category = data.get("department"), data.get("category")
        if department is not None:
            if category is not None and category.department_id != department.pk:
                self.add_error("category", _("Esa categoría no pertenece al departamento elegido; "
                                             "elige una de «%(department)s».")
                               % {"department": department.name})
            elif (category is None and not self.has_error("category")
                  and selectors.portal_categories(department).exists()):
                self.add_error("category", _("Elige una categoría."))
        if data.get("priority") == Priority.HIGH:
            self._clean_incident(data)
        return data

    def _clean_incident(self, data):
        ip, order = data.get("incident_server_ip"), data.get("incident_order_number")
        required = _("Obligatorio para un ticket de prioridad Alta.")
        if not ip and not order and not self.has_error("incident_server_ip"):
            self.add_error("incident_server_ip",
                           _("Indica la IP del servidor o el número de pedido (al menos uno)."))
        if ip and not any(s.server_ip == ip for s in self.services):
            self.add_error("incident_server_ip", _(
                "La IP %(ip)s no corresponde a ninguno de tus servicios.") % {"ip": ip})
        if order and not any(s.order_number == order for s in self.services):
            self.add_error("incident_order_number",
                           _("El pedido #%(order)s no corresponde a ninguno de tus servicios.")
                           % {"order": order})
        for name in ("incident_service_name", "incident_time_zone", "incident_diagnostics"):
            if not data.get(name) and not self.has_error(name):
                self.add_error(name, required)
        started_at = data.get("incident_started_at")
        if started_at is None:
            if not self.has_error("incident_started_at"):
                self.add_error("incident_started_at", required)
        elif data.get("incident_time_zone"):
            aware = timezone.make_aware(started_at, zoneinfo.ZoneInfo(data["incident_time_zone"]))
            if aware > timezone.now() + timedelta(minutes=5):
                self.add_error("incident_started_at",
                               _("La hora de inicio no puede estar en el futuro."))
            data["incident_started_at"] = aware
        if not data.get("service"):
            # The IP or the order names the service when the customer did not pick it.
            matches = [s for s in self.services
                       if (ip and s.server_ip == ip) or (order and s.order_number == order)]
            if len(matches) == 1:
                data["service"] = matches[0]

    def incident(self) -> IncidentDetails | None:
        data = self.cleaned_data
        if data["priority"] != Priority.HIGH:
            return None
        return IncidentDetails(
            server_ip=data["incident_server_ip"] or None,
            order_number=data["incident_order_number"],
            service_name=data["incident_service_name"].strip(),
            started_at=data["incident_started_at"],
            time_zone=data["incident_time_zone"],
            diagnostics=data["incident_diagnostics"].strip(),
        )


def service_label(service: Service) -> str:
    label = f"{service.name} · #{service.order_number}"
    if service.status != Service.Status.ACTIVE:
        label += f" ({service.get_status_display()})"
    return label


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Tu respuesta"), widget=forms.Textarea(attrs={"rows": 6}),
        max_length=50_000, error_messages={"required": gettext_lazy("Escribe tu respuesta.")},
    )
    attachments = MultipleFileField(label=gettext_lazy("Archivos adjuntos"))
    envio = forms.CharField(required=False, widget=forms.HiddenInput)  # one-time token

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()


class HistoryFilterForm(forms.Form):
    estado = forms.ChoiceField(
        label=gettext_lazy("Estado"), required=False,
        choices=[("", gettext_lazy("Todos")), *Status.choices],
    )
    q = forms.CharField(
        label=gettext_lazy("Buscar"), required=False, max_length=100,
        widget=forms.TextInput(attrs={
            "type": "search",
            "placeholder": gettext_lazy("Número de ticket o texto"),
        }),
    )
