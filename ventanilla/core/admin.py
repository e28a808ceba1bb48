from django import forms
from django.contrib import admin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .models import SiteSettings


class ColourInput(forms.TextInput):
    """The browser's colour picker; it always submits #rrggbb, which the
    model's validator checks (a browser without one shows a text box)."""

    input_type = "color"


class SiteSettingsForm(forms.ModelForm):
    class Meta:
        model = SiteSettings
        fields = ("site_name", "logo", "primary_colour", "accent_colour", "auto_close_days",
                  "agents_require_2fa")
        widgets = {"primary_colour": ColourInput, "accent_colour": ColourInput}

    def clean_primary_colour(self):
        return self.cleaned_data["primary_colour"].lower()

    def clean_accent_colour(self):
        return self.cleaned_data["accent_colour"].lower()


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """A singleton: the list goes straight to the one row, which can be
    changed but neither added twice nor deleted."""

    form = SiteSettingsForm
    fieldsets = (
        (_("Marca"), {"fields": ("site_name", "logo", "primary_colour", "accent_colour")}),
        (_("Tickets"), {"fields": ("auto_close_days",)}),
        (_("Seguridad"), {"fields": ("agents_require_2fa",)}),
    )

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        site = SiteSettings.load()
        return redirect("admin:core_sitesettings_change", site.pk)
