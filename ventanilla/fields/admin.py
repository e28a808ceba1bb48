"""The fields app in the admin: guidance and fields inline under each
category (no code needed to add a question), values read-only, and consent
records view-only for everyone (no add, change or delete, not even for
superusers)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ventanilla.tickets import admin as tickets_admin
from ventanilla.tickets.models import Category

from .models import (
    ActionRecord,
    CategoryField,
    CategoryGuidance,
    ConsentAction,
    ConsentAnswer,
    ConsentRequest,
    FieldValueChange,
    TicketFieldValue,
)


class CategoryGuidanceInline(admin.StackedInline):
    model = CategoryGuidance
    max_num = 1
    extra = 1


class CategoryFieldInline(admin.StackedInline):
    model = CategoryField
    extra = 0
    fields = [("label", "type", "required", "is_active", "position"), "help_text", "options",
              "must_be_customer_domain"]


# Category is registered by the tickets app; add the inlines to its admin.
admin.site.unregister(Category)


@admin.register(Category)
class CategoryWithFieldsAdmin(tickets_admin.CategoryAdmin):
    inlines = [*tickets_admin.CategoryAdmin.inlines, CategoryGuidanceInline, CategoryFieldInline]


@admin.register(CategoryField)
class CategoryFieldAdmin(admin.ModelAdmin):
    list_display = ["label", "category", "type", "required", "is_active", "position"]
    list_filter = ["type", "required", "is_active", "category__department"]
    search_fields = ["label", "category__name"]
    list_select_related = ["category__parent", "category__department"]


class ViewOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TicketFieldValue)
class TicketFieldValueAdmin(ViewOnlyAdmin):
    list_display = ["ticket", "label", "text", "updated_at"]
    search_fields = ["text", "label", "ticket__number"]
    list_select_related = ["ticket"]


@admin.register(FieldValueChange)
class FieldValueChangeAdmin(ViewOnlyAdmin):
    list_display = ["ticket", "label", "from_text", "to_text", "actor", "created_at"]
    list_select_related = ["ticket", "actor"]


class ConsentAnswerInline(admin.StackedInline):
    model = ConsentAnswer
    can_delete = False
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ConsentRequest)
class ConsentRequestAdmin(ViewOnlyAdmin):
    list_display = ["ticket", "kind", "short_action", "requested_by", "created_at", "expires_at",
                    "decision"]
    list_select_related = ["ticket", "kind", "requested_by", "answer"]
    search_fields = ["ticket__number", "action"]
    inlines = [ConsentAnswerInline]

    @admin.display(description=_("acción"))
    def short_action(self, obj):
        return obj.action[:80]

    @admin.display(description=_("respuesta"))
    def decision(self, obj):
        answer = getattr(obj, "answer", None)
        return answer.get_decision_display() if answer else "—"


@admin.register(ConsentAnswer)
class ConsentAnswerAdmin(ViewOnlyAdmin):
    list_display = ["request", "decision", "answered_by_name", "channel", "answered_at"]
    list_filter = ["decision", "channel"]
    list_select_related = ["request"]

    def get_actions(self, request):
        return {}  # no "delete selected"


@admin.register(ConsentAction)
class ConsentActionAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "position"]
    list_editable = ["is_active", "position"]
    search_fields = ["name", "text"]


@admin.register(ActionRecord)
class ActionRecordAdmin(ViewOnlyAdmin):
    list_display = ["consent", "done_by", "done_at", "note"]
    list_select_related = ["consent", "done_by"]

    def get_actions(self, request):
        return {}
