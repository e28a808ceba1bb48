"""People and places of the status tests: components with the services of
alice (web1, correo) and bob (vps-cluster), and a published incident."""

import pytest

from ventanilla.accounts.models import Service
from ventanilla.status import services
from ventanilla.status.models import Component, ComponentService, Incident
from ventanilla.tickets.models import Department


@pytest.fixture(autouse=True)
def _identity_department():
    # Transactional tests flush the seed; conftest re-seeds from tickets/seed.py,
    # which includes it, but an older seed might not.
    Department.objects.get_or_create(slug="verificacion", defaults={"name": "Verificación de identidad"})


@pytest.fixture
def web1(alice):
    component = Component.objects.create(name="web1.hosting.mx", kind=Component.Kind.SERVER)
    for service in alice.services.filter(type=Service.Type.SHARED_NEGOCIOS):
        ComponentService.objects.create(component=component, service=service)
    return component


@pytest.fixture
def vps_cluster(bob):
    component = Component.objects.create(name="Clúster VPS", kind=Component.Kind.SERVER)
    for service in bob.services.all():
        ComponentService.objects.create(component=component, service=service)
    return component


@pytest.fixture
def dns():
    return Component.objects.create(name="DNS", kind=Component.Kind.DNS)


@pytest.fixture
def publish(carla, django_capture_on_commit_callbacks):
    """publish([components], title=..., kind=..., ...) -> Incident, with its
    notices delivered."""

    def _publish(components, *, title="Caída de web1", kind=Incident.Kind.INCIDENT,
                 impact=Incident.Impact.MAJOR, body="Estamos investigando.", author=None, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            return services.incident_publish(
                author=author or carla, kind=kind, title=title, impact=impact,
                components=components, body=body, **extra)

    return _publish


@pytest.fixture
def update(carla, django_capture_on_commit_callbacks):
    def _update(incident, status, body="Novedad.", *, author=None, post_to_tickets=False):
        with django_capture_on_commit_callbacks(execute=True):
            return services.incident_update(incident, author=author or carla, status=status,
                                            body=body, post_to_tickets=post_to_tickets)

    return _update


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


@pytest.fixture
def bob_client(client, bob):
    client.force_login(bob.user)
    return client
