from django import forms
from django.utils.translation import gettext_lazy as _

from ventanilla.core.widgets import MemoizedSelect

from .models import User


class AccountSettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "time_zone", "language"]
        widgets = {"time_zone": MemoizedSelect(key="user-time-zones")}


class SignupForm(forms.Form):
    """Extra sign-up fields (allauth's ACCOUNT_SIGNUP_FORM_CLASS)."""

    full_name = forms.CharField(label=_("Nombre completo"), max_length=150)

    def signup(self, request, user):
        """allauth hook; the adapter already stored the name."""
