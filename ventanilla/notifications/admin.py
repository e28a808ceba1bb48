from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import services
from .models import BillingEvent, BillingIntegration, Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "customer", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["title", "customer__email"]
    raw_id_fields = ["customer"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["customer", "kind", "email"]
    raw_id_fields = ["customer"]


@admin.register(BillingIntegration)
class BillingIntegrationAdmin(admin.ModelAdmin):
    """The key is shown once, right after creating the integration or
    rotating it; only its hash is stored."""

    list_display = ["name", "key_prefix", "is_active", "created_at", "last_used_at"]
    fields = ["name", "is_active"]
    actions = ["rotate_key"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        integration, key = services.billing_integration_create(obj.name)
        obj.pk, obj.key_prefix, obj.key_hash = integration.pk, integration.key_prefix, integration.key_hash
        obj.is_active = integration.is_active
        obj.created_at = integration.created_at
        if not form.cleaned_data.get("is_active", True):
            BillingIntegration.objects.filter(pk=obj.pk).update(is_active=False)
        messages.warning(request, _("Clave de API (cópiala ahora; no se volverá a mostrar): %(key)s")
                         % {"key": key})

    @admin.action(description=_("Generar una clave nueva (la anterior deja de funcionar)"))
    def rotate_key(self, request, queryset):
        for integration in queryset:
            key = services.billing_integration_rotate(integration)
            messages.warning(request, _("Nueva clave de «%(name)s» (no se volverá a mostrar): %(key)s")
                             % {"name": integration.name, "key": key})


@admin.register(BillingEvent)
class BillingEventAdmin(admin.ModelAdmin):
    list_display = ["external_id", "type", "customer", "integration", "received_at"]
    list_filter = ["type", "integration"]
    search_fields = ["external_id", "customer__email"]
    raw_id_fields = ["customer", "notification"]
    readonly_fields = ["integration", "external_id", "type", "customer", "payload", "notification",
                       "received_at"]
