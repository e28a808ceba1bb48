from django.contrib import admin

from .models import BillingEvent, Notification, Preference


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


@admin.register(BillingEvent)
class BillingEventAdmin(admin.ModelAdmin):
    list_display = ["external_id", "type", "customer", "integration", "received_at"]
    list_filter = ["type", "integration"]
    search_fields = ["external_id", "customer__email"]
    raw_id_fields = ["customer", "notification"]
    readonly_fields = ["integration", "external_id", "type", "customer", "payload", "notification",
                       "received_at"]
