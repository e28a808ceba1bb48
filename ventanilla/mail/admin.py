from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import outbound
from .models import OutboundEmail

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
