"""What the chat tells open sockets, and the group names it tells it to.

Services call these inside their transaction; the events leave only once it
commits (a rolled-back message is never shown). With the in-memory layer
they reach the sockets of this process; with channels-redis, every process."""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def chat_group(chat_id: int) -> str:
    """Everyone in one chat: the customer's sockets and the agents who opened it."""
    return f"chat.{chat_id}"


def chat_notes_group(chat_id: int) -> str:
    """The agents who opened a chat, without its customer: internal notes
    are sent only here, so no customer socket ever receives one."""
    return f"chatnotes.{chat_id}"


def queue_group(department_id: int) -> str:
    """The customers waiting in a department (their position moves)."""
    return f"chatqueue.{department_id}"


def department_group(department_id: int) -> str:
    """The console sockets of a department's agents."""
    return f"chatdept.{department_id}"


def agent_group(user_id: int) -> str:
    """One agent's console sockets."""
    return f"chatagent.{user_id}"


SUPERVISORS_GROUP = "chatsupervisors"


def ticket_group(ticket_id: int) -> str:
    """The console pages open on one ticket (presence, new messages)."""
    return f"ticket.{ticket_id}"


def send_now(group: str, event: dict) -> None:
    """Best effort: a live update that cannot be sent (layer down) must not
    fail the write that caused it; pages catch up on their next reload."""
    layer = get_channel_layer()
    if layer is None:
        return
    if isinstance(layer, InMemoryChannelLayer) and not layer.groups.get(group):
        # Nobody listens in this process: skip async_to_sync's thread hop
        # (a sixth of a portal ticket's creation time when profiled).
        return
    try:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            async_to_sync(layer.group_send)(group, event)
        else:
            # Sync code called straight from a running loop (not through
            # sync_to_async): async_to_sync would refuse to block it.
            loop.create_task(layer.group_send(group, event))
    except Exception:
        logger.exception("Chat event for %s not sent", group)


def send_on_commit(group: str, event: dict) -> None:
    transaction.on_commit(lambda: send_now(group, event))


def message_added(message) -> None:
    group = chat_group if message.is_public else chat_notes_group
    send_on_commit(group(message.chat_id), {"type": "chat.message", "message": message_payload(message)})


def chat_changed(chat) -> None:
    """Status, agent or department changed: the chat's own sockets re-read
    their state; consoles re-read their queues."""
    send_on_commit(chat_group(chat.pk), {"type": "chat.changed", "chat": chat.pk})
    queue_changed(chat.department_id)
    if chat.agent_id:
        send_on_commit(agent_group(chat.agent_id), {"type": "console.changed"})


def queue_changed(department_id: int) -> None:
    send_on_commit(queue_group(department_id), {"type": "chat.changed"})
    send_on_commit(department_group(department_id), {"type": "console.changed"})
    send_on_commit(SUPERVISORS_GROUP, {"type": "console.changed"})


def message_payload(message) -> dict:
    author = message.author
    return {
        "chat": message.chat_id, "seq": message.seq, "kind": message.kind,
        "author": (author.get_short_name() if author else ""),
        "body": message.body, "at": message.created_at.isoformat(),
        "client_id": message.client_id,
    }


def ticket_message_saved(sender, instance, created, **kwargs) -> None:
    """post_save of tickets.Message: the console pages open on the ticket show
    it without a reload. A receiver, not a call in tickets.services, because
    the ticket app does not know about sockets; it only forwards."""
    if not created:
        return
    ticket = instance.ticket if type(instance).ticket.is_cached(instance) else None
    if ticket is not None and ticket.created_at == instance.created_at:
        return  # a ticket's first message: no page can be open on a ticket not yet committed
    author = instance.author
    send_on_commit(ticket_group(instance.ticket_id), {"type": "ticket.message", "message": {
        "id": instance.pk, "kind": instance.kind, "kind_label": str(instance.get_kind_display()),
        "author": author.get_full_name() if author else "", "body": instance.body,
        "at": instance.created_at.isoformat(),
    }})


def ticket_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    """post_save of tickets.Ticket: moved to another department, the pages
    open on it check again whether their agent may still see it (and
    close if not), without waiting for its next message."""
    if not created and update_fields and "department" in update_fields:
        send_on_commit(ticket_group(instance.pk), {"type": "ticket.access"})


def _agent_consoles_reread(user_ids) -> None:
    """Their consoles read the agent again (and close if they are no
    longer one) and leave the queues they no longer work."""
    for user_id in user_ids:
        send_on_commit(agent_group(user_id), {"type": "console.changed"})


def agent_profile_saved(sender, instance, **kwargs) -> None:
    """post_save of an AgentProfile (deactivated, made or unmade supervisor)."""
    _agent_consoles_reread([instance.user_id])


def user_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    """post_save of a User: deactivated (not the last_login of every login)."""
    if not created and (update_fields is None or "is_active" in update_fields):
        _agent_consoles_reread([instance.pk])


def agent_departments_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """m2m_changed of AgentProfile.departments, from either side."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        _agent_consoles_reread([instance.user_id])
    elif pk_set:
        from ventanilla.accounts.models import AgentProfile

        _agent_consoles_reread(AgentProfile.objects.filter(pk__in=pk_set)
                               .values_list("user_id", flat=True))
