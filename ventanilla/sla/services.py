"""Writes of the sla app.

The ticket services call one `timers_on_*` function per event, inside their
transaction, and save the field names it returns. The periodic sweep
(sla_sweep) turns crossed thresholds into escalations, exactly once each."""

import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ventanilla.accounts.models import User
from ventanilla.integrations.events import emit
from ventanilla.tickets.models import Priority, Ticket

from . import timers
from .models import AgentAlert, Escalation, SatisfactionRating, SlaPolicy
from .policies import calendar_for, targets_for

logger = logging.getLogger(__name__)


# --- Timers: one call per ticket event ------------------------------------

def timers_for_new_ticket(*, department_id: int, channel: str, priority: str,
                          created_at: datetime) -> dict:
    """The SLA fields a new ticket is created with."""
    return timers.initial_dues(created_at=created_at, targets=targets_for(channel, priority),
                               calendar=calendar_for(department_id))


def timers_on_customer_message(ticket: Ticket, *, now: datetime) -> list[str]:
    return timers.customer_message(ticket, now, targets_for(ticket.channel, ticket.priority),
                                   calendar_for(ticket.department_id))


def timers_on_agent_message(ticket: Ticket, *, public: bool, now: datetime) -> list[str]:
    return timers.agent_message(ticket, now, targets_for(ticket.channel, ticket.priority),
                                calendar_for(ticket.department_id), public=public)


def timers_on_status(ticket: Ticket, *, now: datetime) -> list[str]:
    return timers.status_changed(ticket, now, targets_for(ticket.channel, ticket.priority),
                                 calendar_for(ticket.department_id))


def timers_on_retarget(ticket: Ticket, *, old_priority: str, old_channel: str | None = None
                       ) -> list[str]:
    """After a change of priority or department (the targets or the calendar)."""
    old = targets_for(old_channel or ticket.channel, old_priority)
    new = targets_for(ticket.channel, ticket.priority)
    return timers.retarget(ticket, old, new, calendar_for(ticket.department_id))


@transaction.atomic
def ticket_timers_rebuild(ticket: Ticket, *, now: datetime | None = None,
                          escalate_past: bool = False) -> Ticket:
    """Recompute a ticket's timers by replaying its history (messages and
    status changes) through the same functions the events use: for tickets
    from before the timers existed, or moved in time (the demo). Moments
    already past count as swept unless `escalate_past`."""
    from ventanilla.tickets.models import Message, Status, TicketEvent

    now = now or timezone.now()
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    final_status = ticket.status
    targets = targets_for(ticket.channel, ticket.priority)
    calendar = calendar_for(ticket.department_id)
    for name in timers.SLA_FIELDS:
        setattr(ticket, name, None)
    ticket.status = Status.OPEN
    for name, value in timers.initial_dues(created_at=ticket.created_at, targets=targets,
                                           calendar=calendar).items():
        setattr(ticket, name, value)
    moments: dict = {}
    for at, kind in ticket.messages.filter(created_at__gt=ticket.created_at).values_list(
            "created_at", "kind"):
        moments.setdefault(at, {"status": None, "messages": []})["messages"].append(kind)
    for at, to in ticket.events.filter(kind=TicketEvent.Kind.STATUS).order_by(
            "created_at", "id").values_list("created_at", "to_value"):
        moments.setdefault(at, {"status": None, "messages": []})["status"] = to
    for at in sorted(moments):
        step = moments[at]
        if step["status"]:
            ticket.status = step["status"]
            ticket.status_changed_at = at
        kinds = step["messages"]
        if Message.Kind.CUSTOMER in kinds:
            timers.customer_message(ticket, at, targets, calendar)
        elif Message.Kind.REPLY in kinds or Message.Kind.NOTE in kinds:
            timers.agent_message(ticket, at, targets, calendar,
                                 public=Message.Kind.REPLY in kinds)
        else:
            timers.status_changed(ticket, at, targets, calendar)
    ticket.status = final_status
    timers.refresh(ticket, targets, calendar, after=None if escalate_past else now)
    ticket.save(update_fields=timers.SLA_FIELDS)
    return ticket


# --- The sweep --------------------------------------------------------------

def sla_sweep(*, now: datetime | None = None, batch: int = 1000) -> int:
    """Look at the tickets whose next warning or breach has come (an indexed
    range on Ticket.sla_check_at: the other tickets are never read) and
    escalate. Returns how many escalations were recorded."""
    now = now or timezone.now()
    due = list(
        Ticket.objects.filter(sla_check_at__lte=now).order_by("sla_check_at")
        .values_list("pk", flat=True)[:batch]
    )
    if not due:
        return 0
    policies = list(SlaPolicy.objects.all())
    calendars: dict[int, object] = {}
    recorded = 0
    for pk in due:
        recorded += _check_one(pk, now, policies, calendars)
    return recorded


