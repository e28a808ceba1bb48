"""The slots (fields/_ticket_sidebar.html, fields/_portal_ticket_values.html)
receive the host page's context only: these tags fetch what they show."""

from django import template

from .. import selectors

register = template.Library()


@register.simple_tag
def console_fields_panel(ticket):
    """Two queries: the ticket page has a query budget. The forms and the
    history of changes load on demand (console_values_edit, console_consent_new)."""
    return {
        "values": selectors.ticket_values(ticket),
        "consents": selectors.consent_rows(ticket),
    }


@register.simple_tag
def portal_fields_panel(ticket):
    consents = selectors.consent_rows(ticket)
    return {
        "values": selectors.ticket_values(ticket),
        "pending": [row for row in consents if row.state == "pendiente"],
        "closed": [row for row in consents if row.state != "pendiente"],
    }
