"""seed-scale leaves open tickets with their due times, as the timers and
the sweep would have: the benchmark's sweep reads only what is due."""

from django.core.management import call_command
from django.utils import timezone

from ventanilla.sla.services import sla_sweep
from ventanilla.tickets.models import NO_DUE, Status, Ticket


def test_open_tickets_get_due_times_and_only_future_checks():
    call_command("seed_scale", tickets=600, seed=3, quiet=True)
    now = timezone.now()
    open_tickets = Ticket.objects.filter(status=Status.OPEN)
    assert open_tickets.exists()
    assert not open_tickets.filter(first_response_due_at__isnull=True).exists()
    assert Ticket.objects.filter(status=Status.OPEN).exclude(due_at=NO_DUE).exists()
    assert not Ticket.objects.exclude(status=Status.OPEN).exclude(due_at=NO_DUE).exists()
    assert not Ticket.objects.filter(sla_check_at__lte=now).exists()
    answered = Ticket.objects.filter(status=Status.CLOSED, first_response_at__isnull=False)
    assert answered.count() > 0
    assert sla_sweep(now=now) == 0
