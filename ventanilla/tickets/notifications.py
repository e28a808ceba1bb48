"""Emails to customers about their tickets, and to agents about new
tickets and customers' replies.

Services call these after commit. Each one queues a job that builds the
email and logs it as an OutboundEmail (ventanilla.mail.outbound); another
job sends it, retrying with backoff, so neither rendering nor a slow or
broken mail server slows a page, and no notification is lost."""

import logging

from ventanilla.mail import outbound

logger = logging.getLogger(__name__)


def _queue(kind: str, ticket_id: int | None, message_id: int | None = None,
           actor_id: int | None = None) -> None:
    from ventanilla.mail import tasks

    try:
        tasks.build_ticket_notification(kind, ticket_id, message_id, actor_id)
    except Exception:
        # The queue is unreachable: build the email here rather than lose it.
        logger.exception("Could not queue the %s notification; building it now", kind)
        outbound.ticket_notification_queue(kind, ticket_id=ticket_id, message_id=message_id)
        if kind == "created":
            outbound.agent_notification_queue("agent_new_ticket", ticket_id=ticket_id,
                                              actor_id=actor_id)


def ticket_created(ticket_id: int, actor_id: int | None = None) -> None:
    """The customer's acknowledgement and the agents' emails (one job)."""
    _queue("created", ticket_id, actor_id=actor_id)


def agent_replied(message_id: int) -> None:
    _queue("reply", None, message_id)


def ticket_resolved(ticket_id: int) -> None:
    _queue("resolved", ticket_id)


def ticket_closed(ticket_id: int) -> None:
    """Closed by the customer or an agent (not the auto-close)."""
    _queue("closed", ticket_id)


def ticket_close_warning(ticket_id: int) -> None:
    _queue("close_warning", ticket_id)


def ticket_auto_closed(ticket_id: int) -> None:
    _queue("auto_closed", ticket_id)


def agents_customer_replied(message_id: int) -> None:
    """The assignee's (or the department's) email about a customer's reply."""
    from ventanilla.mail import tasks

    try:
        tasks.build_agent_notification("agent_customer_reply", None, message_id)
    except Exception:
        logger.exception("Could not queue the agents' reply notification; building it now")
        outbound.agent_notification_queue("agent_customer_reply", message_id=message_id)
