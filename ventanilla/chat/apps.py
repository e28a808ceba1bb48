from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "ventanilla.chat"
    label = "chat"
    verbose_name = _("Chat en vivo")

    def ready(self):
        from ventanilla.tickets.models import Message

        from .events import ticket_message_saved

        # Console pages open on a ticket show its new messages live.
        post_save.connect(ticket_message_saved, sender=Message, dispatch_uid="chat-ticket-message")
