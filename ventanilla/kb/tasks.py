from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*/10"))
def link_selfservice_tickets() -> None:
    """Sessions followed by a ticket count as not deflected (the report
    also links them when it is opened)."""
    from .services import selfservice_link_tickets

    selfservice_link_tickets()
