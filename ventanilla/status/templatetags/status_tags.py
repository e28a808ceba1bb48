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
    """{"shown": linked or suggested, "pickable": the other open ones}."""
    incidents = selectors.console_ticket_incidents(ticket)
    return {
        "shown": [i for i in incidents if i.linked or i.suggested],
        "pickable": [i for i in incidents if not i.linked and not i.suggested and i.is_open],
    }


@register.simple_tag
def pin_locked_until(customer):
    account = customer.account  # a stranger's holder: its possible account
    return services.pin_locked_until(account) if account is not None else None


@register.simple_tag
def support_pin(customer):
    return services.pin_for(customer)


@register.simple_tag
def contact_request_for(ticket):
    from ..models import ContactRequest

    return ContactRequest.objects.filter(ticket=ticket).select_related("matched_customer").first()
