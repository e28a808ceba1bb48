"""Response-time configuration in the admin: policies and business-hours
calendars. Escalations, alerts and ratings are records, shown read-only."""

from zoneinfo import available_timezones

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    AgentAlert,
    Calendar,
    Escalation,
    Holiday,
    OpeningHours,
    SatisfactionRating,
    SlaPolicy,
)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ["channel", "priority", "first_response_minutes", "next_response_minutes",
                    "resolution_minutes", "warning_percent", "breach_action"]
    list_editable = ["first_response_minutes", "next_response_minutes", "resolution_minutes",
                     "warning_percent", "breach_action"]
    list_filter = ["channel", "priority"]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 1


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


class CalendarForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("zona horaria"),
                                  choices=[(z, z) for z in sorted(available_timezones())])

    class Meta:
        model = Calendar
        fields = ["name", "time_zone", "departments"]


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin):
    form = CalendarForm
    list_display = ["name", "time_zone"]
    filter_horizontal = ["departments"]
    inlines = [OpeningHoursInline, HolidayInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "timer", "level", "due_at", "created_at", "action"]
    list_filter = ["level", "timer"]
    list_select_related = ["ticket"]
    search_fields = ["ticket__number"]
    raw_id_fields = ["ticket"]


@admin.register(AgentAlert)
class AgentAlertAdmin(ReadOnlyAdmin):
    list_display = ["user", "escalation", "created_at", "read_at"]
    list_select_related = ["user", "escalation__ticket"]
    raw_id_fields = ["user", "escalation"]


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(ReadOnlyAdmin):
    list_display = ["source", "score", "comment", "ticket", "agent", "department", "channel", "created_at"]
    list_filter = ["source", "score", "channel"]
    list_select_related = ["ticket", "agent", "department"]
    raw_id_fields = ["ticket", "agent"]
