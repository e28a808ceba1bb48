"""Reads for the status page, the client area and the console."""

from datetime import timedelta

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from ventanilla.accounts.models import Customer, Service

from . import state
from .models import Component, ComponentService, Incident, IncidentTicket, IncidentUpdate

HISTORY_DAYS = 90
# Scheduled maintenance shows in the client-area banner this long before it starts.
UPCOMING = timedelta(days=7)


def affected_customers(incident: Incident):
    """The customers with a live service on any of the incident's components."""
    return Customer.objects.filter(
        Exists(ComponentService.objects.filter(
            service__customer=OuterRef("pk"), component__incidents=incident,
        ).exclude(service__status=Service.Status.CANCELLED))
    )


def affected_customer_ids(incident: Incident) -> list[int]:
    return list(affected_customers(incident).values_list("pk", flat=True))


def _affects_user(user):
    return Exists(ComponentService.objects.filter(
        component__incidents=OuterRef("pk"), service__customer__user=user,
    ).exclude(service__status=Service.Status.CANCELLED))


def _shown_in_client_area(now):
    return Q(status__in=state.ACTIVE_STATUSES) | Q(
        status=Incident.Status.SCHEDULED, scheduled_start__lte=now + UPCOMING)


def portal_incidents(request, ticket=None) -> list[Incident]:
    """One query for a client-area page: the incidents and upcoming
    maintenance affecting the user's services (`affects_me`) and, on a
    ticket page, those linked to the ticket (`linked_here`). Kept on the
    request: the banner and the ticket sidebar share it."""
    key = f"_status_portal_{ticket.pk if ticket else 0}"
    if hasattr(request, key):
        return getattr(request, key)
    user = request.user
    if not user.is_authenticated:
        return []
    now = timezone.now()
    qs = Incident.objects.annotate(affects_me=_affects_user(user))
    if ticket is not None:
        qs = qs.annotate(linked_here=Exists(IncidentTicket.objects.filter(
            incident=OuterRef("pk"), ticket=ticket)))
        qs = qs.filter(Q(_shown_in_client_area(now), affects_me=True) | Q(linked_here=True))
    else:
        qs = qs.filter(_shown_in_client_area(now), affects_me=True)
    incidents = list(qs.prefetch_related("components").order_by("-created_at")[:10])
    for incident in incidents:
        incident.banner = incident.affects_me and incident.status in (
            state.ACTIVE_STATUSES | {Incident.Status.SCHEDULED})
    setattr(request, key, incidents)
    return incidents


def console_ticket_incidents(ticket) -> list[Incident]:
    """For the console ticket sidebar, in one query: open incidents (to link
    by hand), those linked to the ticket and, among them, those suggested
    because they affect the ticket's service (or the customer's services)."""
    if ticket.service_id:
        on_service = ComponentService.objects.filter(service_id=ticket.service_id)
    else:
        on_service = ComponentService.objects.filter(service__customer_id=ticket.customer_id)
    return list(
        Incident.objects.annotate(
            linked=Exists(IncidentTicket.objects.filter(incident=OuterRef("pk"), ticket=ticket)),
            suggested=Exists(on_service.filter(component__incidents=OuterRef("pk"))),
        ).filter(Q(status__in=state.OPEN_STATUSES) | Q(linked=True))
        .order_by("-created_at")[:30]
    )


def open_incidents():
    return Incident.objects.filter(status__in=state.OPEN_STATUSES).order_by("-created_at")


def public_components():
    return Component.objects.filter(is_public=True)


def status_page(*, now=None, tz=None) -> dict:
    """Everything /estado shows, in four queries whatever the history."""
    now = now or timezone.now()
    tz = tz or timezone.get_current_timezone()
    components = list(public_components())
    since = now - timedelta(days=HISTORY_DAYS)
    incidents = list(
        Incident.objects.filter(
            Q(status__in=state.OPEN_STATUSES) | Q(ended_at__gte=since) | Q(created_at__gte=since))
        .prefetch_related(
            "components",
            Prefetch("updates", queryset=IncidentUpdate.objects.order_by("-created_at", "-id")),
        ).order_by("-created_at")
    )
    spans = [incident_span(i) for i in incidents]
    spans = [s for s in spans if s is not None]
    ids = [c.pk for c in components]
    current = state.current_states(ids, spans)
    history = state.daily_history(ids, spans, today=timezone.localtime(now, tz).date(),
                                  days=HISTORY_DAYS, tz=tz, now=now)
    for component in components:
        component.state = current[component.pk]
        component.history = history[component.pk]
    overall = state.worst(current.values())
    return {
        "components": components,
        "overall": overall,
        "open_incidents": [i for i in incidents if i.status in state.ACTIVE_STATUSES],
        "scheduled": sorted((i for i in incidents if i.status == Incident.Status.SCHEDULED),
                            key=lambda i: i.scheduled_start),
        "past": [i for i in incidents if i.status in state.FINAL_STATUSES],
    }


def incident_span(incident: Incident) -> state.Span | None:
    if incident.started_at is None:  # a maintenance not started (or cancelled before)
        return None
    if incident.status == Incident.Status.CANCELLED and incident.ended_at is None:
        return None
    return state.Span(
        state=incident.impact, component_ids=frozenset(c.pk for c in incident.components.all()),
        start=incident.started_at, end=incident.ended_at,
    )


def incident_public(incident_id: int) -> Incident | None:
    return (Incident.objects.filter(pk=incident_id)
            .prefetch_related("components", "updates").first())


def feed_updates(limit: int = 50):
    return (IncidentUpdate.objects.select_related("incident")
            .order_by("-created_at", "-id")[:limit])
