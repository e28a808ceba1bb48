from django import forms

from .models import User


class AccountSettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "time_zone", "language"]
