"""The due times on a ticket, moved by real events through the ticket
services, with time travel."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from ventanilla.sla.models import Calendar, Holiday, OpeningHours
from ventanilla.sla.timers import badge
from ventanilla.tickets import services
from ventanilla.tickets.models import NO_DUE, Channel, Priority, Status
from ventanilla.tickets.status import Role

MADRID = ZoneInfo("Europe/Madrid")
START = datetime(2026, 10, 7, 8, 0, tzinfo=UTC)  # a Wednesday


def minutes(n):
    return timedelta(minutes=n)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def office(soporte):
    """Soporte works Monday to Friday 9–18 in Madrid; 12 October is a holiday."""
    calendar = Calendar.objects.create(name="Oficina Madrid", time_zone="Europe/Madrid")
    for day in range(5):
        OpeningHours.objects.create(calendar=calendar, weekday=day, opens=time(9), closes=time(18))
    Holiday.objects.create(calendar=calendar, date=date(2026, 10, 12), name="Fiesta Nacional")
    calendar.departments.add(soporte)
    return calendar


def refresh(ticket):
    ticket.refresh_from_db()
    return ticket


def test_a_portal_ticket_is_due_in_10_minutes_and_warns_at_80_percent(clock, alice, make_ticket):
    ticket = make_ticket(alice)

    assert ticket.first_response_due_at == START + minutes(10)
    assert ticket.due_at == START + minutes(10)
    assert ticket.due_warning_at == START + minutes(8)
    assert ticket.sla_check_at == START + minutes(8)
    assert ticket.resolution_due_at is None


def test_alta_is_stricter_and_has_a_resolution_target(clock, alice, make_ticket):
    from ventanilla.tickets.services import IncidentDetails

    incident = IncidentDetails(server_ip="192.0.2.10", order_number="123456", service_name="Hosting",
                               started_at=START, time_zone="Europe/Madrid", diagnostics="ping")
    ticket = make_ticket(alice, priority=Priority.HIGH, incident=incident)

    assert ticket.first_response_due_at == START + minutes(5)
    assert ticket.resolution_due_at == START + timedelta(hours=8)


def test_an_email_ticket_is_due_in_30_minutes(clock, alice, soporte):
    ticket = services.ticket_create(customer=alice, subject="Correo", body="x", department=soporte,
                                    channel=Channel.EMAIL)
    assert ticket.first_response_due_at == START + minutes(30)


def test_an_internal_note_does_not_meet_the_first_response(clock, alice_ticket, carla):
    clock.shift(minutes(3))
    services.ticket_agent_reply(alice_ticket, agent=carla, body="Lo miro", internal=True)

    ticket = refresh(alice_ticket)
    assert ticket.first_response_at is None
    assert ticket.due_at == START + minutes(10)


def test_the_first_public_reply_meets_it_and_the_clock_stops_while_pendiente(
        clock, alice_ticket, carla):
    clock.shift(minutes(4))
    services.ticket_agent_reply(alice_ticket, agent=carla, body="Hola")

    ticket = refresh(alice_ticket)
    assert ticket.status == Status.PENDING
    assert ticket.first_response_at == START + minutes(4)
    assert ticket.first_response_due_at == START + minutes(10)  # kept for the reports
    assert ticket.sla_paused_at == START + minutes(4)
    assert ticket.due_at == NO_DUE
    assert ticket.sla_check_at is None
    assert badge(ticket, START + minutes(30)) == "en_pausa"


def test_pendiente_pauses_and_the_customer_reply_resumes_with_the_time_left(
        clock, alice, alice_ticket, carla):
    clock.shift(minutes(4))  # 6 minutes left
    services.ticket_agent_reply(alice_ticket, agent=carla, body="¿Qué dominio?", internal=True,
                                status=Status.PENDING)
    assert refresh(alice_ticket).due_at == NO_DUE

    clock.shift(minutes(60))
    services.ticket_customer_reply(alice_ticket, author=alice.user, body="alicia.mx")

    ticket = refresh(alice_ticket)
    assert ticket.status == Status.OPEN
    assert ticket.sla_paused_at is None
    assert ticket.first_response_due_at == START + minutes(64 + 6)
    assert ticket.due_at == START + minutes(70)


def test_a_customer_message_after_an_answer_starts_the_next_response_timer(
        clock, alice, alice_ticket, carla):
    clock.shift(minutes(2))
    services.ticket_agent_reply(alice_ticket, agent=carla, body="Hola")
    clock.shift(minutes(30))
    services.ticket_customer_reply(alice_ticket, author=alice.user, body="Sigue igual")

    ticket = refresh(alice_ticket)
    assert ticket.next_response_since == START + minutes(32)
    assert ticket.next_response_due_at == START + minutes(32 + 60)
    assert ticket.due_at == START + minutes(92)

    clock.shift(minutes(10))
    services.ticket_customer_reply(alice_ticket, author=alice.user, body="¿Hola?")
    assert refresh(alice_ticket).next_response_due_at == START + minutes(92)  # not restarted

    services.ticket_agent_reply(alice_ticket, agent=carla, body="Listo")
    ticket = refresh(alice_ticket)
    assert ticket.next_response_due_at is None


def test_raising_the_priority_moves_the_due_time(clock, alice_ticket, carla):
    clock.shift(minutes(1))
    services.ticket_update_fields(alice_ticket, agent=carla, priority=Priority.HIGH)

    ticket = refresh(alice_ticket)
    assert ticket.first_response_due_at == START + minutes(5)
    assert ticket.resolution_due_at == START + timedelta(hours=8)


def test_resolving_stops_every_clock_and_reopening_resumes_them(clock, alice, alice_ticket, carla):
    clock.shift(minutes(2))
    services.ticket_status_set(alice_ticket, actor=carla, role=Role.AGENT, status=Status.RESOLVED)
    ticket = refresh(alice_ticket)
    assert ticket.resolved_at == START + minutes(2)
    assert ticket.due_at == NO_DUE

    clock.shift(minutes(100))
    services.ticket_customer_reply(alice_ticket, author=alice.user, body="Vuelve a fallar")
    ticket = refresh(alice_ticket)
    assert ticket.resolved_at is None
    assert ticket.first_response_due_at == START + minutes(102 + 8)


def test_business_hours_skip_the_weekend(clock, office, alice, make_ticket):
    clock.move_to(datetime(2026, 10, 2, 17, 55, tzinfo=MADRID))  # Friday
    ticket = make_ticket(alice)
    assert ticket.first_response_due_at == datetime(2026, 10, 5, 9, 5, tzinfo=MADRID)


def test_business_hours_skip_a_weekend_and_a_holiday(clock, office, alice, make_ticket):
    clock.move_to(datetime(2026, 10, 9, 17, 55, tzinfo=MADRID))  # Friday before the holiday
    ticket = make_ticket(alice)
    assert ticket.first_response_due_at == datetime(2026, 10, 13, 9, 5, tzinfo=MADRID)


def test_business_hours_follow_the_cest_to_cet_change(clock, office, alice, soporte):
    clock.move_to(datetime(2026, 10, 23, 17, 50, tzinfo=MADRID))  # Friday, CEST (UTC+2)
    ticket = services.ticket_create(customer=alice, subject="Correo", body="x", department=soporte,
                                    channel=Channel.EMAIL)
    # 10 minutes on Friday, 20 on Monday 26 October, now CET (UTC+1).
    assert ticket.first_response_due_at == datetime(2026, 10, 26, 8, 20, tzinfo=UTC)


def test_a_pause_over_a_weekend_costs_no_business_time(clock, office, alice, alice_ticket, carla):
    clock.move_to(datetime(2026, 10, 2, 17, 0, tzinfo=MADRID))  # Friday
    ticket = services.ticket_create(customer=alice, subject="x", body="y",
                                    department=alice_ticket.department)
    clock.shift(minutes(5))  # 5 business minutes left
    services.ticket_agent_reply(ticket, agent=carla, body="?", internal=True, status=Status.PENDING)
    clock.move_to(datetime(2026, 10, 4, 12, 0, tzinfo=MADRID))  # Sunday
    services.ticket_customer_reply(ticket, author=alice.user, body="Aquí está")
    assert refresh(ticket).first_response_due_at == datetime(2026, 10, 5, 9, 5, tzinfo=MADRID)


def test_badges_follow_the_clock(clock, alice_ticket):
    assert badge(alice_ticket, START + minutes(1)) == "en_plazo"
    assert badge(alice_ticket, START + minutes(8)) == "por_vencer"
    assert badge(alice_ticket, START + minutes(10)) == "vencido"


def test_replaying_the_history_rebuilds_the_same_timers(clock, alice, alice_ticket, carla):
    from ventanilla.sla.services import ticket_timers_rebuild
    from ventanilla.sla.timers import SLA_FIELDS
    from ventanilla.tickets.models import Ticket

    clock.shift(minutes(4))
    services.ticket_agent_reply(alice_ticket, agent=carla, body="nota", internal=True,
                                status=Status.PENDING)
    clock.shift(minutes(30))
    services.ticket_customer_reply(alice_ticket, author=alice.user, body="dato")
    clock.shift(minutes(3))
    services.ticket_agent_reply(alice_ticket, agent=carla, body="Hola")
    clock.shift(minutes(20))
    services.ticket_customer_reply(alice_ticket, author=alice.user, body="sigue")
    expected = Ticket.objects.values(*SLA_FIELDS).get(pk=alice_ticket.pk)
    Ticket.objects.filter(pk=alice_ticket.pk).update(first_response_at=None, due_at=NO_DUE,
                                                     next_response_due_at=None)

    ticket_timers_rebuild(alice_ticket, escalate_past=True)

    assert Ticket.objects.values(*SLA_FIELDS).get(pk=alice_ticket.pk) == expected
    assert expected["first_response_due_at"] == START + minutes(34 + 6)
    assert expected["next_response_due_at"] == START + minutes(57 + 60)


def test_the_rebuild_command_gives_old_open_tickets_their_timers(clock, alice_ticket):
    from io import StringIO

    from django.core.management import call_command

    from ventanilla.tickets.models import Ticket

    Ticket.objects.filter(pk=alice_ticket.pk).update(first_response_due_at=None, due_at=NO_DUE)
    out = StringIO()
    call_command("sla_rebuild", stdout=out)
    assert refresh(alice_ticket).first_response_due_at == START + minutes(10)
    assert "1" in out.getvalue()
