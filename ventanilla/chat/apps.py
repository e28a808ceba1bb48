from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_save
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "ventanilla.chat"
    label = "chat"
    verbose_name = _("Chat en vivo")

    def ready(self):
        from ventanilla.accounts.models import AgentProfile, User
        from ventanilla.tickets.models import Message, Ticket

        from . import events

        # Console pages open on a ticket show its new messages live.
        post_save.connect(events.ticket_message_saved, sender=Message,
                          dispatch_uid="chat-ticket-message")
        # Open sockets check again what their agent may read when it changes
        # (they also check before delivering each event).
        post_save.connect(events.ticket_saved, sender=Ticket, dispatch_uid="chat-ticket-access")
        post_save.connect(events.agent_profile_saved, sender=AgentProfile,
                          dispatch_uid="chat-agent-profile")
        post_save.connect(events.user_saved, sender=User, dispatch_uid="chat-agent-user")
        m2m_changed.connect(events.agent_departments_changed,
                            sender=AgentProfile.departments.through,
                            dispatch_uid="chat-agent-departments")
