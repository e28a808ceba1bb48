from django import template

from .. import selectors, services

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_incidents(context, ticket=None):
    """The client area's incidents (banner, new-ticket notice, ticket page):
    one query per request, shared."""
    request = context.get("request")
    if request is None:
        return []
    if ticket is None:
        ticket = context.get("ticket") if request.resolver_match and \
            request.resolver_match.app_name == "portal" else None
    return selectors.portal_incidents(request, ticket)


@register.simple_tag
def console_ticket_incidents(ticket):
    return selectors.console_ticket_incidents(ticket)


@register.simple_tag
def pin_locked_until(customer):
    return services.pin_locked_until(customer)


@register.simple_tag
def support_pin(customer):
    return services.pin_for(customer)


@register.simple_tag
def contact_request_for(ticket):
    from ..models import ContactRequest

    return ContactRequest.objects.filter(ticket=ticket).select_related("matched_customer").first()
