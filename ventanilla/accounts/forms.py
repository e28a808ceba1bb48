from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ventanilla.core.time_zones import canonical_time_zone, time_zone_choices
from ventanilla.core.widgets import MemoizedSelect

from .models import User


class AccountSettingsForm(forms.ModelForm):
    """The user's own settings; an agent also chooses whether to get the
    agents' notification emails (AgentProfile.email_notifications)."""

    time_zone = forms.ChoiceField(label=capfirst(_("zona horaria")), choices=time_zone_choices,
                                  widget=MemoizedSelect(key="user-time-zones"))

    class Meta:
        model = User
        fields = ["full_name", "time_zone", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # a zone saved under an old alias shows as its zone
            self.initial["time_zone"] = canonical_time_zone(self.instance.time_zone)
        self.agent = self.instance.agent_profile if self.instance.pk else None
        if self.agent is not None:
            self.fields["email_notifications"] = forms.BooleanField(
                label=_("Avisarme por correo de los tickets nuevos y de las respuestas de los "
                        "clientes"),
                required=False, initial=self.agent.email_notifications,
                help_text=_("Tickets nuevos de tus departamentos; respuestas en tus tickets o en "
                            "los de tus departamentos sin asignar."))

    def save(self, commit=True):
        user = super().save(commit=commit)
        if self.agent is not None and commit:
            self.agent.email_notifications = self.cleaned_data["email_notifications"]
            self.agent.save(update_fields=["email_notifications"])
        return user


class SignupForm(forms.Form):
    """Extra sign-up fields (allauth's ACCOUNT_SIGNUP_FORM_CLASS)."""

    full_name = forms.CharField(label=_("Nombre completo"), max_length=150)

    def signup(self, request, user):
        """allauth hook; the adapter already stored the name."""
