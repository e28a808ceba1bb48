"""The timers on a ticket: how each event moves its due times.

No database here: each function takes the ticket (in memory), the targets
and the calendar that apply, changes the ticket's SLA fields and returns
their names for save(update_fields=...). ventanilla.sla.services looks the
targets and calendar up and is what the ticket services call.

- First response: runs from creation until the first public agent reply
  (internal notes do not count).
- Next response: runs from a customer's message that follows an agent's
  reply until the next public agent reply.
- Resolution (optional): runs from creation until Resuelto.
- Every clock stops while the ticket is not Abierto (Pendiente waits for the
  customer) and resumes, with the time it had left, when it opens again.
"""

from dataclasses import dataclass
from datetime import datetime

from ventanilla.tickets.models import NO_DUE, Status, Ticket

from .calendar import BusinessCalendar, add_business_time, business_seconds
from .models import Timer
from .policies import Targets

SLA_FIELDS = [
    "first_response_due_at", "first_response_at", "next_response_since", "next_response_due_at",
    "resolution_due_at", "resolved_at", "sla_paused_at", "due_at", "due_warning_at", "sla_check_at",
]


@dataclass(frozen=True)
class RunningTimer:
    timer: str
    started_at: datetime
    due_at: datetime
    warning_at: datetime


def initial_dues(*, created_at: datetime, targets: Targets,
                 calendar: BusinessCalendar | None) -> dict:
    """The SLA fields of a new ticket (status Abierto)."""
    fields = {
        "first_response_due_at": add_business_time(created_at, targets.first_response, calendar),
        "resolution_due_at": (add_business_time(created_at, targets.resolution, calendar)
                              if targets.resolution else None),
    }
    probe = Ticket(status=Status.OPEN, created_at=created_at, **fields)
    refresh(probe, targets, calendar)
    return {**fields, **{name: getattr(probe, name) for name in
                         ("due_at", "due_warning_at", "sla_check_at")}}


def _resume(ticket: Ticket, now: datetime, calendar) -> None:
    """Give each paused due time the open time it had left at the pause."""
    paused_at = ticket.sla_paused_at
    for name in ("first_response_due_at", "next_response_due_at", "resolution_due_at"):
        due = getattr(ticket, name)
        if due is None or due <= paused_at:
            continue  # not running, or already breached when it paused
        if name == "first_response_due_at" and ticket.first_response_at is not None:
            continue  # met: kept as it was for the reports
        left = business_seconds(paused_at, due, calendar)
        setattr(ticket, name, add_business_time(now, left, calendar))
    ticket.sla_paused_at = None


def sync_pause(ticket: Ticket, now: datetime, calendar) -> None:
    """Stop the clocks unless the ticket is Abierto; resume them when it is."""
    if ticket.status == Status.OPEN:
        if ticket.sla_paused_at is not None:
            _resume(ticket, now, calendar)
        ticket.resolved_at = None  # reopened: the resolution clock runs again
    elif ticket.sla_paused_at is None:
        ticket.sla_paused_at = now
    if ticket.status == Status.RESOLVED and ticket.status_changed_at == now:
        ticket.resolved_at = now


def customer_message(ticket: Ticket, now: datetime, targets: Targets, calendar) -> list[str]:
    """After the customer wrote (the status may have changed to Abierto)."""
    sync_pause(ticket, now, calendar)
    waiting_for_reply = ticket.first_response_at is not None and ticket.next_response_due_at is None
    if ticket.status == Status.OPEN and waiting_for_reply and targets.next_response:
        ticket.next_response_since = now
        ticket.next_response_due_at = add_business_time(now, targets.next_response, calendar)
    refresh(ticket, targets, calendar)
    return SLA_FIELDS


