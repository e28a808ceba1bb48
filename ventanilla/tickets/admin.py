"""Configuration in the Django admin: departments, categories, canned
responses. Tickets are shown read-only: every change to a ticket goes through
tickets.services (and its status through tickets.status), which keep the
event log and notify the customer; an admin form would bypass both."""

from django.contrib import admin
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from .models import CannedResponse, Category, Department, Message, Status, Ticket, TicketEvent


def local_datetime(value) -> str:
    """Computed read-only fields are shown as plain text: format like the
    model's own date fields."""
    return formats.localize(timezone.template_localtime(value)) if value else "—"


class CategoryInline(admin.TabularInline):
    model = Category
    extra = 1
    fields = ["name", "parent", "is_active", "position"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            # A parent from the same department, at the top of its tree.
            department_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Category.objects.filter(
                department_id=department_id, parent=None
            ).select_related("parent")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "position"]
    list_editable = ["is_active", "position"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    inlines = [CategoryInline]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["__str__", "department", "is_active", "position"]
    list_filter = ["department", "is_active"]
    search_fields = ["name", "parent__name"]
    list_select_related = ["department", "parent"]
    actions = ["mark_unused", "mark_used"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            kwargs["queryset"] = Category.objects.filter(parent=None).select_related("department")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.action(description=_("Marcar como «No lo utilizaremos» (inactivas)"))
    def mark_unused(self, request, queryset):
        queryset.update(is_active=False)

    @admin.action(description=_("Volver a ofrecer (activas)"))
    def mark_used(self, request, queryset):
        queryset.update(is_active=True)


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    list_display = ["title", "department"]
    list_filter = ["department"]
    search_fields = ["title", "body"]
    list_select_related = ["department"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MessageInline(ReadOnlyInline):
    model = Message
    fields = ["created_at", "kind", "written_by", "channel", "body"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    @admin.display(description=_("autor"))
    def written_by(self, obj):
        return obj.author or "—"


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["when", "kind_label", "done_by", "change"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("fecha"))
    def when(self, obj):
        return local_datetime(obj.created_at)

    @admin.display(description=_("cambio"))
    def kind_label(self, obj):
        return obj.get_kind_display()

    @admin.display(description=_("quién"))
    def done_by(self, obj):
        return obj.actor or _("Sistema")

    @admin.display(description=_("de → a"))
    def change(self, obj):
        if obj.kind == TicketEvent.Kind.STATUS:
            return f"{Status(obj.from_value).label} → {Status(obj.to_value).label}"
        return f"{obj.from_value or '—'} → {obj.to_value or '—'}"


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["number", "subject", "customer_name", "department", "status", "priority",
                    "created_at"]
    list_filter = ["status", "priority", "department", "channel"]
    search_fields = ["number", "subject", "customer__email", "customer__name"]
    list_select_related = ["customer", "department"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    inlines = [MessageInline, TicketEventInline]
    fieldsets = (
        (None, {"fields": ("number", "subject", "customer", "requester", "status", "priority",
                           "channel")}),
        (_("Clasificación"), {"fields": ("department", "category", "service", "assignee")}),
        (_("Incidente crítico"), {
            "classes": ("collapse",),
            "fields": ("incident_server_ip", "incident_order_number", "incident_service_name",
                       "incident_started_at", "incident_time_zone", "incident_diagnostics"),
        }),
        (_("Fechas"), {"fields": ("created_at", "updated_at", "status_changed_at", "closed")}),
        (_("Relaciones"), {"fields": ("merged_into", "follow_up_of")}),
    )

    def get_readonly_fields(self, request, obj=None):
        # Everything, the status above all: only the status machine changes it.
        return [f for fieldset in self.fieldsets for f in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("cliente"), ordering="customer__name")
    def customer_name(self, obj):
        return obj.customer.name

    @admin.display(description=_("cerrado"))
    def closed(self, obj):
        return local_datetime(obj.closed_at)
