"""The forms that ask a category's fields (portal, chat, console) and the
consent request form.

`category_fields_form(category, customer=..., data=...)` is the entry point
for every channel: the portal's new-ticket form uses it, and chat can ask
the same questions when it turns a conversation into a ticket."""

from django import forms
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import selectors, types
from .models import ConsentAction, ConsentDecision
from .types import FieldSpec

PREFIX = "campos"


class FieldsForm(forms.Form):
    """One form field per FieldSpec; `field_<key>` names."""

    def __init__(self, specs: list[FieldSpec], *args, guidance: str = "", category=None, **kwargs):
        kwargs.setdefault("prefix", PREFIX)
        super().__init__(*args, **kwargs)
        self.category = category
        self.specs = {f"f{spec.key}": spec for spec in specs}
        self.guidance = guidance
        for name, spec in self.specs.items():
            self.fields[name] = types.form_field(spec)

    def answers(self) -> list[tuple[FieldSpec, object]]:
        """(spec, cleaned value) pairs, in order; call after is_valid()."""
        return [(spec, self.cleaned_data.get(name)) for name, spec in self.specs.items()]

    @property
    def is_empty(self) -> bool:
        return not self.specs and not self.guidance


def category_fields_form(category, *, customer, data=None, initial=None) -> FieldsForm:
    """The bound (with `data`) or unbound form of `category`'s active fields
    (its own and its parent's), with its guidance. `category` may be None:
    an empty form. Domain and email fields marked so are checked against
    `customer`'s services (not asked of a visitor: `customer` None)."""
    if category is None:
        return FieldsForm([], data=data, initial=initial)
    fields = selectors.category_fields(category)
    # A visitor without an account has no known services to check; the
    # customer's are read only when a value is checked against them.
    check = customer is not None and any(f.must_be_customer_domain for f in fields)
    domains = SimpleLazyObject(lambda: selectors.customer_domains(customer)) if check \
        else frozenset()
    specs = [
        FieldSpec(
            key=str(field.pk), label=field.label, type=field.type, required=field.required,
            help_text=field.help_text, options=tuple(field.option_list),
            must_be_customer_domain=field.must_be_customer_domain and check,
            customer_domains=domains,
        )
        for field in fields
    ]
    return FieldsForm(specs, data=data, initial=initial, category=category,
                      guidance=selectors.category_guidance(category))


def ticket_values_form(ticket, *, data=None) -> FieldsForm:
    """The console's edit form: every value the ticket has (asked as it was
    when answered) plus the category's current fields not answered yet. An
    agent may leave any of them empty."""
    # The ownership check needs the domains only to validate.
    domains = selectors.customer_domains(ticket.customer) if data is not None else frozenset()
    values = selectors.ticket_values(ticket)
    specs, initial = [], {}
    answered_fields = set()
    for value in values:
        spec = FieldSpec(
            key=f"v{value.pk}", label=value.label, type=value.type, options=tuple(value.options),
            must_be_customer_domain=bool(value.field and value.field.must_be_customer_domain),
            customer_domains=domains,
        )
        specs.append(spec)
        initial[f"f{spec.key}"] = value.value
        answered_fields.add(value.field_id)
    if ticket.category_id:
        for field in selectors.category_fields(ticket.category):
            if field.pk in answered_fields:
                continue
            specs.append(FieldSpec(
                key=str(field.pk), label=field.label, type=field.type, help_text=field.help_text,
                options=tuple(field.option_list),
                must_be_customer_domain=field.must_be_customer_domain, customer_domains=domains,
            ))
    return FieldsForm(specs, data=data, initial=initial, prefix="editar")


class ConsentRequestForm(forms.Form):
    kind = forms.ModelChoiceField(
        label=gettext_lazy("Tipo de acción"), queryset=ConsentAction.objects.filter(is_active=True),
        required=False, empty_label=gettext_lazy("Otra acción (descríbela abajo)"),
        help_text=gettext_lazy("Las acciones de la lista solo pueden marcarse como realizadas con "
                               "una autorización aceptada."),
        error_messages={"invalid_choice": gettext_lazy("Elige una acción de la lista.")},
    )
    action = forms.CharField(
        label=gettext_lazy("Acción que necesita autorización"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("El cliente verá y autorizará exactamente este texto, p. ej. "
                               "«Actualizar WordPress a la última versión y desactivar los plugins "
                               "incompatibles». Vacío: el texto del tipo de acción."),
        error_messages={
            "max_length": gettext_lazy("Describe la acción en 2000 caracteres como mucho."),
        },
    )

    def clean(self):
        data = super().clean()
        data["action"] = (data.get("action") or "").strip()
        if not data["action"] and data.get("kind"):
            data["action"] = data["kind"].text
        if not data["action"] and not self.has_error("action"):
            self.add_error("action", _("Describe la acción que el cliente debe autorizar."))
        return data


class ActionDoneForm(forms.Form):
    kind = forms.ModelChoiceField(
        label=gettext_lazy("Acción realizada"), queryset=ConsentAction.objects.all(),
        empty_label=gettext_lazy("Elige la acción"),
        error_messages={"required": gettext_lazy("Elige la acción que realizaste."),
                        "invalid_choice": gettext_lazy("Elige una acción de la lista.")},
    )
    note = forms.CharField(label=gettext_lazy("Nota"), max_length=500, required=False,
                           help_text=gettext_lazy("Opcional: qué hiciste exactamente."))

    def __init__(self, *args, **kwargs):
        # Shown next to ConsentRequestForm, which also has a "kind": unique ids.
        kwargs.setdefault("auto_id", "id_hecha_%s")
        super().__init__(*args, **kwargs)


class ConsentAnswerForm(forms.Form):
    decision = forms.ChoiceField(choices=ConsentDecision.choices)


def new_ticket_fields_form(customer, *, data=None, category_id=None) -> FieldsForm:
    """The portal's new-ticket form: the fields of the category posted in
    `data` (or of `category_id` when the page opens prefilled)."""
    category = selectors.portal_category(data.get("category") if data is not None else category_id)
    return category_fields_form(category, customer=customer, data=data)