@transaction.atomic
def _check_one(pk: int, now: datetime, policies, calendars) -> int:
    ticket = (Ticket.objects.select_for_update(of=("self",)).select_related("department")
              .filter(pk=pk, sla_check_at__lte=now).first())
    if ticket is None:
        return 0  # another sweep got there first, or an event moved it
    if ticket.department_id not in calendars:
        calendars[ticket.department_id] = calendar_for(ticket.department_id)
    calendar = calendars[ticket.department_id]
    targets = targets_for(ticket.channel, ticket.priority, policies)
    breaches = []
    recorded = 0
    for running in timers.running_timers(ticket, targets, calendar):
        if running.due_at <= now:
            # Late sweep: the warning is recorded but not sent, the breach says it all.
            recorded += _escalate(ticket, running, Escalation.Level.WARNING, now, notify=False)
            if _escalate(ticket, running, Escalation.Level.BREACH, now, notify=True):
                recorded += 1
                breaches.append(running)
        elif running.warning_at <= now:
            recorded += _escalate(ticket, running, Escalation.Level.WARNING, now, notify=True)
    timers.refresh(ticket, targets, calendar, after=now)
    ticket.save(update_fields=["due_at", "due_warning_at", "sla_check_at"])
    if breaches:
        _breach_action(ticket, targets.breach_action)
    return recorded


def _escalate(ticket: Ticket, running: timers.RunningTimer, level: str, now: datetime, *,
              notify: bool) -> bool:
    """Record the escalation once (the unique constraint decides); notify the
    assignee and the department's supervisors when it is new."""
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                ticket=ticket, timer=running.timer, level=level, started_at=running.started_at,
                due_at=running.due_at, created_at=now,
            )
    except IntegrityError:
        return False
    if notify:
        recipients = escalation_recipients(ticket)
        AgentAlert.objects.bulk_create(
            AgentAlert(user=user, escalation=escalation, created_at=now) for user in recipients
        )
        for user in recipients:
            _email_alert(user, escalation)
        emit(WEBHOOK_EVENTS[level], escalation_payload(escalation))
    return True


WEBHOOK_EVENTS = {Escalation.Level.WARNING: "sla.warning", Escalation.Level.BREACH: "sla.breached"}


def escalation_payload(escalation: Escalation) -> dict:
    return {"ticket": escalation.ticket.number, "target": escalation.timer,
            "due_at": escalation.due_at, "created_at": escalation.created_at}


def escalation_recipients(ticket: Ticket) -> list[User]:
    """The assignee and the supervisors of the ticket's department (a
    supervisor with no departments listed supervises all of them)."""
    supervisors = (
        User.objects.filter(is_active=True, agent__is_active=True, agent__is_supervisor=True)
        .filter(Q(agent__departments=ticket.department_id) | Q(agent__departments__isnull=True))
        .distinct().order_by("pk")
    )
    people = list(supervisors)
    if ticket.assignee_id and ticket.assignee_id not in {u.pk for u in people}:
        assignee = User.objects.filter(pk=ticket.assignee_id, is_active=True).first()
        if assignee is not None:
            people.insert(0, assignee)
    return people


def _email_alert(user: User, escalation: Escalation) -> None:
    from ventanilla.core.models import SiteSettings
    from ventanilla.mail import outbound

    language = user.language if user.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    rendered = outbound.render("sla_alert", {
        "escalation": escalation, "ticket": escalation.ticket, "user": user,
        "site_url": settings.SITE_URL, "site": SiteSettings.load(),
    }, language=language)
    outbound.email_queue(kind=f"sla_{escalation.level}", to=[user.email], rendered=rendered,
                         headers={"Auto-Submitted": "auto-generated"})


def _breach_action(ticket: Ticket, action: str) -> None:
    from ventanilla.tickets import services as ticket_services

    if action == SlaPolicy.BreachAction.RAISE_PRIORITY and ticket.priority != Priority.HIGH:
        ticket_services.ticket_update_fields(ticket, agent=None, priority=Priority.HIGH)
    elif action == SlaPolicy.BreachAction.UNASSIGN and ticket.assignee_id:
        ticket_services.ticket_assign(ticket, actor=None, assignee=None)
    else:
        return
    Escalation.objects.filter(ticket=ticket, level=Escalation.Level.BREACH, action="").update(
        action=action)


# --- Agent alerts -----------------------------------------------------------

def alerts_mark_read(user, *, ids=None, now: datetime | None = None) -> int:
    qs = AgentAlert.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=now or timezone.now())


# --- Satisfaction -----------------------------------------------------------

SURVEY_COMMENT_MAX = 2000

def satisfaction_record(*, source: str, subject_key: str, score: int, ticket: Ticket | None = None,
                        agent=None, department=None, channel: str = "", priority: str = "",
                        comment: str = "", now: datetime | None = None) -> SatisfactionRating:
    """Record a 1–5 rating with an optional comment; rating the same thing
    again replaces both. The survey calls it with a ticket; a chat rating
    may pass only the agent, department and channel."""
    if not 1 <= int(score) <= 5:
        raise ValueError("score must be 1–5")
    if ticket is not None:
        agent = agent or ticket.assignee
        department = department or ticket.department
        channel = channel or ticket.channel
        priority = priority or ticket.priority
    rating, _created = SatisfactionRating.objects.update_or_create(
        source=source, subject_key=subject_key,
        defaults=dict(score=int(score), ticket=ticket, agent=agent, department=department,
                      channel=channel, priority=priority or Priority.REGULAR,
                      comment=comment.strip()[:SURVEY_COMMENT_MAX],
                      created_at=now or timezone.now()),
    )
    return rating
