from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import ingest, outbound
from .backends import ACCOUNT_KIND_PREFIX
from .models import InboundMessage, Mailbox, OutboundEmail

# --- Mailboxes -----------------------------------------------------------------


class MailboxForm(forms.ModelForm):
    # Never sent back to the browser; empty on save keeps the stored one.
    imap_password = forms.CharField(
        label=_("contraseña IMAP"), required=False, strip=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Déjala vacía para conservar la contraseña guardada."),
    )

    class Meta:
        model = Mailbox
        fields = ["name", "address", "department", "is_active", "imap_host", "imap_port",
                  "imap_security", "imap_username", "imap_password", "imap_folder",
                  "processed_folder", "poll_every_seconds"]

    def clean_imap_password(self):
        password = self.cleaned_data.get("imap_password")
        if not password and self.instance.pk:
            return self.instance.imap_password
        return password


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = ["name", "address", "department", "is_active", "imap_host", "poll_every_seconds",
                    "last_polled_at", "has_error"]
    list_filter = ["is_active", "department"]
    search_fields = ["name", "address"]
    list_select_related = ["department"]
    readonly_fields = ["last_polled_at", "last_error"]

    @admin.display(boolean=True, description=_("con error"))
    def has_error(self, mailbox):
        return bool(mailbox.last_error)


# --- Inbound email: every message received, its outcome and quarantine -------------


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """Read-only: what arrived and what became of it. The original .eml is
    downloaded through an access-checked view, never a public URL, and a
    quarantined message can be run through ingest again ("Reprocesar").
    Redeliveries of an email are counted on its row; other emails that
    reused its Message-ID are rows of their own, linked from it."""

    list_display = ["received_at", "mailbox", "sender", "subject", "status", "reason",
                    "sender_verified", "ticket", "deliveries"]
    list_filter = ["status", "mailbox", "sender_verified"]
    search_fields = ["sender", "subject", "message_id"]
    date_hierarchy = "received_at"
    list_select_related = ["mailbox", "ticket"]
    actions = ["reprocess"]
    fields = ["received_at", "mailbox", "status", "reason", "error", "sender", "sender_verified",
              "subject", "message_id", "same_message_id", "dedup_key", "deliveries",
              "last_delivered_at", "size", "ticket", "unacknowledged", "cc_not_added_list",
              "original"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_reprocess_permission(self, request):
        return request.user.has_perm("mail.change_inboundmessage")

    @admin.display(description=_("otros correos con este Message-ID"))
    def same_message_id(self, inbound):
        others = (InboundMessage.objects.filter(message_id=inbound.message_id)
                  .exclude(pk=inbound.pk).order_by("received_at")[:20] if inbound.message_id else [])
        links = [format_html('<a href="{}">#{} {} ({})</a>',
                             reverse("admin:mail_inboundmessage_change", args=[other.pk]),
                             other.pk, other.subject, other.get_status_display())
                 for other in others]
        return format_html_join(", ", "{}", ((link,) for link in links)) if links else "—"

    @admin.display(description=_("en copia, no añadidos como participantes"))
    def cc_not_added_list(self, inbound):
        if not inbound.cc_not_added:
            return "—"
        return f"{', '.join(inbound.cc_not_added)} ({inbound.get_cc_not_added_reason_display()})"

    @admin.display(description=_("original (.eml)"))
    def original(self, inbound):
        url = reverse("admin:mail_inboundmessage_eml", args=[inbound.pk])
        return format_html('<a href="{}">{}</a>', url, _("Descargar el mensaje original"))

    def get_urls(self):
        return [
            path("<int:pk>/eml/", self.admin_site.admin_view(self.download_eml),
                 name="mail_inboundmessage_eml"),
            *super().get_urls(),
        ]

    def download_eml(self, request, pk):
        inbound = InboundMessage.objects.filter(pk=pk).first()
        if inbound is None or not inbound.raw:
            raise Http404
        if not self.has_view_permission(request, inbound):
            raise PermissionDenied
        return FileResponse(inbound.raw.open("rb"), as_attachment=True,
                            filename=f"correo-{inbound.pk}.eml", content_type="message/rfc822")

    @admin.action(description=_("Reprocesar (solo los que están en cuarentena)"),
                  permissions=["reprocess"])
    def reprocess(self, request, queryset):
        done = kept = 0
        for inbound in queryset.filter(status=InboundMessage.Status.QUARANTINED).select_related("mailbox"):
            result = ingest.reprocess(inbound)
            if result.inbound is not None and result.inbound.status != InboundMessage.Status.QUARANTINED:
                done += 1
            else:
                kept += 1
        if done:
            self.message_user(request, ngettext(
                "Se procesó %(count)d mensaje.", "Se procesaron %(count)d mensajes.", done,
            ) % {"count": done}, messages.SUCCESS)
        if kept:
            self.message_user(request, ngettext(
                "%(count)d mensaje sigue en cuarentena; revisa el error.",
                "%(count)d mensajes siguen en cuarentena; revisa el error.", kept,
            ) % {"count": kept}, messages.WARNING)
        if not done and not kept:
            self.message_user(request, _("Ninguno de los seleccionados estaba en cuarentena."),
                              messages.WARNING)


# --- Outbound email log ------------------------------------------------------


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """Every notification sent or still trying; failed ones can be re-queued.
    Read-only: the row is what was (or will be) sent."""

    list_display = ["created_at", "kind", "ticket", "to", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject", "message_id", "ticket__number"]
    date_hierarchy = "created_at"
    list_select_related = ["ticket"]
    actions = ["retry_sending"]
    fields = ["kind", "ticket", "status", "attempts", "next_attempt_at", "last_error", "created_at",
              "sent_at", "from_email", "to", "subject", "message_id", "headers", "text_body",
              "html_body"]
    readonly_fields = fields

    def get_fields(self, request, obj=None):
        # An account email's text is a way in (a password reset link, a
        # login code): whoever may read this log must not be able to use it.
        if obj is not None and obj.kind.startswith(ACCOUNT_KIND_PREFIX):
            return [field for field in self.fields if field not in {"text_body", "html_body"}]
        return self.fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        # The form is read-only, but re-queuing is a change.
        return request.user.has_perm("mail.change_outboundemail")

    @admin.action(description=_("Reintentar envío"), permissions=["retry"])
    def retry_sending(self, request, queryset):
        count = outbound.outbound_requeue(queryset)
        if count:
            self.message_user(request, ngettext(
                "Se volvió a poner en cola %(count)d correo fallido.",
                "Se volvieron a poner en cola %(count)d correos fallidos.", count,
            ) % {"count": count}, messages.SUCCESS)
        else:
            self.message_user(request, _("Solo se reintentan los correos fallidos; no había ninguno "
                                         "entre los seleccionados."), messages.WARNING)
