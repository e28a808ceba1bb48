"""Forms of the agent console's ticket page.

Forms validate input only; the services decide what may change."""

import copy
import json

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ventanilla.core.ids import parse_id
from ventanilla.core.widgets import MemoizedSelect

from . import selectors
from .attachments import ALLOWED_EXTENSIONS, check_uploads
from .models import Category, Department, Priority, Status, Ticket
from .status import Role, allowed_targets

REPLY_BODY_ID = "reply-body"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; validated together by check_uploads."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ",".join(ALLOWED_EXTENSIONS)}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        files = [super(MultipleFileField, self).clean(f, initial) for f in files]
        if files:
            check_uploads(files)
        return files


class ReplyForm(forms.Form):
    """The composer: a public reply or an internal note."""

    PUBLIC = "respuesta"
    NOTE = "nota"
    UNCHANGED = ""

    mode = forms.ChoiceField(
        label=_("Tipo de mensaje"),
        choices=[(PUBLIC, _("Respuesta pública")), (NOTE, _("Nota interna"))],
        initial=PUBLIC,
        widget=forms.RadioSelect(attrs={"data-reply-mode": ""}),
    )
    body = forms.CharField(
        label=_("Mensaje"),
        max_length=50_000,
        widget=forms.Textarea(attrs={"id": REPLY_BODY_ID, "rows": 8}),
        error_messages={"required": _("Escribe el mensaje antes de enviarlo.")},
    )
    files = MultipleFileField(
        label=_("Adjuntos"),
        help_text=_("Opcional. Imágenes, PDF, ZIP o texto."),
    )
    status_after = forms.ChoiceField(label=_("Estado después de enviar"), required=False)
    # The id of the last message the agent saw: the stale-reply guard.
    last_seen = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, ticket: Ticket, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        current = Status(ticket.status)
        targets = allowed_targets(current, Role.AGENT)
        unchanged = (self.UNCHANGED, _("Sin cambio (sigue en «%(status)s»)") % {"status": current.label})
        # Any status validates here: the status machine refuses what is not
        # allowed with a clear message (the ticket may have changed meanwhile).
        field = self.fields["status_after"]
        field.choices = [unchanged, *Status.choices]
        field.widget.choices = [unchanged, *[(s.value, s.label) for s in targets]]
        reply_default = Status.PENDING if Status.PENDING in targets else self.UNCHANGED
        field.initial = reply_default
        field.widget.attrs.update({"data-reply-default": reply_default, "data-note-default": ""})
        field.help_text = _("Una respuesta pública deja el ticket en Pendiente salvo que elijas "
                            "otro estado; una nota interna no lo cambia si eliges «Sin cambio».")

    @property
    def is_note(self) -> bool:
        return self.cleaned_data.get("mode") == self.NOTE

    def status_for_service(self) -> str | None:
        """The `status` argument of ticket_agent_reply for what was chosen."""
        if "status_after" not in self.data:
            return None  # not offered: the service's default (Pendiente for replies)
        chosen = self.cleaned_data.get("status_after") or self.UNCHANGED
        if chosen != self.UNCHANGED:
            return chosen
        # "Sin cambio": a note passes None; a public reply passes the current
        # status, so the service does not apply its Pendiente default.
        return None if self.is_note else self.ticket.status


def _tree_order(category: Category):
    """Departments in their order, each parent followed by its children."""
    root = category.parent or category
    return (category.department.position, category.department.name, root.position, root.name,
            category.parent_id is not None, category.position, category.name)


class TicketFieldsForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("Departamento"), queryset=Department.objects.none(), empty_label=None,
    )
    category = forms.ChoiceField(label=_("Categoría"), required=False)
    priority = forms.ChoiceField(label=_("Prioridad"), choices=Priority.choices)

    def __init__(self, ticket: Ticket, *args, **kwargs):
        kwargs.setdefault("initial", {
            "department": ticket.department_id,
            "category": ticket.category_id or "",
            "priority": ticket.priority,
        })
        super().__init__(*args, **kwargs)
        self.ticket = ticket
        self.fields["department"].queryset = Department.objects.filter(
            Q(is_active=True) | Q(pk=ticket.department_id)
        )
        # Inactive categories are not offered, but the ticket's own stays visible.
        categories = sorted(
            (c for c in selectors.all_categories() if c.is_active or c.pk == ticket.category_id),
            key=_tree_order,
        )
        self._categories = {str(c.pk): c for c in categories}
        options: list[tuple[str, str, int]] = []
        for category in categories:
            label = str(category)
            if not category.is_active:
                label = _("%(name)s (ya no se usa)") % {"name": label}
            options.append((str(category.pk), label, category.department_id))
        # Any category validates (clean() refuses one of another department
        # with a clear message, which is all a browser without JavaScript
        # gets); the select offers only the chosen department's categories,
        # and follows the department select through category_fragment_url.
        self.fields["category"].choices = [("", _("Sin categoría"))] + [
            (pk, label) for pk, label, _department in options]
        department_id = self.shown_department_id()
        shown = [("", _("Sin categoría"))] + [
            (pk, label) for pk, label, department in options if department == department_id]
        # Rendered once per list (the ticket page's hot path), not on every view.
        self.fields["category"].widget = MemoizedSelect(
            key=f"console-categories:{hash(json.dumps(shown, default=str))}", choices=shown)
        self.fields["department"].widget.attrs.update({
            "hx-get": reverse("console:ticket_fields_categories", args=[ticket.number]),
            "hx-trigger": "change", "hx-include": "#id_category",
            "hx-target": "#id_category", "hx-swap": "outerHTML",
            "aria-controls": "id_category",
        })

    def shown_department_id(self) -> int | None:
        """The department whose categories the select offers: the one
        submitted (or asked for by the fragment), else the ticket's."""
        chosen = parse_id(self.data.get("department")) if self.is_bound else None
        if chosen is None:
            chosen = parse_id(self.initial.get("department"))
        return chosen if chosen is not None else self.ticket.department_id

    def clean(self):
        data = super().clean()
        department = data.get("department")
        category = self._categories.get(data.get("category") or "")
        if department is None:
            return data
        if category is not None and category.department_id != department.pk:
            if category.pk == self.ticket.category_id:
                # Moving to another department without picking a category:
                # the service drops the old one.
                category = None
            else:
                self.add_error("category", _("Esa categoría no pertenece a «%(department)s».")
                               % {"department": department.name})
        # A copy: the cached instance is shared by every request.
        data["category_obj"] = copy.copy(category) if category is not None else None
        return data


class AssignForm(forms.Form):
    TAKE = "tomar"
    ASSIGN = "asignar"
    RELEASE = "liberar"

    action = forms.ChoiceField(choices=[(TAKE, TAKE), (ASSIGN, ASSIGN), (RELEASE, RELEASE)],
                               widget=forms.HiddenInput)
    assignee = forms.ModelChoiceField(
        label=_("Asignar a"), queryset=None, required=False, empty_label=_("Elige un agente"),
        error_messages={"invalid_choice": _("Elige un agente de la lista.")},
    )

    def __init__(self, agents, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = agents
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name()

    def clean(self):
        data = super().clean()
        if data.get("action") == self.ASSIGN and not data.get("assignee"):
            self.add_error("assignee", _("Elige a qué agente asignar el ticket."))
        return data


class MergeForm(forms.Form):
    target = forms.CharField(
        label=_("Número del ticket destino"), max_length=20,
        help_text=_("La conversación de este ticket se copiará allí y este quedará cerrado."),
        error_messages={"required": _("Escribe el número del ticket en el que fusionar este.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_target(self):
        number = self.cleaned_data["target"].strip().lstrip("#").strip()
        if not number.isdigit():
            raise ValidationError(_("Escribe solo el número del ticket, por ejemplo 12345678."))
        return number


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=Status.choices,
        error_messages={"invalid_choice": _("Ese estado no existe."),
                        "required": _("Elige un estado.")},
    )

