from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .events import forget_listened_events
from .models import (
    SCOPE_CHOICES,
    WEBHOOK_EVENTS,
    ApiCall,
    ApiKey,
    Integration,
    WebhookDelivery,
    WebhookSubscription,
)
from .services import api_key_revoke
from .webhooks import webhook_send_test


@admin.register(Integration)
class IntegrationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "agent", "created_at"]
    prepopulated_fields = {"slug": ["name"]}
    fields = ["name", "slug", "is_active", "agent", "sso_secret"]
    autocomplete_fields = ["agent"]


class ApiKeyForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(label=_("permisos"), choices=SCOPE_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ["integration", "name", "scopes", "rate"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """The key's text is shown once, in the message after creating it; only
    its SHA-256 is stored."""

    form = ApiKeyForm
    list_display = ["name", "integration", "prefix", "scope_list", "rate", "created_at",
                    "last_used_at", "revoked_at"]
    list_filter = ["integration", ("revoked_at", admin.EmptyFieldListFilter)]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]

    @admin.display(description=_("permisos"))
    def scope_list(self, key):
        return ", ".join(key.scopes)

    def get_readonly_fields(self, request, obj=None):
        # A revoked key stays revoked: nothing to edit.
        if obj is not None and obj.revoked_at:
            return [*self.readonly_fields, "integration", "name", "scopes", "rate"]
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if not change:
            generated, raw = ApiKey.generate(integration=obj.integration, name=obj.name,
                                             scopes=obj.scopes, rate=obj.rate)
            obj.prefix, obj.key_hash = generated.prefix, generated.key_hash
            super().save_model(request, obj, form, change)
            messages.warning(request, format_html(
                "{} <code>{}</code>",
                _("Copia la clave ahora: no se volverá a mostrar."), raw))
            return
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Revocar las claves seleccionadas"))
    def revoke(self, request, queryset):
        keys = list(queryset.filter(revoked_at__isnull=True))
        for key in keys:
            api_key_revoke(key)
        self.message_user(request, ngettext("%(n)d clave revocada.", "%(n)d claves revocadas.",
                                           len(keys)) % {"n": len(keys)})


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin):
    list_display = ["created_at", "api_key", "method", "route", "status", "duration_ms"]
    list_filter = ["status", "method"]
    list_select_related = ["api_key"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(label=_("eventos"), choices=WEBHOOK_EVENTS,
                                       widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = WebhookSubscription
        fields = ["integration", "url", "events", "include_internal_notes", "secret", "is_active"]


class DeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    fields = ["created_at", "event", "status", "attempts", "response_code", "last_error"]
    readonly_fields = fields
    extra = 0
    max_num = 0
    ordering = ["-created_at", "-id"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).order_by("-created_at", "-id")


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    form = WebhookForm
    list_display = ["url", "integration", "event_list", "include_internal_notes", "is_active",
                    "consecutive_failures", "disabled_at"]
    list_filter = ["is_active", "integration"]
    readonly_fields = ["consecutive_failures", "disabled_at", "send_test_button"]
    actions = ["send_test"]

    def get_fields(self, request, obj=None):
        fields = ["integration", "url", "events", "include_internal_notes", "secret", "is_active"]
        return fields + (["consecutive_failures", "disabled_at", "send_test_button"] if obj else [])

    @admin.display(description=_("eventos"))
    def event_list(self, subscription):
        return ", ".join(subscription.events)

    @admin.display(description=_("prueba"))
    def send_test_button(self, subscription):
        url = reverse("admin:integrations_webhook_test", args=[subscription.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Enviar prueba"))

    def save_model(self, request, obj, form, change):
        if obj.is_active:
            # Re-enabled by hand: start counting failures afresh.
            obj.consecutive_failures = 0
            obj.disabled_at = None
        super().save_model(request, obj, form, change)
        forget_listened_events()

    def get_urls(self):
        return [
            path("<int:pk>/probar/", self.admin_site.admin_view(self.send_test_view),
                 name="integrations_webhook_test"),
            *super().get_urls(),
        ]

    def send_test_view(self, request, pk):
        if not self.has_change_permission(request):
            return redirect("admin:index")
        subscription = get_object_or_404(WebhookSubscription, pk=pk)
        webhook_send_test(subscription)
        messages.info(request, _("Prueba enviada: mira su resultado en los envíos de abajo."))
        return redirect("admin:integrations_webhooksubscription_change", pk)

    @admin.action(description=_("Enviar una prueba"))
    def send_test(self, request, queryset):
        for subscription in queryset:
            webhook_send_test(subscription)
        self.message_user(request, _("Pruebas enviadas."))

    inlines = [DeliveryInline]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "subscription", "event", "status", "attempts", "response_code"]
    list_filter = ["status", "event"]
    list_select_related = ["subscription"]
    readonly_fields = ["subscription", "event", "body", "status", "attempts", "response_code",
                       "last_error", "created_at", "next_attempt_at", "delivered_at"]

    def has_add_permission(self, request):
        return False
