"""The one place that decides who may read a chat. Anyone else gets
ChatNotFound (404 in views, close code 4404 on sockets), never a hint that
the chat exists."""

from django.http import Http404

from ventanilla.accounts.models import User
from ventanilla.tickets.access import (
    agent_may_see_department,
    is_console_user,
    sees_all_departments,
    tickets_for_agent,
)

from .models import Chat

SESSION_KEY = "chat_tokens"


class ChatNotFound(Http404):
    pass


def remember_visitor_chat(session, chat: Chat) -> None:
    tokens = [t for t in session.get(SESSION_KEY, []) if t != str(chat.token)][-9:]
    session[SESSION_KEY] = [*tokens, str(chat.token)]


def chat_for_customer(user, session, token) -> Chat:
    """A customer's own chat: started by this logged-in user, or by a
    visitor whose session started it."""
    chat = Chat.objects.select_related("department", "agent").filter(token=token).first()
    if chat is None:
        raise ChatNotFound
    if chat.user_id is not None:
        if not (user.is_authenticated and user.pk == chat.user_id):
            raise ChatNotFound
    elif str(chat.token) not in (session.get(SESSION_KEY, []) if session is not None else []):
        raise ChatNotFound
    return chat


def agent_may_read(user, chat: Chat) -> bool:
    if not is_console_user(user):
        return False
    if sees_all_departments(user):
        return True
    if chat.agent_id == user.pk:
        return True
    # A chat nobody has yet: the department's agents may take it.
    return (chat.status == Chat.Status.WAITING
            and agent_may_see_department(user, chat.department_id))


def chat_for_agent(user, chat_id) -> Chat:
    try:
        chat = Chat.objects.select_related("department", "agent", "customer").get(pk=int(chat_id))
    except (Chat.DoesNotExist, TypeError, ValueError):
        raise ChatNotFound from None
    if not agent_may_read(user, chat):
        raise ChatNotFound
    return chat


# A socket outlives changes to what its agent may read (a transfer, a ticket
# moved to another department, the agent removed from one or deactivated):
# the consoles' sockets ask these, with everyone read again, before they
# deliver each event.

def console_user(user_id: int) -> User | None:
    """The user read again, or None once they are no longer an active
    console user (a session of an inactive user is anonymous on pages)."""
    user = User.objects.select_related("agent").filter(pk=user_id, is_active=True).first()
    return user if user is not None and is_console_user(user) else None


def agent_may_still_read(user_id: int, chat_id: int) -> bool:
    """agent_may_read, with the agent and the chat as they are now."""
    user = console_user(user_id)
    if user is None:
        return False
    chat = Chat.objects.filter(pk=chat_id).only("agent_id", "status", "department_id").first()
    return chat is not None and agent_may_read(user, chat)


def agent_may_still_see_ticket(user_id: int, ticket_id: int) -> bool:
    """tickets_for_agent, with the agent and the ticket as they are now."""
    user = console_user(user_id)
    return user is not None and tickets_for_agent(user).filter(pk=ticket_id).exists()
