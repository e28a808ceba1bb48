from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import notifications


@db_task()
def send_ticket_email(kind: str, ticket_id: int | None, message_id: int | None = None) -> None:
    """Jobs queued before the upgrade to ventanilla.mail.outbound still run:
    they become a logged notification like any new one."""
    if message_id is not None:
        notifications.agent_replied(message_id)
    else:
        getattr(notifications, f"ticket_{kind}")(ticket_id)


@db_periodic_task(crontab(minute=f"*/{settings.VENTANILLA['AUTO_CLOSE_EVERY_MINUTES']}"))
def auto_close_sweep() -> None:
    from .services import tickets_auto_close

    tickets_auto_close()


@db_periodic_task(crontab(minute="41"))
def submissions_sweep() -> None:
    """Partial uploads of killed requests and month-old form tokens."""
    from .submissions import sweep

    sweep()
