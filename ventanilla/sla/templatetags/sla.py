from django import template
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timezone import template_localtime
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


@register.simple_tag(takes_context=True)
def sla_badge(context, ticket, countdown=True):
    """The timer's state, and the countdown to its due time (sla.js keeps it
    ticking). Built in Python, not with an inclusion template: a queue page
    renders 25 of them, and the template cost 0.3 ms each
    (docs/performance.md, change 21)."""
    state = timers.badge(ticket, _now(context))
    if not state:
        return ""
    badge = format_html('<span class="badge sla-badge sla-badge--{}" data-sla-late-label="{}">{}</span>',
                        state, _("Vencido"), BADGE_LABELS.get(state, ""))
    if not (countdown and state in {"en_plazo", "por_vencer", "vencido"}):
        return badge
    due = template_localtime(ticket.due_at) if ticket.has_due else None
    iso = date_filter(due, "c")
    return badge + format_html(
        ' <time class="sla-countdown small" datetime="{}" data-sla-due="{}" data-sla-left="{}" '
        'data-sla-late="{}" title="{}">{}</time>',
        iso, iso, _("quedan %s"), _("hace %s"),
        date_filter(due, "DATETIME_FORMAT"), date_filter(due, "H:i"))


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
