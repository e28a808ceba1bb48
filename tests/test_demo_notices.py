"""The demo's notices (/cliente/avisos/) look like history: each incident
update told once, in its own words, and every notice dated when its event
happened, spread over the past weeks, not at the moment the demo was loaded."""

import io
from collections import Counter
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from ventanilla.accounts.models import Customer
from ventanilla.core import demo_data
from ventanilla.notifications.models import Kind, Notification
from ventanilla.status.models import Incident


def load_demo(django_capture_on_commit_callbacks):
    # The command's notices are written after its transaction commits, as
    # they are from the command line.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("demo", stdout=io.StringIO())


def test_the_demo_incident_is_told_once_per_update_at_its_time(django_capture_on_commit_callbacks):
    load_demo(django_capture_on_commit_callbacks)
    customer = Customer.objects.get(email=demo_data.DEMO_CUSTOMER_EMAIL)
    incident = Incident.objects.get(kind=Incident.Kind.INCIDENT, title="Correo lento en web1")
    notices = list(Notification.objects.filter(customer=customer, kind=Kind.SERVICE,
                                               url__contains=f"/{incident.pk}/"))
    titles = Counter(n.title for n in notices)
    assert titles == {"Incidente: Correo lento en web1 (Investigando)": 1,
                      "Incidente: Correo lento en web1 (Resuelto)": 1}, titles
    updates = {u.get_status_display(): u.created_at for u in incident.updates.all()}
    for notice in notices:
        status = notice.title.rsplit("(", 1)[1].rstrip(")")
        assert notice.created_at == updates[status]
    assert all(n.created_at < timezone.now() - timedelta(days=10) for n in notices)
    # No customer anywhere got the same notice twice.
    every = Counter(Notification.objects.values_list("customer_id", "title", "created_at"))
    assert max(every.values()) == 1


def test_the_demo_notices_are_spread_over_the_past(django_capture_on_commit_callbacks):
    started = timezone.now()
    load_demo(django_capture_on_commit_callbacks)
    customer = Customer.objects.get(email=demo_data.DEMO_CUSTOMER_EMAIL)
    dates = list(Notification.objects.filter(customer=customer).values_list("created_at", flat=True))
    assert len(dates) >= 8
    assert all(date <= timezone.now() for date in dates)
    at_seed_time = [date for date in dates if date >= started]
    assert len(at_seed_time) <= len(dates) // 4, (len(at_seed_time), len(dates))
    assert len({date.date() for date in dates}) >= 5
    # Every ticket's receipt is dated when the ticket was opened.
    for notice in Notification.objects.filter(customer=customer, title__startswith="Recibimos"):
        number = notice.title.rsplit("#", 1)[1]
        assert notice.created_at == customer.tickets.get(number=number).created_at
