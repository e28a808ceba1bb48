"""The chat in the Django admin: each department's scope and wait limit,
agents' availability, and chats read-only (every change to a chat goes
through chat.services, which tells the open sockets)."""

from django.contrib import admin

from .models import AgentAvailability, Chat, ChatDepartment, ChatMessage


@admin.register(ChatDepartment)
class ChatDepartmentAdmin(admin.ModelAdmin):
    list_display = ["department", "is_enabled", "max_wait_minutes"]
    list_editable = ["is_enabled", "max_wait_minutes"]
    fields = ["department", "is_enabled", "max_wait_minutes", "covers", "excludes"]


@admin.register(AgentAvailability)
class AgentAvailabilityAdmin(admin.ModelAdmin):
    list_display = ["user", "status", "max_chats", "changed_at"]
    list_filter = ["status"]
    list_select_related = ["user"]


class ChatMessageInline(admin.TabularInline):
    model = ChatMessage
    fields = ["seq", "kind", "author", "body", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Chat)
class ChatAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "department", "status", "agent", "created_at", "rating", "ticket"]
    list_filter = ["status", "department", "rating"]
    list_select_related = ["department", "agent", "ticket"]
    search_fields = ["name", "email"]
    readonly_fields = ["token", "department", "status", "user", "customer", "name", "email",
                       "visitor_reason", "agent", "created_at", "accepted_at", "closed_at",
                       "rating", "rating_comment", "transcript_sent_at", "ticket"]
    exclude = ["last_seq"]
    inlines = [ChatMessageInline]

    def has_add_permission(self, request):
        return False
