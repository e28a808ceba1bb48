"""The SLA badge of the queue and the ticket sidebar: state, label and the
countdown sla.js keeps ticking, in the viewer's language and time zone."""

from datetime import timedelta

import time_machine
from django.template import Context, Template
from django.utils import timezone, translation

from ventanilla.tickets import services
from ventanilla.tickets.models import Status, Ticket

BADGE = Template("{% load sla %}{% sla_badge ticket %}")
NO_COUNTDOWN = Template("{% load sla %}{% sla_badge ticket countdown=False %}")


def render(template, ticket, *, language="es", zone="America/Mexico_City"):
    with translation.override(language), timezone.override(zone):
        return template.render(Context({"ticket": Ticket.objects.get(pk=ticket.pk)}))


def test_an_open_ticket_in_time_shows_its_countdown(alice, make_ticket):
    ticket = make_ticket(alice)
    due = timezone.localtime(ticket.due_at, timezone.get_fixed_timezone(-360))
    html = render(BADGE, ticket)
    assert html.startswith('<span class="badge sla-badge sla-badge--en_plazo" '
                           'data-sla-late-label="Vencido">En plazo</span> <time ')
    assert f'datetime="{due.isoformat()}"' in html and f'data-sla-due="{due.isoformat()}"' in html
    assert 'data-sla-left="quedan %s" data-sla-late="hace %s"' in html
    assert f">{due:%H:%M}</time>" in html
    english = render(BADGE, ticket, language="en", zone="Europe/Madrid")
    assert ">On track</span>" in english and 'data-sla-left="%s left" data-sla-late="%s ago"' in english
    assert f">{timezone.localtime(ticket.due_at, timezone.get_fixed_timezone(60)):%H:%M}</time>" \
        in english
    assert "<time" not in render(NO_COUNTDOWN, ticket)


def test_overdue_paused_and_closed(alice, carla, make_ticket):
    ticket = make_ticket(alice)
    with time_machine.travel(ticket.due_at + timedelta(minutes=1)):
        assert "sla-badge--vencido" in render(BADGE, ticket)
    services.ticket_agent_reply(ticket, agent=carla, body="¿Puedes enviarnos la cabecera?")
    paused = render(BADGE, ticket)
    assert "sla-badge--en_pausa" in paused and "<time" not in paused
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)
    assert render(BADGE, ticket) == ""
