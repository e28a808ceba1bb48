"""Publishing on the public status page takes a permission (issue 17 A8):
supervisors hold it by role, other agents only when given
"status.publish_incident" in the admin. Every agent still sees the
console's incidents."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from ventanilla.integrations.models import Integration
from ventanilla.integrations.services import api_key_create
from ventanilla.status.models import Incident

S = Incident.Status
NEW = {"kind": "incidente", "title": "Correo lento", "impact": "degradado", "body": "Investigando."}


def grant(user):
    user.user_permissions.add(Permission.objects.get(codename="publish_incident",
                                                     content_type__app_label="status"))


@pytest.mark.parametrize("who", ["carla", "diego"])
def test_an_agent_without_the_permission_cannot_publish(client, request, who, web1, publish):
    client.force_login(request.getfixturevalue(who))
    incident = publish([web1])
    listing = client.get(reverse("status:console_incidents"))
    assert listing.status_code == 200 and incident.title in listing.content.decode()
    assert "Publicar incidente o mantenimiento" not in listing.content.decode()
    assert client.get(reverse("status:console_incident_new")).status_code == 403
    assert client.post(reverse("status:console_incident_new"),
                       {**NEW, "components": [web1.pk]}).status_code == 403
    page = client.get(reverse("status:console_incident", args=[incident.pk]))
    assert page.status_code == 200 and "Publicar actualización" not in page.content.decode()
    refused = client.post(reverse("status:console_incident", args=[incident.pk]),
                          {"status": S.RESOLVED, "body": "Listo."})
    assert refused.status_code == 403
    incident.refresh_from_db()
    assert incident.status == S.INVESTIGATING and Incident.objects.count() == 1


@pytest.mark.parametrize("who", ["sofia", "granted_carla"])
def test_a_supervisor_or_an_agent_given_the_permission_publishes(client, request, who, carla, web1,
                                                                 django_capture_on_commit_callbacks):
    if who == "granted_carla":
        grant(carla)
        user = carla
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    assert "Publicar incidente o mantenimiento" in client.get(
        reverse("status:console_incidents")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("status:console_incident_new"), {**NEW, "components": [web1.pk]})
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert "Publicar actualización" in client.get(
        reverse("status:console_incident", args=[incident.pk])).content.decode()
    client.post(reverse("status:console_incident", args=[incident.pk]),
                {"status": S.RESOLVED, "body": "Listo."})
    incident.refresh_from_db()
    assert incident.status == S.RESOLVED


def test_the_api_publishes_only_as_an_agent_who_may(client, diego, web1):
    integration = Integration.objects.create(name="Facturas", slug="facturas", agent=diego)
    _key, raw = api_key_create(integration, name="k", scopes=["status:write", "status:read"])
    body = {"kind": "incidente", "title": "DNS lento", "impact": "degradado",
            "components": [web1.pk], "body": "Investigando."}
    headers = {"Authorization": f"Bearer {raw}"}
    refused = client.post("/api/v1/status/incidents", body, content_type="application/json",
                          headers=headers)
    assert refused.status_code == 403 and refused.json()["code"] == "not_a_publisher"
    assert not Incident.objects.exists()
    grant(diego)
    accepted = client.post("/api/v1/status/incidents", body, content_type="application/json",
                           headers=headers)
    assert accepted.status_code == 201, accepted.content


def test_the_permission_is_offered_in_the_admin(admin_client, carla):
    html = admin_client.get(reverse("admin:accounts_user_change", args=[carla.pk])).content.decode()
    assert "Puede publicar incidentes y mantenimientos en la página de estado" in html
