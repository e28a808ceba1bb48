"""/api/v1/status: components, incidents and maintenance through the status
app's services, with the same banners, ticket replies and webhooks as the
console."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ventanilla.accounts.models import Service
from ventanilla.notifications.models import Notification
from ventanilla.status import services as status_services
from ventanilla.status.models import Component, ComponentService, Incident
from ventanilla.tickets.models import Department, Ticket

from .conftest import ApiClient
from .test_app_events import listen, receiver, sent  # noqa: F401  (fixtures)

PORTAL = "/cliente/"


@pytest.fixture(autouse=True)
def _identity_department():
    Department.objects.get_or_create(slug="verificacion",
                                     defaults={"name": "Verificación de identidad"})


@pytest.fixture
def web1(alice):
    component = Component.objects.create(name="web1.hosting.mx", kind=Component.Kind.SERVER)
    for service in alice.services.filter(type=Service.Type.SHARED_NEGOCIOS):
        ComponentService.objects.create(component=component, service=service)
    return component


@pytest.fixture
def backbone():
    return Component.objects.create(name="Red interna", kind=Component.Kind.NETWORK,
                                    is_public=False)


def publish(api, components, captured, **extra):
    with captured(execute=True):
        r = api.post("/status/incidents", {"title": "web1 no responde", "impact": "total",
                                           "components": [c.pk for c in components],
                                           "body": "Investigando.", **extra})
    assert r.status_code == 201, r.content
    return r.json()


def test_components_carry_the_state_their_open_incidents_give_them(
        api, web1, backbone, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    r = api.get("/status/components")
    assert r.status_code == 200
    assert [(c["name"], c["state"]) for c in r.json()] == [("web1.hosting.mx", "operativo")]
    assert api.get(f"/status/components/{backbone.pk}").status_code == 404
    internal = api.get("/status/components", include_internal="true").json()
    assert {c["name"] for c in internal} == {"web1.hosting.mx", "Red interna"}
    incident = publish(api, [web1], django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(5):
        component = api.get(f"/status/components/{web1.pk}").json()
    assert component["state"] == "total" and component["open_incidents"] == [incident["id"]]


def test_an_incident_from_the_api_shows_the_banner_and_notifies_like_the_console(
        api, client, alice, bob, web1, sofia, django_capture_on_commit_callbacks):
    incident = publish(api, [web1], django_capture_on_commit_callbacks)
    assert incident["status"] == "investigando" and incident["components"] == [web1.pk]
    assert incident["updates"][0]["author"] == sofia.email
    assert incident["allowed_statuses"] == ["identificado", "monitorizando", "resuelto"]
    assert Notification.objects.filter(customer=alice).exists()
    assert not Notification.objects.filter(customer=bob).exists()
    client.force_login(alice.user)
    assert "web1 no responde" in client.get(PORTAL).content.decode()


def test_updates_move_the_incident_fire_the_webhook_and_resolve_linked_tickets(
        api, alice, web1, sofia, make_ticket, listen, django_capture_on_commit_callbacks):  # noqa: F811
    listen("incident.updated")
    incident = publish(api, [web1], django_capture_on_commit_callbacks)
    ticket = make_ticket(alice)
    status_services.incident_link_ticket(Incident.objects.get(pk=incident["id"]), ticket,
                                         agent=sofia)
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/status/incidents/{incident['id']}/updates",
                     {"status": "identificado", "body": "Disco lleno."})
    assert r.status_code == 201, r.content
    assert r.json()["tickets"] == [ticket.number]
    [data] = sent("incident.updated")
    assert data["incident"]["status"] == "identificado" and data["update"]["body"] == "Disco lleno."
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/status/incidents/{incident['id']}/updates",
                     {"status": "resuelto", "body": "Resuelto."})
    assert r.status_code == 201 and r.json()["ended_at"]
    assert r.json()["updates"][-1]["posted_to_tickets"] == 1
    ticket.refresh_from_db()
    assert ticket.status == "resuelto"
    r = api.post(f"/status/incidents/{incident['id']}/updates",
                 {"status": "investigando", "body": "Otra vez."},
                 headers={"Accept-Language": "en"})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    assert r.json()["detail"].startswith("An incident cannot go")


def test_maintenance_is_scheduled_and_listed(api, web1, django_capture_on_commit_callbacks,
                                            django_assert_max_num_queries):
    start = timezone.now() + timedelta(days=1)
    maintenance = publish(api, [web1], django_capture_on_commit_callbacks, kind="mantenimiento",
                          title="Actualización del kernel",
                          scheduled_start=start.isoformat(),
                          scheduled_end=(start + timedelta(hours=2)).isoformat())
    assert (maintenance["status"], maintenance["impact"]) == ("programado", "mantenimiento")
    incident = publish(api, [web1], django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(5):  # key, incidents, their components, call log
        ids = [i["id"] for i in api.get("/status/incidents").json()["items"]]
    assert ids == [incident["id"], maintenance["id"]]
    assert [i["id"] for i in api.get("/status/incidents", kind="mantenimiento").json()["items"]] \
        == [maintenance["id"]]
    assert api.get("/status/incidents", open="false").json()["items"] == []
    page = api.get("/status/incidents", limit=1).json()
    assert [i["id"] for i in api.get("/status/incidents", limit=1,
                                     cursor=page["next_cursor"]).json()["items"]] == [maintenance["id"]]
    # The service's own rules, as problem documents.
    r = api.post("/status/incidents", {"kind": "mantenimiento", "title": "x", "body": "y",
                                       "components": [web1.pk]})
    assert r.status_code == 422
    assert r.json()["detail"] == "Un mantenimiento necesita inicio y fin programados."
    r = api.post("/status/incidents", {"title": "x", "body": "y", "components": [999999]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "components"
    assert api.get("/status/incidents/999999").status_code == 404


def test_an_agent_integration_sees_only_its_tickets_among_the_linked_ones(
        client, alice, web1, carla, sofia, make_ticket, facturacion,
        django_capture_on_commit_callbacks):
    from ventanilla.integrations.models import Integration
    from ventanilla.integrations.services import api_key_create

    integration = Integration.objects.create(name="bot", slug="bot", agent=carla)
    _key, raw = api_key_create(integration, name="k", scopes=["status:read"])
    api = ApiClient(client, raw)
    with django_capture_on_commit_callbacks(execute=True):
        incident = status_services.incident_publish(
            author=sofia, kind="incidente", title="Caída", impact="total", components=[web1],
            body="Investigando.")
    billing = make_ticket(alice, department=facturacion)
    support = make_ticket(alice)
    for ticket in (billing, support):
        status_services.incident_link_ticket(incident, ticket, agent=sofia)
    assert api.get(f"/status/incidents/{incident.pk}").json()["tickets"] == [support.number]
    r = api.post(f"/status/incidents/{incident.pk}/updates", {"status": "resuelto", "body": "x"})
    assert r.status_code == 403
    assert Ticket.objects.get(pk=support.pk).status != "resuelto"
