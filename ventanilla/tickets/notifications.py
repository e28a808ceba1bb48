"""Emails to customers about their tickets.

Services call these after commit; each one only queues a job, so a slow mail
server never slows a page. The job renders and sends the email."""

from . import tasks


def ticket_created(ticket_id: int) -> None:
    tasks.send_ticket_email("created", ticket_id)


def agent_replied(message_id: int) -> None:
    tasks.send_ticket_email("reply", None, message_id=message_id)


def ticket_resolved(ticket_id: int) -> None:
    tasks.send_ticket_email("resolved", ticket_id)


def ticket_close_warning(ticket_id: int) -> None:
    tasks.send_ticket_email("close_warning", ticket_id)


def ticket_auto_closed(ticket_id: int) -> None:
    tasks.send_ticket_email("auto_closed", ticket_id)
