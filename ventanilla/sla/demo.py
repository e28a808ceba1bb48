"""Demo data for response-time promises (`ventanilla demo`, idempotent):
Facturación works office hours in Madrid with Spanish holidays, the demo
tickets' timers are replayed from their (moved back) history, the sweep
raises alerts for the overdue ones, and resolved tickets get survey ratings
for the reports."""

from datetime import date, time

from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.tickets.models import Department, Status, Ticket

from .models import Calendar, Holiday, OpeningHours, SatisfactionRating
from .services import satisfaction_record, sla_sweep, ticket_timers_rebuild

SPANISH_HOLIDAYS_2026 = [
    (date(2026, 1, 1), "Año Nuevo"), (date(2026, 1, 6), "Epifanía del Señor"),
    (date(2026, 4, 3), "Viernes Santo"), (date(2026, 5, 1), "Fiesta del Trabajo"),
    (date(2026, 8, 15), "Asunción de la Virgen"), (date(2026, 10, 12), "Fiesta Nacional de España"),
    (date(2026, 11, 1), "Todos los Santos"), (date(2026, 12, 6), "Día de la Constitución"),
    (date(2026, 12, 8), "Inmaculada Concepción"), (date(2026, 12, 25), "Navidad"),
]
DEMO_TICKETS = 500
# A realistic spread of survey answers, mostly satisfied.
SCORES = [5, 5, 4, 5, 3, 4, 5, 2, 5, 4, 1, 5]


def seed_demo(stdout) -> None:
    _office_calendar()
    now = timezone.now()
    # The demo's own tickets (a demo database is small; never a scale one).
    demo_tickets = list(Ticket.objects.order_by("pk")[:DEMO_TICKETS])
    for ticket in demo_tickets:
        ticket_timers_rebuild(ticket, now=now, escalate_past=True)
    escalations = sla_sweep(now=now, batch=10_000)
    rated = 0
    finished = [t for t in demo_tickets if t.status in (Status.RESOLVED, Status.CLOSED)]
    for i, ticket in enumerate(finished):
        if i % 4 == 3:
            continue  # not everyone answers the survey
        rating = satisfaction_record(source=SatisfactionRating.Source.SURVEY,
                                     subject_key=f"ticket:{ticket.pk}", score=SCORES[i % len(SCORES)],
                                     ticket=ticket, now=ticket.updated_at)
        rated += rating is not None
    stdout.write(_("Plazos: %(tickets)s tickets con plazos, %(escalations)s escalamientos, "
                   "%(rated)s valoraciones de la encuesta.") % {
        "tickets": len(demo_tickets), "escalations": escalations, "rated": rated})


def _office_calendar() -> None:
    billing = Department.objects.filter(slug="facturacion").first()
    if billing is None:
        return
    calendar, created = Calendar.objects.get_or_create(
        name="Oficina Madrid", defaults={"time_zone": "Europe/Madrid"})
    if created:
        for weekday in range(5):
            OpeningHours.objects.create(calendar=calendar, weekday=weekday, opens=time(9),
                                        closes=time(18))
        calendar.departments.add(billing)
    for day, name in SPANISH_HOLIDAYS_2026:
        Holiday.objects.get_or_create(calendar=calendar, date=day, defaults={"name": name})
