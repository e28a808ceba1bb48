"""The SLA report judges every target the policy sets (first response, each
next response, resolution) and counts times in the department's business
hours (issue 17 D): a calendar that excludes the night and the weekend."""

import csv
import io
from datetime import UTC, date, datetime, time

import pytest
import time_machine
from django.urls import reverse

from ventanilla.sla.models import Calendar, OpeningHours, SlaPolicy
from ventanilla.sla.reports import ReportFilter, build_report
from ventanilla.tickets import services
from ventanilla.tickets.models import Status
from ventanilla.tickets.status import Role


def at(day, hour, minute=0):
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def office(soporte):
    """Soporte works Monday to Friday 9–18 UTC; the portal's Regular policy:
    first response 60 min, next response 60 min, resolution 240 min."""
    calendar = Calendar.objects.create(name="Oficina", time_zone="UTC")
    for day in range(5):
        OpeningHours.objects.create(calendar=calendar, weekday=day, opens=time(9), closes=time(18))
    calendar.departments.add(soporte)
    SlaPolicy.objects.filter(channel="portal", priority="regular").update(
        first_response_minutes=60, next_response_minutes=60, resolution_minutes=240)
    return calendar


@pytest.fixture
def history(office, alice, make_ticket, carla):
    with time_machine.travel(at(9, 17, 30), tick=False) as clock:  # Friday 17:30
        weekend = make_ticket(alice, subject="Viernes por la tarde")
        clock.move_to(at(12, 9, 20))  # Monday 9:20: 50 business minutes later
        services.ticket_agent_reply(weekend, agent=carla, body="Hola")
        clock.move_to(at(12, 10, 0))
        services.ticket_customer_reply(weekend, author=alice.user, body="Sigue igual")
        clock.move_to(at(12, 17, 50))  # 470 business minutes later: next response missed
        services.ticket_agent_reply(weekend, agent=carla, body="Revisado")

        clock.move_to(at(12, 17, 0))
        evening = make_ticket(alice, subject="Lunes por la tarde")
        clock.move_to(at(12, 17, 10))
        services.ticket_agent_reply(evening, agent=carla, body="Hola")
        clock.move_to(at(12, 17, 45))
        services.ticket_customer_reply(evening, author=alice.user, body="Más datos")
        clock.move_to(at(13, 9, 30))  # Tuesday 9:30: 15 + 30 business minutes, met
        services.ticket_agent_reply(evening, agent=carla, body="Listo")
        clock.move_to(at(13, 10, 0))
        services.ticket_status_set(evening, actor=carla, role=Role.AGENT, status=Status.RESOLVED)
    return weekend, evening


def test_every_target_in_business_time(history):
    report = build_report(ReportFilter(start=date(2026, 10, 9), end=date(2026, 10, 12)),
                          now=at(14, 12))
    total = report.total
    assert total.volume == 2
    # Wall-clock, the weekend ticket waited 3,830 minutes: 50 in business time.
    assert (total.first_response_p50, total.first_response_p90) == (10.0, 50.0)
    assert total.compliance == 100.0
    assert (total.next_met, total.next_missed, total.next_response_compliance) == (1, 1, 50.0)
    # Resolution: the evening ticket in 2 business hours (17 wall-clock), in
    # time; the weekend one is past its due time while its clock ran.
    assert (total.resolution_met, total.resolution_missed, total.resolution_compliance) == (1, 1, 50.0)
    assert total.resolution_median_hours == 2.0


def test_a_target_the_policy_does_not_set_is_not_judged(history):
    SlaPolicy.objects.filter(channel="portal", priority="regular").update(next_response_minutes=None)
    report = build_report(ReportFilter(start=date(2026, 10, 9), end=date(2026, 10, 12)),
                          now=at(14, 12))
    assert report.total.next_response_compliance is None


def test_the_page_and_the_csv_show_each_target(client, sofia, history):
    client.force_login(sofia)
    params = {"desde": "2026-10-09", "hasta": "2026-10-12"}
    with time_machine.travel(at(14, 12), tick=False):
        html = client.get(reverse("sla:reports"), params).content.decode()
        response = client.get(reverse("sla:reports"), {**params, "exportar": "grupos"})
    assert "Cumplimiento de siguiente respuesta" in html and "Cumplimiento de resolución" in html
    assert "horario laboral" in html
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    total = dict(zip(header, rows[-1], strict=True))
    assert total["Cumplimiento primera respuesta (%)"] == "100.0"
    assert total["Cumplimiento siguiente respuesta (%)"] == "50.0"
    assert total["Cumplimiento resolución (%)"] == "50.0"
    assert total["Primera respuesta p90 (min)"] == "50.0"
