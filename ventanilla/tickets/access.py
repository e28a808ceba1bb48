"""The one place that decides who may see a ticket.

Views fetch tickets only through these functions; anyone who may not see a
ticket gets 404, never 403, so ticket numbers leak nothing."""

from django.db.models import QuerySet
from django.http import Http404

from .models import Attachment, Ticket


def is_console_user(user) -> bool:
    return user.is_authenticated and (user.is_agent or user.is_superuser)


def sees_all_departments(user) -> bool:
    return user.is_superuser or user.is_supervisor


def agent_department_ids(user) -> list[int]:
    """The departments an agent works; cached on the user for the request."""
    if not hasattr(user, "_department_ids"):
        profile = user.agent_profile
        user._department_ids = (
            list(profile.departments.values_list("id", flat=True)) if profile else []
        )
    return user._department_ids


def agent_may_see_department(user, department_id: int) -> bool:
    """The rule of tickets_for_agent for one ticket already in memory."""
    if not is_console_user(user):
        return False
    return sees_all_departments(user) or department_id in agent_department_ids(user)


def tickets_for_customer(user) -> QuerySet[Ticket]:
    if not user.is_authenticated:
        return Ticket.objects.none()
    # Unverified holders never log in; the second condition keeps it so
    # should one ever be given a login.
    return Ticket.objects.filter(customer__user=user, customer__unverified=False)


def tickets_for_agent(user) -> QuerySet[Ticket]:
    if not is_console_user(user):
        return Ticket.objects.none()
    if sees_all_departments(user):
        return Ticket.objects.all()
    return Ticket.objects.filter(department_id__in=agent_department_ids(user))


def ticket_for_customer(user, number: str) -> Ticket:
    """The customer's own ticket with this number, or 404."""
    ticket = (
        tickets_for_customer(user)
        .select_related("department", "category", "service", "customer", "follow_up_of")
        .filter(number=number)
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


def ticket_for_agent(user, number: str, *, for_update: bool = False) -> Ticket:
    """A ticket of one of the agent's departments (any for supervisors), or 404."""
    qs = tickets_for_agent(user).select_related(
        "department", "category", "service", "customer", "assignee", "merged_into", "follow_up_of"
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    ticket = qs.filter(number=number).first()
    if ticket is None:
        raise Http404
    return ticket


def attachment_for_user(user, attachment_id: int) -> Attachment:
    """An attachment of a message the user may read, or 404: customers never
    get attachments of internal notes."""
    qs = Attachment.objects.select_related("message__ticket").filter(pk=attachment_id)
    attachment = qs.first()
    if attachment is None:
        raise Http404
    ticket = attachment.message.ticket
    if is_console_user(user) and tickets_for_agent(user).filter(pk=ticket.pk).exists():
        return attachment
    if attachment.message.is_public and tickets_for_customer(user).filter(pk=ticket.pk).exists():
        return attachment
    raise Http404
