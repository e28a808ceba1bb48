from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    count = selectors.unread_count_for_user(user) if user is not None else 0
    return {"unread": count, "user": user}
