from huey import crontab
from huey.contrib.djhuey import db_periodic_task


@db_periodic_task(crontab(minute="*"))
def sla_sweep_tick() -> None:
    """Every minute: warn and escalate the tickets whose moment has come
    (chat's first response is one minute; an indexed read when none has)."""
    from .services import sla_sweep

    sla_sweep()
