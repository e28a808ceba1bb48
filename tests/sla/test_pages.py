"""The sla pages: what customers are promised, the Contacto table, the
queue's badges and order, the ticket sidebar, alerts and the survey."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from ventanilla.mail import outbound
from ventanilla.sla.models import AgentAlert, SatisfactionRating, SlaPolicy
from ventanilla.sla.services import sla_sweep
from ventanilla.sla.survey import survey_token
from ventanilla.tickets import services
from ventanilla.tickets.models import Channel, Priority, Status
from ventanilla.tickets.status import Role

START = datetime(2026, 10, 7, 8, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


# --- Customers ---------------------------------------------------------------

def test_the_created_page_shows_the_policy_promise(client, alice, alice_ticket):
    client.force_login(alice.user)
    response = client.get(reverse("portal:ticket_created", args=[alice_ticket.number]))
    assert "Te daremos una primera respuesta en 10 minutos." in response.content.decode()


def test_the_promise_follows_the_policy_when_an_admin_changes_it(client, alice, alice_ticket):
    SlaPolicy.objects.filter(channel="portal", priority="regular").update(first_response_minutes=90)
    client.force_login(alice.user)
    response = client.get(reverse("portal:ticket_created", args=[alice_ticket.number]))
    assert "1 hora y 30 minutos" in response.content.decode()


def test_the_confirmation_email_promises_the_email_policy(alice, soporte, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_create(customer=alice, subject="x", body="y", department=soporte,
                               channel=Channel.EMAIL)
    (message,) = mail.outbox
    assert "Nuestro tiempo de primera respuesta es de 30 minutos." in message.body


def test_the_contact_page_is_built_from_the_configuration(client):
    SlaPolicy.objects.filter(channel="email", priority="regular").update(first_response_minutes=45)
    html = client.get(reverse("sla:contact")).content.decode()
    assert "Respuesta inicial en 10 minutos (prioridad Alta: 5 minutos)" in html
    assert "45 minutos (prioridad Alta: 15 minutos)" in html
    assert "soporte@example.com" in html  # the support mailbox's address
    # Channels and forms that do not exist (yet) are simply left out.
    assert "Chat en directo" not in html or reverse("chat:start") in html


def test_the_resolved_email_carries_five_signed_survey_links(
        client, alice_ticket, carla, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_status_set(alice_ticket, actor=carla, role=Role.AGENT, status=Status.RESOLVED)
    (message,) = [m for m in mail.outbox if "resuelto" in m.subject.lower()]
    links = re.findall(r"http://\S+/encuesta/\S+/(\d)/", message.body)
    assert links == ["1", "2", "3", "4", "5"]


def test_a_confirmed_score_is_recorded_and_another_replaces_it(client, alice_ticket, carla):
    services.ticket_assign(alice_ticket, actor=carla, assignee=carla)
    token = survey_token(alice_ticket.pk)
    assert client.get(reverse("sla:survey", args=[token, 2])).status_code == 200
    assert not SatisfactionRating.objects.exists()  # a GET (a link scanner) records nothing
    client.post(reverse("sla:survey", args=[token, 2]), {"puntuacion": "2"})
    response = client.post(reverse("sla:survey", args=[token, 2]), {"puntuacion": "5"})
    assert "5 de 5" in response.content.decode()
    (rating,) = SatisfactionRating.objects.all()
    assert (rating.score, rating.ticket_id, rating.agent_id, rating.channel) == (
        5, alice_ticket.pk, carla.pk, "portal")


def test_a_tampered_survey_link_is_refused(client, alice_ticket):
    token = survey_token(alice_ticket.pk)
    assert client.get(reverse("sla:survey", args=[token + "x", 5])).status_code == 404
    assert client.get(reverse("sla:survey", args=[token, 6])).status_code == 404
    assert not SatisfactionRating.objects.exists()


# --- Agents ------------------------------------------------------------------

def test_the_queue_puts_alta_first_then_the_earliest_due(clock, client, alice, make_ticket, carla):
    from ventanilla.tickets.services import IncidentDetails

    email_ticket = services.ticket_create(customer=alice, subject="correo", body="x",
                                          department=carla.agent.departments.first(),
                                          channel=Channel.EMAIL)  # due +30
    clock.shift(timedelta(minutes=5))
    portal_ticket = make_ticket(alice)  # due +15
    clock.shift(timedelta(minutes=1))
    alta = make_ticket(alice, priority=Priority.HIGH, incident=IncidentDetails(
        server_ip=None, order_number="1", service_name="x", started_at=START, time_zone="UTC",
        diagnostics="x"))
    client.force_login(carla)
    response = client.get(reverse("console:queue"))
    assert [t.number for t in response.context["page"].rows] == [
        alta.number, portal_ticket.number, email_ticket.number]
    html = response.content.decode()
    assert html.count("sla-badge--en_plazo") == 3
    assert 'data-sla-due="2026-10-07T08:15:00+00:00"' in html or "data-sla-due=" in html
    assert "sla/sla.js" in html


def test_the_queue_shows_overdue_tickets(clock, client, alice_ticket, carla):
    clock.shift(timedelta(minutes=9))
    client.force_login(carla)
    assert "sla-badge--por_vencer" in client.get(reverse("console:queue")).content.decode()
    clock.shift(timedelta(minutes=2))
    assert "sla-badge--vencido" in client.get(reverse("console:queue")).content.decode()


def test_the_queue_query_count_does_not_grow_with_rows(client, alice, make_ticket, carla,
                                                       django_assert_num_queries):
    for _ in range(3):
        make_ticket(alice)
    client.force_login(carla)
    client.get(reverse("console:queue"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("console:queue"))
    for _ in range(20):
        make_ticket(alice)
    with django_assert_num_queries(len(few)):
        client.get(reverse("console:queue"))


def test_the_ticket_sidebar_shows_the_timers(client, alice_ticket, carla):
    client.force_login(carla)
    html = client.get(reverse("console:ticket_detail", args=[alice_ticket.number])).content.decode()
    assert "Plazos" in html and "Primera respuesta" in html
    assert "Portal" in html or "Área de cliente" in html


def test_alerts_are_listed_and_marked_read(clock, client, alice_ticket, carla, sofia):
    services.ticket_assign(alice_ticket, actor=carla, assignee=carla)
    clock.shift(timedelta(minutes=11))
    sla_sweep()
    client.force_login(carla)
    queue = client.get(reverse("console:queue")).content.decode()
    assert "Alertas de plazos" in queue
    page = client.get(reverse("sla:alerts")).content.decode()
    assert f"#{alice_ticket.number}" in page and "Vencido" in page
    client.post(reverse("sla:alerts_read"))
    assert not AgentAlert.objects.filter(user=carla, read_at__isnull=True).exists()
    assert AgentAlert.objects.filter(user=sofia, read_at__isnull=True).exists()


def test_customers_cannot_reach_alerts_or_reports(client, alice):
    client.force_login(alice.user)
    assert client.get(reverse("sla:alerts")).status_code in (302, 404)
    assert client.get(reverse("sla:reports")).status_code in (302, 404)


def test_the_alert_email_is_rendered_in_the_agents_language(clock, alice_ticket, carla):
    carla.language = "en"
    carla.save()
    services.ticket_assign(alice_ticket, actor=carla, assignee=carla)
    clock.shift(timedelta(minutes=8))
    sla_sweep()
    email = outbound.OutboundEmail.objects.get(kind="sla_aviso", to="carla@example.com")
    assert "Deadline" in email.subject or "due" in email.text_body.lower()


def test_the_htmx_queue_fragment_keeps_its_badges(clock, client, alice_ticket, carla):
    client.force_login(carla)
    response = client.get(reverse("console:queue"), {"vista": "alta"},
                          HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-results")
    html = response.content.decode()
    assert "<html" not in html and "sla-badge--en_plazo" in html
