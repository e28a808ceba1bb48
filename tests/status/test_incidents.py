"""Incidents and maintenance: publishing, the timeline, who is affected,
the public page, its feed, and the links between incidents and tickets."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ventanilla.accounts.models import Customer, Service
from ventanilla.notifications.models import Kind, Notification
from ventanilla.status import selectors, services
from ventanilla.status.models import ComponentService, Incident, IncidentTicket
from ventanilla.tickets import services as ticket_services
from ventanilla.tickets.models import Message, Status
from ventanilla.tickets.status import Role

from ..conftest import make_customer

S = Incident.Status
PORTAL = "/cliente/"


# --- Who is affected ------------------------------------------------------------

def test_the_affected_customers_are_exactly_those_with_a_live_service_on_a_component(
        alice, bob, web1, vps_cluster, dns, publish):
    carol = make_customer("carol@example.com", "Carol")
    cancelled = Service.objects.create(customer=carol, type=Service.Type.VPS, name="VPS viejo",
                                       order_number="777", status=Service.Status.CANCELLED)
    ComponentService.objects.create(component=web1, service=cancelled)
    make_customer("dora@example.com", "Dora")  # no services at all

    assert selectors.affected_customer_ids(publish([web1])) == [alice.pk]
    assert sorted(selectors.affected_customer_ids(publish([web1, vps_cluster]))) == sorted(
        [alice.pk, bob.pk])
    assert selectors.affected_customer_ids(publish([dns])) == []


def test_the_banner_is_shown_to_exactly_the_affected_customers(client, alice, bob, web1, publish):
    incident = publish([web1], title="web1 no responde")
    client.force_login(alice.user)
    page = client.get(PORTAL).content.decode()
    assert "web1 no responde" in page and 'data-testid="status-banner"' in page
    assert "Ya estamos trabajando en ello." in page
    client.force_login(bob.user)
    assert "web1 no responde" not in client.get(PORTAL).content.decode()

    services.incident_update(incident, author=None, status=S.RESOLVED, body="Resuelto.")
    client.force_login(alice.user)
    assert 'data-testid="status-banner"' not in client.get(PORTAL).content.decode()


def test_publishing_notifies_the_affected_customers_and_updates_only_followers(
        alice, bob, web1, vps_cluster, publish, update):
    incident = publish([web1])
    assert list(Notification.objects.values_list("customer_id", "kind")) == [(alice.pk, Kind.SERVICE)]
    update(incident, S.IDENTIFIED, "Es el disco.")
    assert Notification.objects.count() == 1  # nobody follows it yet
    services.incident_follow(incident, bob)
    update(incident, S.MONITORING, "Cambiamos el disco.")
    assert Notification.objects.filter(customer=bob).count() == 1
    update(incident, S.RESOLVED, "Todo bien.")
    assert Notification.objects.filter(customer=alice).count() == 2
    assert Notification.objects.filter(customer=bob).count() == 2
    latest = Notification.objects.filter(customer=alice).first()
    assert "Resuelto" in latest.title and latest.body == "Todo bien."


def test_the_portal_pages_stay_within_their_query_budget_with_incidents(
        alice_client, alice, web1, publish, make_ticket, django_assert_max_num_queries):
    ticket = make_ticket(alice)
    publish([web1])
    # 10: one counts the requests strangers made in her name (tickets.verification).
    with django_assert_max_num_queries(10):
        alice_client.get(PORTAL)
    # The ticket page also carries the category fields and consent slots (2 queries).
    with django_assert_max_num_queries(11):
        alice_client.get(reverse("portal:ticket_detail", args=[ticket.number]))


# --- Status transitions and history ----------------------------------------------

def test_an_incident_moves_through_its_statuses_and_keeps_every_update(web1, publish, update):
    incident = publish([web1])
    assert incident.status == S.INVESTIGATING and incident.started_at is not None
    for status in (S.IDENTIFIED, S.MONITORING, S.RESOLVED):
        update(incident, status, f"Ahora {status}")
    incident.refresh_from_db()
    assert incident.status == S.RESOLVED and incident.ended_at is not None
    assert [u.status for u in incident.updates.order_by("created_at", "id")] == [
        S.INVESTIGATING, S.IDENTIFIED, S.MONITORING, S.RESOLVED]
    with pytest.raises(ValidationError):
        update(incident, S.INVESTIGATING)
    assert incident.updates.count() == 4


def test_a_maintenance_needs_its_window_and_starts_and_completes(web1, publish, update):
    start = timezone.now() + timedelta(days=2)
    with pytest.raises(ValidationError):
        publish([web1], kind=Incident.Kind.MAINTENANCE, scheduled_start=start, scheduled_end=start)
    maintenance = publish([web1], kind=Incident.Kind.MAINTENANCE, title="Cambio de discos",
                          scheduled_start=start, scheduled_end=start + timedelta(hours=2))
    assert maintenance.status == S.SCHEDULED and maintenance.impact == "mantenimiento"
    assert maintenance.started_at is None
    with pytest.raises(ValidationError):
        update(maintenance, S.COMPLETED)
    update(maintenance, S.IN_PROGRESS)
    maintenance.refresh_from_db()
    assert maintenance.started_at is not None
    update(maintenance, S.COMPLETED)
    maintenance.refresh_from_db()
    assert maintenance.ended_at is not None


def test_a_scheduled_maintenance_starts_on_its_own_at_its_time(web1, publish):
    start = timezone.now() + timedelta(hours=1)
    maintenance = publish([web1], kind=Incident.Kind.MAINTENANCE, scheduled_start=start,
                          scheduled_end=start + timedelta(hours=1))
    assert services.maintenance_start_due() == 0
    with time_machine.travel(start + timedelta(seconds=1)):
        assert services.maintenance_start_due() == 1
        assert services.maintenance_start_due() == 0
    maintenance.refresh_from_db()
    assert maintenance.status == S.IN_PROGRESS and maintenance.started_at > start
    assert selectors.status_page()["components"][0].state == "mantenimiento"


def test_the_status_page_shows_states_open_incidents_maintenance_and_90_days_of_history(
        client, web1, dns, publish, update, django_assert_max_num_queries):
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        old = publish([dns], title="DNS lento", impact=Incident.Impact.DEGRADED)
        update(old, S.RESOLVED, "Listo.")
    with time_machine.travel(timezone.now() - timedelta(days=100), tick=False):
        ancient = publish([dns], title="Incidente antiguo")
        update(ancient, S.RESOLVED)
    publish([web1], title="web1 caído", impact=Incident.Impact.PARTIAL)
    start = timezone.now() + timedelta(days=1)
    publish([dns], kind=Incident.Kind.MAINTENANCE, title="Ventana DNS", scheduled_start=start,
            scheduled_end=start + timedelta(hours=1))

    with django_assert_max_num_queries(6):
        response = client.get(reverse("status:status_page"))
    page = response.content.decode()
    components = {c.name: c for c in response.context["components"]}
    assert components["web1.hosting.mx"].state == "parcial"
    assert components["DNS"].state == "operativo"  # the maintenance has not started
    assert len(components["DNS"].history) == 90
    assert [s for _d, s in components["DNS"].history].count("degradado") == 1
    assert "web1 caído" in page and "Ventana DNS" in page and "DNS lento" in page
    assert "Incidente antiguo" not in page
    assert response.context["overall"] == "parcial"


def test_the_status_page_and_feed_speak_english(client, web1, publish):
    publish([web1], title="web1 caído")
    client.cookies["django_language"] = "en"
    page = client.get(reverse("status:status_page")).content.decode()
    assert "Service status" in page and "Major outage" in page
    feed = client.get(reverse("status:feed"))
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert b"web1 ca\xc3\xaddo" in feed.content and b"<feed" in feed.content


# --- Tickets and incidents ---------------------------------------------------------

@pytest.fixture
def agent_client(client, carla):
    client.force_login(carla)
    return client


def test_a_ticket_about_an_affected_service_is_suggested_and_linked_in_one_click(
        agent_client, alice, web1, publish, make_ticket):
    incident = publish([web1], title="web1 caído")
    service = alice.services.get(type=Service.Type.SHARED_NEGOCIOS)
    ticket = make_ticket(alice, service=service)
    url = reverse("console:ticket_detail", args=[ticket.number])
    page = agent_client.get(url).content.decode()
    assert "Sugerido: afecta a su servicio" in page
    response = agent_client.post(reverse("status:console_link", args=[incident.pk, ticket.number]),
                                 {"next": url})
    assert response.status_code == 302 and response.url == url
    assert IncidentTicket.objects.filter(incident=incident, ticket=ticket).exists()
    assert "Vinculado" in agent_client.get(url).content.decode()
    agent_client.post(reverse("status:console_link", args=[incident.pk, ticket.number]),
                      {"unlink": "1", "next": url})
    assert not IncidentTicket.objects.exists()


def test_an_agent_cannot_link_a_ticket_outside_their_departments(
        client, diego, alice, web1, publish, make_ticket):
    incident = publish([web1])
    ticket = make_ticket(alice)  # Soporte; diego works Facturación
    client.force_login(diego)
    response = client.post(reverse("status:console_link", args=[incident.pk, ticket.number]))
    assert response.status_code == 404 and not IncidentTicket.objects.exists()
    client.force_login(alice.user)
    assert client.get(reverse("status:console_incidents")).status_code == 404

def test_many_tickets_are_linked_from_the_queue(agent_client, alice, bob, web1, publish, make_ticket):
    incident = publish([web1])
    tickets = [make_ticket(alice), make_ticket(bob), make_ticket(alice, subject="Otro")]
    numbers = [t.number for t in tickets]
    picker = agent_client.post(reverse("status:console_bulk_link"), {"tickets": numbers, "next": "/consola/"})
    assert picker.status_code == 200 and incident.title in picker.content.decode()
    agent_client.post(reverse("status:console_bulk_link"),
                      {"tickets": numbers, "incident": incident.pk})
    assert IncidentTicket.objects.filter(incident=incident).count() == 3
    queue = agent_client.get("/consola/").content.decode()
    assert reverse("status:console_bulk_link") in queue


def test_an_update_reaches_every_linked_ticket_and_resolving_resolves_them(
        alice, bob, carla, web1, publish, update, make_ticket, mailoutbox):
    incident = publish([web1])
    open_ticket, pending_ticket, closed_ticket = make_ticket(alice), make_ticket(bob), make_ticket(bob)
    ticket_services.ticket_agent_reply(pending_ticket, agent=carla, body="¿Qué dominio?")
    ticket_services.ticket_status_set(closed_ticket, actor=carla, role=Role.AGENT, status=Status.CLOSED)
    for ticket in (open_ticket, pending_ticket, closed_ticket):
        services.incident_link_ticket(incident, ticket, agent=carla)

    posted = update(incident, S.IDENTIFIED, "Cambiamos el disco.", post_to_tickets=True)
    assert posted.posted_to_tickets == 2
    open_ticket.refresh_from_db()
    assert open_ticket.status == Status.OPEN  # still ours to solve
    assert "Cambiamos el disco." in open_ticket.messages.last().body

    resolved = update(incident, S.RESOLVED, "Servicio restablecido.")
    assert resolved.posted_to_tickets == 2
    for ticket in (open_ticket, pending_ticket):
        ticket.refresh_from_db()
        assert ticket.status == Status.RESOLVED
        last = ticket.messages.last()
        assert last.kind == Message.Kind.REPLY and "Servicio restablecido." in last.body
    closed_ticket.refresh_from_db()
    assert closed_ticket.status == Status.CLOSED

    # The customer can still reopen theirs by replying.
    ticket_services.ticket_customer_reply(open_ticket, author=alice.user, body="Sigue fallando")
    open_ticket.refresh_from_db()
    assert open_ticket.status == Status.OPEN


def test_the_console_publishes_and_updates_incidents(
        agent_client, carla, alice, web1, dns, django_capture_on_commit_callbacks):
    # Publishing takes a permission (tests/status/test_publish_permission_h6.py).
    carla.user_permissions.add(Permission.objects.get(codename="publish_incident"))
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(reverse("status:console_incident_new"), {
            "kind": "incidente", "title": "Correo lento", "impact": "degradado",
            "components": [web1.pk], "body": "Investigando."})
    incident = Incident.objects.get()
    assert response.status_code == 302 and incident.title == "Correo lento"
    assert Customer.objects.filter(notifications__isnull=False).get() == alice
    bad = agent_client.post(reverse("status:console_incident_new"), {
        "kind": "mantenimiento", "title": "Ventana", "components": [dns.pk], "body": "x"})
    assert bad.status_code == 200 and "Indica cuándo empieza" in bad.content.decode()
    assert 'value="Ventana"' in bad.content.decode()
    agent_client.post(reverse("status:console_incident", args=[incident.pk]),
                      {"status": S.RESOLVED, "body": "Listo."})
    incident.refresh_from_db()
    assert incident.status == S.RESOLVED


def test_a_customer_follows_an_incident_instead_of_opening_a_ticket(alice_client, alice, web1, publish):
    incident = publish([web1], title="web1 caído")
    form = alice_client.get(reverse("portal:ticket_new")).content.decode()
    assert "Ya estamos trabajando en ello" in form and "Seguir el incidente" in form
    response = alice_client.post(reverse("status:incident_follow", args=[incident.pk]))
    assert response.status_code == 302
    assert incident.followers.filter(customer=alice).exists()


def test_the_portal_ticket_page_shows_the_linked_incident(
        alice_client, alice, carla, dns, publish, make_ticket):
    incident = publish([dns], title="DNS caído")  # not on alice's services: no banner
    ticket = make_ticket(alice)
    page = alice_client.get(reverse("portal:ticket_detail", args=[ticket.number])).content.decode()
    assert "DNS caído" not in page
    services.incident_link_ticket(incident, ticket, agent=carla)
    page = alice_client.get(reverse("portal:ticket_detail", args=[ticket.number])).content.decode()
    assert "Incidente relacionado" in page and "DNS caído" in page


def test_the_console_ticket_page_runs_the_same_queries_whatever_the_incidents(
        agent_client, alice, carla, web1, dns, publish, make_ticket, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ticket = make_ticket(alice, service=alice.services.get(type=Service.Type.SHARED_NEGOCIOS))
    url = reverse("console:ticket_detail", args=[ticket.number])
    publish([web1])
    agent_client.get(url)
    with CaptureQueriesContext(connection) as few:
        agent_client.get(url)
    for i in range(5):
        services.incident_link_ticket(publish([web1, dns], title=f"Otro {i}"), ticket, agent=carla)
    with django_assert_num_queries(len(few)):
        page = agent_client.get(url).content.decode()
    assert "Otro 4" in page
