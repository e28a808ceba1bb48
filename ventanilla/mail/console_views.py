"""Notifications that did not arrive, for the people who must act on them:
the supervisors' page in the console (with "Reintentar"), and the health
endpoint a monitor polls."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from ventanilla.core.ids import parse_id
from ventanilla.tickets.access import sees_all_departments
from ventanilla.tickets.console_views import console_required

from . import outbound, selectors
from .models import NotificationOutbox, OutboundEmail


@console_required
def failed_deliveries(request):
    """Supervisors only (the recipients and errors of every department)."""
    if not sees_all_departments(request.user):
        raise Http404
    if request.method == "POST":
        emails = OutboundEmail.objects.all()
        builds = NotificationOutbox.objects.all()
        if "todos" not in request.POST:
            emails = emails.filter(pk__in=_ids(request.POST.getlist("correo")))
            builds = builds.filter(pk__in=_ids(request.POST.getlist("aviso")))
        count = outbound.outbound_requeue(emails) + outbound.outbox_requeue(builds)
        selectors.forget_delivery_problems()
        messages.success(request, ngettext(
            "%(count)s notificación vuelve a la cola de envío.",
            "%(count)s notificaciones vuelven a la cola de envío.", count) % {"count": count})
        return redirect("mail_console:failed")
    return render(request, "mail/failed_deliveries.html", {
        "emails": selectors.failed_emails(),
        "builds": selectors.failed_builds(),
        "problems": selectors.delivery_problems(),
    })


def _ids(values) -> list[int]:
    return [pk for pk in map(parse_id, values) if pk is not None]


@never_cache
def health(request):
    """Counts of failed and overdue notifications, as JSON, for a monitor.
    Public like /salud/: counts only, no address, subject or error. Always
    200 (the site is up): the monitor alerts on the numbers."""
    problems = selectors.delivery_problems(cached=True)
    return JsonResponse({
        "ok": not problems.failed and not problems.overdue,
        "emails": {"failed": problems.failed_emails, "overdue": problems.overdue_emails},
        "builds": {"failed": problems.failed_builds, "overdue": problems.overdue_builds},
        "overdue_after_minutes": int(selectors.OVERDUE.total_seconds() // 60),
    })
