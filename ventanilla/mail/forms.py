from django import forms
from django.utils.translation import gettext_lazy as _

from .models import NotificationAddress


class NotificationAddressForm(forms.Form):
    email = forms.EmailField(
        label=_("Correo electrónico"), max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "placeholder": "facturas@tuempresa.com"}),
        error_messages={"required": _("Escribe la dirección de correo."),
                        "invalid": _("Escribe una dirección de correo válida, p. ej. nombre@dominio.com.")},
    )
    kind = forms.ChoiceField(
        label=_("Qué recibirá"), choices=NotificationAddress.Kind.choices, widget=forms.RadioSelect,
        initial=NotificationAddress.Kind.SUPPORT,
        error_messages={"required": _("Elige qué notificaciones recibirá.")},
    )