def agent_message(ticket: Ticket, now: datetime, targets: Targets, calendar, *,
                  public: bool) -> list[str]:
    """After an agent's reply or internal note (and its status change)."""
    if public:
        if ticket.first_response_at is None:
            ticket.first_response_at = now
        ticket.next_response_since = None
        ticket.next_response_due_at = None
    sync_pause(ticket, now, calendar)
    refresh(ticket, targets, calendar)
    return SLA_FIELDS


def status_changed(ticket: Ticket, now: datetime, targets: Targets, calendar) -> list[str]:
    sync_pause(ticket, now, calendar)
    refresh(ticket, targets, calendar)
    return SLA_FIELDS


def retarget(ticket: Ticket, old: Targets, new: Targets, calendar) -> list[str]:
    """The priority, channel or department changed: move each running due
    time by the difference between the old and the new target."""
    for name, old_target, new_target in (
        ("first_response_due_at", old.first_response, new.first_response),
        ("next_response_due_at", old.next_response, new.next_response),
        ("resolution_due_at", old.resolution, new.resolution),
    ):
        due = getattr(ticket, name)
        if name == "first_response_due_at" and ticket.first_response_at is not None:
            continue
        if name == "resolution_due_at" and ticket.resolved_at is not None:
            continue
        if due is None:
            if new_target and name == "resolution_due_at":
                due = add_business_time(ticket.created_at, new_target, calendar)
                setattr(ticket, name, due)
            continue
        if not new_target:
            setattr(ticket, name, None)
            if name == "next_response_due_at":
                ticket.next_response_since = None
            continue
        setattr(ticket, name, add_business_time(due, new_target - (old_target or 0), calendar))
    refresh(ticket, new, calendar)
    return SLA_FIELDS


def running_timers(ticket: Ticket, targets: Targets, calendar) -> list[RunningTimer]:
    """The timers whose clock runs now, each with its warning moment."""
    if ticket.status != Status.OPEN or ticket.sla_paused_at is not None:
        return []
    candidates = []
    if ticket.first_response_at is None and ticket.first_response_due_at:
        candidates.append((Timer.FIRST_RESPONSE, ticket.created_at, ticket.first_response_due_at))
    if ticket.next_response_due_at and ticket.next_response_since:
        candidates.append((Timer.NEXT_RESPONSE, ticket.next_response_since,
                           ticket.next_response_due_at))
    if ticket.resolution_due_at and ticket.resolved_at is None:
        candidates.append((Timer.RESOLUTION, ticket.created_at, ticket.resolution_due_at))
    timers = []
    for timer, started_at, due_at in candidates:
        target = targets.for_timer(timer) or 0
        margin = target * (100 - targets.warning_percent) / 100
        warning_at = add_business_time(due_at, -margin, calendar)
        timers.append(RunningTimer(timer, started_at, due_at, warning_at))
    return sorted(timers, key=lambda t: t.due_at)


def refresh(ticket: Ticket, targets: Targets, calendar, *, after: datetime | None = None) -> None:
    """Derive the queue's due time, its warning moment and the sweep's next
    check from the running timers. With `after`, only moments later than it
    count for the next check (the sweep has handled the earlier ones)."""
    timers = running_timers(ticket, targets, calendar)
    if not timers:
        ticket.due_at, ticket.due_warning_at, ticket.sla_check_at = NO_DUE, None, None
        return
    ticket.due_at = timers[0].due_at
    ticket.due_warning_at = timers[0].warning_at
    moments = [m for t in timers for m in (t.warning_at, t.due_at) if after is None or m > after]
    ticket.sla_check_at = min(moments) if moments else None


def badge(ticket: Ticket, now: datetime) -> str:
    """"en_plazo", "por_vencer", "vencido", "en_pausa" or "" (no target)."""
    if ticket.status != Status.OPEN:
        return "en_pausa" if ticket.status == Status.PENDING and ticket.sla_paused_at else ""
    if ticket.due_at == NO_DUE:
        return ""
    if ticket.due_at <= now:
        return "vencido"
    if ticket.due_warning_at and ticket.due_warning_at <= now:
        return "por_vencer"
    return "en_plazo"
