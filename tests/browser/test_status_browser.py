"""The status feature as people see it: an agent publishes an incident from
the console; the affected customer sees the banner, the bell and the
notice, and is offered to follow the incident instead of opening a ticket;
a customer who is not affected sees nothing."""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from ventanilla.accounts.models import Service
from ventanilla.status.models import Component, ComponentService, Incident
from ventanilla.tickets import services
from ventanilla.tickets.models import Department

pytestmark = pytest.mark.browser


def test_an_incident_is_published_and_the_affected_customer_sees_banner_and_notice(
        open_session, live_server, carla, alice, bob):
    web1 = Component.objects.create(name="web1.hosting.mx")
    Component.objects.create(name="DNS", kind=Component.Kind.DNS)
    ComponentService.objects.create(
        component=web1, service=alice.services.get(type=Service.Type.SHARED_NEGOCIOS))

    # Publishing takes a permission an administrator gives in the admin.
    carla.user_permissions.add(Permission.objects.get(codename="publish_incident"))
    agent = open_session(carla)
    agent.goto(f"{live_server.url}/consola/")
    agent.get_by_role("link", name="Incidencias").click()
    agent.get_by_role("link", name="Publicar incidente o mantenimiento").click()
    agent.get_by_label("Título").fill("web1 no responde")
    agent.get_by_label("Impacto").select_option("total")
    agent.get_by_label("web1.hosting.mx").check()
    agent.get_by_label("Mensaje para los clientes").fill("Estamos revisando el servidor web1.")
    agent.get_by_role("button", name="Publicar", exact=True).click()
    expect(agent.get_by_text("avisamos a los clientes afectados")).to_be_visible()
    expect(agent.get_by_text("1 cliente afectado")).to_be_visible()
    assert Incident.objects.get().status == Incident.Status.INVESTIGATING

    customer = open_session(alice.user)
    banner = customer.get_by_test_id("status-banner")
    expect(banner).to_contain_text("web1 no responde")
    expect(banner).to_contain_text("Ya estamos trabajando en ello.")
    expect(customer.locator(".bell__count")).to_have_text("1")
    screenshot(customer, "status-banner-and-bell")

    customer.get_by_test_id("bell").click()
    expect(customer.get_by_role("link", name=re.compile("Incidente: web1 no responde"))).to_be_visible()
    customer.get_by_role("button", name="Marcar todos como leídos").click()
    expect(customer.locator(".bell__count")).to_have_count(0)

    customer.get_by_role("link", name="Abrir ticket").click()
    notice = customer.get_by_test_id("status-notice")
    expect(notice).to_contain_text("Ya estamos trabajando en ello")
    notice.get_by_role("button", name="Seguir el incidente").click()
    expect(customer.get_by_text("Sigues este incidente")).to_be_visible()
    expect(customer.get_by_text("Estamos revisando el servidor web1.")).to_be_visible()
    screenshot(customer, "status-incident-followed")

    other = open_session(bob.user)
    expect(other.get_by_role("heading", level=1)).to_be_visible()
    expect(other.get_by_test_id("status-banner")).to_have_count(0)
    expect(other.locator(".bell__count")).to_have_count(0)

    # The agent links alice's ticket about that service in one click.
    ticket = services.ticket_create(
        customer=alice, requester=alice.user, subject="Mi sitio no carga", body="Error 503.",
        department=Department.objects.get(slug="soporte"),
        service=alice.services.get(type=Service.Type.SHARED_NEGOCIOS))
    agent.goto(f"{live_server.url}/consola/tickets/{ticket.number}/")
    side = agent.locator(".status-side")
    expect(side).to_contain_text("Sugerido: afecta a su servicio")
    side.get_by_role("button", name="Vincular", exact=True).first.click()
    expect(agent.locator(".status-side")).to_contain_text("Vinculado")
    screenshot(agent, "status-console-ticket-sidebar")

    public = open_session(bob.user)
    public.goto(f"{live_server.url}/estado/")
    expect(public.get_by_test_id("status-overall")).to_contain_text("Algunos sistemas tienen problemas")
    screenshot(public, "status-page")
    for page in (agent, customer, other, public):
        assert not page.js_errors, page.js_errors


def test_a_billing_agent_without_the_permission_sees_incidents_but_no_publish_button(
        open_session, live_server, diego, carla):
    web1 = Component.objects.create(name="web1.hosting.mx")
    incident = Incident.objects.create(title="web1 lento", status=Incident.Status.INVESTIGATING,
                                       impact=Incident.Impact.DEGRADED)
    incident.components.add(web1)
    agent = open_session(diego)
    agent.goto(f"{live_server.url}/consola/")
    agent.get_by_role("link", name="Incidencias").click()
    expect(agent.get_by_role("link", name="web1 lento")).to_be_visible()
    expect(agent.get_by_role("link", name="Publicar incidente o mantenimiento")).to_have_count(0)
    agent.get_by_role("link", name="web1 lento").click()
    expect(agent.get_by_role("heading", name="web1 lento")).to_be_visible()
    expect(agent.get_by_role("button", name="Publicar actualización")).to_have_count(0)
    screenshot(agent, "status-console-without-publish-permission")
