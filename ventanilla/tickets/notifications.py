"""Emails to customers about their tickets.

Services call these after commit. Each one builds the email and logs it as
an OutboundEmail (ventanilla.mail.outbound); a job sends it, retrying with
backoff, so a slow or broken mail server never slows a page or loses a
notification."""

from ventanilla.mail import outbound


def ticket_created(ticket_id: int) -> None:
    outbound.ticket_notification_queue("created", ticket_id=ticket_id)


def agent_replied(message_id: int) -> None:
    outbound.ticket_notification_queue("reply", ticket_id=None, message_id=message_id)


def ticket_resolved(ticket_id: int) -> None:
    outbound.ticket_notification_queue("resolved", ticket_id=ticket_id)


def ticket_closed(ticket_id: int) -> None:
    """Closed by the customer or an agent (not the auto-close)."""
    outbound.ticket_notification_queue("closed", ticket_id=ticket_id)


def ticket_close_warning(ticket_id: int) -> None:
    outbound.ticket_notification_queue("close_warning", ticket_id=ticket_id)


def ticket_auto_closed(ticket_id: int) -> None:
    outbound.ticket_notification_queue("auto_closed", ticket_id=ticket_id)
