from django import template

from ventanilla.tickets.access import is_console_user, sees_all_departments

from .. import selectors

register = template.Library()


@register.simple_tag
def supervisor_delivery_problems(user):
    """The console banner's counts, for supervisors (cached briefly)."""
    if not (is_console_user(user) and sees_all_departments(user)):
        return None
    return selectors.delivery_problems(cached=True)


@register.simple_tag
def ticket_undelivered(ticket):
    return selectors.ticket_undelivered(ticket)
