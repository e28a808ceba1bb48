"""Jobs that send notification emails.

Backoff: Huey's own `retries`/`retry_delay` retry after a fixed delay, and
the count lives in the queued job, which a lost job takes with it. Here the
count lives in the OutboundEmail row instead: each job makes one attempt
(outbound_deliver), and when it failed but attempts remain it raises
RetryTask with a delay of base·2^(attempt-1), which makes Huey schedule the
same job again (RetryTask does not consume Huey retries; the row's attempts
bound it). After the last attempt the row is fallido and no job remains.
The sweep re-queues pendiente rows whose job vanished.

Ticket notifications are built from outbox rows (outbound.outbox_build), one
job per row, retried the same way; the sweep builds again the rows that a
dead worker or a lost job left pending."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task
from huey.exceptions import RetryTask

from . import outbound


@db_task(retries=3, retry_delay=30)
def build_notification(outbox_id: int) -> None:
    """Build the emails of one outbox row (outbound.notification_record).
    Huey's own retries cover a claim the database refused (locked,
    unreachable); past them, the sweep builds the row."""
    build = outbound.outbox_build(outbox_id)
    if build.retry_in is not None:
        raise RetryTask(delay=build.retry_in)


# Jobs queued before the outbox (an upgrade with a non-empty queue) still run.
@db_task()
def build_ticket_notification(kind: str, ticket_id: int | None,
                              message_id: int | None = None, actor_id: int | None = None) -> None:
    """Render and log a ticket notification off the request: rendering two
    templates per email cost the page that caused it (see docs/performance.md).
    A new ticket's job also writes the agents' emails (one job per ticket)."""
    outbound.ticket_notification_queue(kind, ticket_id=ticket_id, message_id=message_id)
    if kind == "created":
        outbound.agent_notification_queue("agent_new_ticket", ticket_id=ticket_id,
                                          actor_id=actor_id)


@db_task()
def build_agent_notification(kind: str, ticket_id: int | None, message_id: int | None = None,
                             actor_id: int | None = None) -> None:
    """The agents' emails about a new ticket or a customer's reply."""
    outbound.agent_notification_queue(kind, ticket_id=ticket_id, message_id=message_id,
                                      actor_id=actor_id)


@db_task()
def send_outbound_email(outbound_id: int) -> None:
    delivery = outbound.outbound_deliver(outbound_id)
    if delivery.retry_in is not None:
        raise RetryTask(delay=delivery.retry_in)


@db_periodic_task(crontab(minute="*/5"))
def outbound_sweep() -> None:
    for outbox_id in outbound.outbox_lost():
        outbound.outbox_enqueue(outbox_id)
    for outbound_id in outbound.outbounds_lost():
        outbound.enqueue(outbound_id)
    outbound.outbox_prune()
