"""Which targets and which calendar apply to a ticket (reads)."""

from dataclasses import dataclass

from ventanilla.core import config_cache
from ventanilla.tickets.models import Channel, Priority

from .calendar import BusinessCalendar
from .models import Calendar, SlaPolicy

# Used only when no policy exists at all for a channel, nor for the portal.
FALLBACK_MINUTES = {"first": 60, "next": None, "resolution": None}


@dataclass(frozen=True)
class Targets:
    """A policy's targets in seconds (None: no target)."""

    first_response: int
    next_response: int | None
    resolution: int | None
    warning_percent: int = 80
    breach_action: str = SlaPolicy.BreachAction.NOTIFY

    @classmethod
    def from_policy(cls, policy: SlaPolicy) -> "Targets":
        def seconds(minutes):
            return minutes * 60 if minutes else None

        return cls(
            first_response=policy.first_response_minutes * 60,
            next_response=seconds(policy.next_response_minutes),
            resolution=seconds(policy.resolution_minutes),
            warning_percent=policy.warning_percent,
            breach_action=policy.breach_action,
        )

    def for_timer(self, timer: str) -> int | None:
        from .models import Timer

        return {
            Timer.FIRST_RESPONSE: self.first_response,
            Timer.NEXT_RESPONSE: self.next_response,
            Timer.RESOLUTION: self.resolution,
        }[timer]


FALLBACK = Targets(first_response=FALLBACK_MINUTES["first"] * 60, next_response=None, resolution=None)


def policy_for(channel: str, priority: str, policies=None) -> SlaPolicy | None:
    """The policy of the channel and priority; a channel without policies
    (API, created by an agent) follows the portal's."""
    if policies is None:
        policies = config_cache.cached("sla-policies", lambda: list(SlaPolicy.objects.all()))
    by_key = {(p.channel, p.priority): p for p in policies}
    return (
        by_key.get((channel, priority))
        or by_key.get((Channel.PORTAL, priority))
        or by_key.get((channel, Priority.REGULAR))
        or by_key.get((Channel.PORTAL, Priority.REGULAR))
    )


def targets_for(channel: str, priority: str, policies=None) -> Targets:
    policy = policy_for(channel, priority, policies)
    return Targets.from_policy(policy) if policy else FALLBACK


def calendar_from_model(calendar: Calendar) -> BusinessCalendar:
    hours: dict[int, list] = {}
    for row in calendar.hours.all():
        hours.setdefault(row.weekday, []).append((row.opens, row.closes))
    return BusinessCalendar(
        time_zone=calendar.time_zone,
        hours={day: tuple(sorted(spans)) for day, spans in hours.items()},
        holidays=frozenset(h.date for h in calendar.holidays.all()),
    )


def calendar_for(department_id: int) -> BusinessCalendar | None:
    """The department's business hours; None when it works 24/7."""
    return config_cache.cached(f"sla-calendar:{department_id}",
                               lambda: _read_calendar(department_id))


def _read_calendar(department_id: int) -> BusinessCalendar | None:
    calendar = (
        Calendar.objects.filter(departments=department_id)
        .prefetch_related("hours", "holidays").order_by("pk").first()
    )
    if calendar is None or not calendar.hours.all():
        return None
    return calendar_from_model(calendar)
