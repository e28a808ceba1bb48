from django.contrib import admin
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from .models import SiteSettings


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """A singleton: the list goes straight to the one row, which can be
    changed but neither added twice nor deleted."""

    fieldsets = (
        (_("Marca"), {"fields": ("site_name", "logo_url", "primary_colour", "accent_colour")}),
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
