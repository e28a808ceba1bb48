"""How views fetch incidents: 404 for anything the user may not see."""

from django.http import Http404

from ventanilla.tickets.access import is_console_user

from .models import Incident


def incident_for_console(user, incident_id: int) -> Incident:
    if not is_console_user(user):
        raise Http404
    incident = Incident.objects.filter(pk=incident_id).first()
    if incident is None:
        raise Http404
    return incident


def incident_for_public(incident_id: int) -> Incident:
    """Every incident is public (the status page), components included."""
    incident = (Incident.objects.filter(pk=incident_id)
                .prefetch_related("components", "updates").first())
    if incident is None:
        raise Http404
    return incident
