from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.tickets.models import Department

from .models import Chat


class StartForm(forms.Form):
    """Start a chat, or with no agent available, leave the question as a ticket."""

    department = forms.ModelChoiceField(
        label=_("Tema"), queryset=Department.objects.none(), empty_label=None,
        error_messages={"required": _("Elige con qué área quieres hablar."),
                        "invalid_choice": _("Elige con qué área quieres hablar.")})
    name = forms.CharField(label=_("Tu nombre"), max_length=150, required=False)
    email = forms.EmailField(label=_("Tu correo"), required=False,
                             error_messages={"invalid": _("Escribe un correo válido.")})
    visitor_reason = forms.ChoiceField(
        label=_("¿Tu caso?"), required=False,
        choices=[("", _("Soy cliente")), *Chat.VisitorReason.choices[1:]])
    message = forms.CharField(label=_("Tu consulta"), max_length=5000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, visitor: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.visitor = visitor
        self.fields["department"].queryset = Department.objects.filter(
            is_active=True, chat_settings__is_enabled=True)
        if not visitor:
            for name in ("name", "email", "visitor_reason"):
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if self.visitor:
            if not (data.get("name") or "").strip():
                self.add_error("name", _("Escribe tu nombre."))
            if not data.get("email") and "email" not in self.errors:
                self.add_error("email", _("Escribe tu correo para que podamos responderte."))
        return data
