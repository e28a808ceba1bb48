from huey.contrib.djhuey import db_task

from . import services


@db_task()
def email_notifications(notification_ids: list[int]) -> None:
    """Off the request: a notice about an incident may reach thousands."""
    services.email_notifications(notification_ids)
