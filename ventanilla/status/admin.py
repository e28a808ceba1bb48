"""Components and their services are configured here; incidents are
published and updated from the console (status.services keeps the
timeline and notifies customers), so the admin shows them read-only."""

from django.contrib import admin

from .models import (
    Component,
    ComponentService,
    ContactRequest,
    Incident,
    IncidentUpdate,
    PinCheck,
    SupportPin,
)


class ComponentServiceInline(admin.TabularInline):
    model = ComponentService
    extra = 1
    raw_id_fields = ["service"]


@admin.register(Component)
class ComponentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_public", "position"]
    list_editable = ["is_public", "position"]
    list_filter = ["kind"]
    search_fields = ["name"]
    exclude = ["services"]
    inlines = [ComponentServiceInline]


class IncidentUpdateInline(admin.TabularInline):
    model = IncidentUpdate
    extra = 0
    can_delete = False
    fields = ["created_at", "status", "body", "author", "posted_to_tickets"]
    readonly_fields = fields


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "impact", "created_at", "ended_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    inlines = [IncidentUpdateInline]
    readonly_fields = ["kind", "status", "impact", "created_by", "created_at", "started_at", "ended_at",
                       "updated_at"]
    fields = ["title", "kind", "status", "impact", "components", "scheduled_start", "scheduled_end",
              "created_by", "created_at", "started_at", "ended_at", "updated_at"]

    def has_add_permission(self, request):
        return False  # published from the console, which notifies the customers


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "email", "identifier", "matched_customer", "ticket", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "email", "identifier"]
    readonly_fields = ["kind", "name", "email", "identifier", "abuse_type", "target",
                       "matched_customer", "ticket", "ip", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(SupportPin)
class SupportPinAdmin(admin.ModelAdmin):
    list_display = ["customer", "rotated_at"]
    search_fields = ["customer__email", "customer__name"]
    fields = ["customer", "rotated_at"]
    readonly_fields = fields  # the PIN itself is for the customer to tell, not to read here

    def has_add_permission(self, request):
        return False


@admin.register(PinCheck)
class PinCheckAdmin(admin.ModelAdmin):
    list_display = ["created_at", "customer", "agent", "ticket", "result"]
    list_filter = ["result"]
    search_fields = ["customer__email"]
    readonly_fields = ["customer", "agent", "ticket", "result", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


