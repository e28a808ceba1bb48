"""Scheduled maintenance starts on its own at its scheduled time (agents
still complete it: a window can overrun)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="*"))
def maintenance_start_due() -> None:
    services.maintenance_start_due()
