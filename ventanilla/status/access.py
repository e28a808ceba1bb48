"""How views fetch incidents: 404 for anything the user may not see."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from ventanilla.tickets.access import is_console_user, sees_all_departments

from .models import Incident

PUBLISH_PERMISSION = "status.publish_incident"


def may_publish_incidents(user) -> bool:
    """Who publishes incidents and their updates on the public status page:
    supervisors and administrators, and agents given the permission
    "status.publish_incident" in the admin. Every agent may still see the
    console's incidents and link tickets to them."""
    return is_console_user(user) and (sees_all_departments(user)
                                      or user.has_perm(PUBLISH_PERMISSION))


def require_publisher(user) -> None:
    if not may_publish_incidents(user):
        raise PermissionDenied


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
