"""IMAP polling jobs: a dispatcher that runs every DISPATCH_EVERY_SECONDS
and enqueues one independent `mail_poll_mailbox` job per mailbox that is due,
so that a slow or broken mailbox never delays the others."""

import logging
from datetime import datetime, timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .imap import mailbox_poll
from .models import Mailbox

logger = logging.getLogger(__name__)

# Huey's periodic jobs run at most once a minute: the minute job dispatches
# now and schedules three more dispatches 15, 30 and 45 seconds later.
DISPATCH_EVERY_SECONDS = 15


def mailboxes_due_for_poll(now: datetime) -> list[Mailbox]:
    """Active IMAP mailboxes whose interval has elapsed and that no poll holds.
    Half a dispatch period of slack: a 60-second mailbox polled at the start
    of one minute is due at the start of the next, not one dispatch later."""
    slack = timedelta(seconds=DISPATCH_EVERY_SECONDS / 2)
    candidates = (Mailbox.objects.filter(is_active=True).exclude(imap_host="")
                  .exclude(poll_lease_until__gt=now))
    return [
        mailbox for mailbox in candidates
        if mailbox.last_polled_at is None
        or mailbox.last_polled_at + timedelta(seconds=mailbox.poll_every_seconds) <= now + slack
    ]


def mail_poll_dispatch_now() -> list[int]:
    """Enqueue a poll of every due mailbox; returns their ids."""
    due = [mailbox.pk for mailbox in mailboxes_due_for_poll(timezone.now())]
    for mailbox_id in due:
        mail_poll_mailbox(mailbox_id)
    return due


@db_periodic_task(crontab(minute="*"))
def mail_poll_tick() -> None:
    mail_poll_dispatch()
    for delay in range(DISPATCH_EVERY_SECONDS, 60, DISPATCH_EVERY_SECONDS):
        mail_poll_dispatch.schedule(delay=delay)


@db_task()
def mail_poll_dispatch() -> None:
    mail_poll_dispatch_now()


@db_task()
def mail_poll_mailbox(mailbox_id: int) -> None:
    mailbox = Mailbox.objects.filter(pk=mailbox_id, is_active=True).exclude(imap_host="").first()
    if mailbox is None:
        return  # deactivated or switched to pipe-only since it was enqueued
    result = mailbox_poll(mailbox)
    if result.fetched or result.error:
        logger.info("Mailbox %s: %s", mailbox.name, result)
