from django import template
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.sla import selectors, timers

register = template.Library()

BADGE_LABELS = {
    "en_plazo": _("En plazo"),
    "por_vencer": _("Por vencer"),
    "vencido": _("Vencido"),
    "en_pausa": _("En pausa"),
}


def _now(context):
    """One "now" per page, so that every row is judged at the same moment."""
    render_context = context.render_context
    if "sla_now" not in render_context:
        render_context["sla_now"] = timezone.now()
    return render_context["sla_now"]


@register.inclusion_tag("sla/_badge.html", takes_context=True)
def sla_badge(context, ticket, countdown=True):
    state = timers.badge(ticket, _now(context))
    return {
        "state": state,
        "label": BADGE_LABELS.get(state, ""),
        "due": ticket.due_at if ticket.has_due else None,
        "countdown": countdown and state in {"en_plazo", "por_vencer", "vencido"},
    }


@register.simple_tag(takes_context=True)
def sla_unread_alerts(context):
    """How many unread alerts the agent has (at most ALERT_BADGE_LIMIT + 1)."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return 0
    return selectors.unread_alert_count(request.user)


@register.filter
def sla_duration(minutes):
    return selectors.format_minutes(minutes)


@register.simple_tag
def sla_promise(ticket):
    """The first-response promise for a new ticket (ticket-created page)."""
    if ticket is None:
        return None
    return selectors.promise_for_ticket(ticket)


@register.simple_tag
def sla_ticket_panel(ticket):
    """What the console's ticket sidebar shows about its timers."""
    policy = selectors.ticket_policy(ticket)
    return {
        "policy": policy,
        "business_hours": selectors.department_has_business_hours(ticket.department_id),
        "escalations": selectors.ticket_escalations(ticket),
    }


@register.simple_tag
def sla_survey_links(ticket, site_url=""):
    """(score, absolute URL) for the one-click survey in the Resuelto email."""
    from django.urls import reverse

    from ventanilla.sla.survey import survey_token

    token = survey_token(ticket.pk)
    return [(score, f"{site_url}{reverse('sla:survey', args=[token, score])}") for score in range(1, 6)]
