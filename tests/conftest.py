"""Shared people and places for the tests.

alice and bob are customers (alice has services), carla is an agent of
Soporte técnico, diego an agent of Facturación, sofia a supervisor and
root an admin. The departments and categories come from the seed migration."""

from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache

from ventanilla.accounts.models import AgentProfile, Customer, Service, User
from ventanilla.core import config_cache
from ventanilla.core.models import SiteSettings
from ventanilla.tickets import services
from ventanilla.tickets.models import Category, Department, Priority
from ventanilla.tickets.seed import seed_departments

create_default_mailboxes = import_module(
    "ventanilla.mail.migrations.0002_default_mailboxes").create_mailboxes

PASSWORD = "contraseña-de-prueba-42"


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path, db):
    # Transactional tests (the browser ones) flush the tables, seed rows included.
    seed_departments(Department, Category)
    create_default_mailboxes(django_apps, None)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "attachments")}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "attachments"
    cache.clear()
    config_cache.reset()
    site = SiteSettings.load()
    site.agents_require_2fa = False
    site.save()
    yield


def make_user(email, *, name="", **extra) -> User:
    return User.objects.create_user(email=email, password=PASSWORD, full_name=name, **extra)


def make_customer(email, name) -> Customer:
    user = make_user(email, name=name)
    return Customer.objects.create(user=user, name=name, email=email)


def make_agent(email, name, departments=(), supervisor=False, email_notifications=False) -> User:
    """The agents' own emails are off for the fixtures' agents: most tests
    count the customer's emails. tests/test_agent_notifications.py turns
    them on."""
    user = make_user(email, name=name)
    profile = AgentProfile.objects.create(user=user, is_supervisor=supervisor,
                                          email_notifications=email_notifications)
    profile.departments.set(departments)
    return user


@pytest.fixture
def soporte():
    return Department.objects.get(slug="soporte")


@pytest.fixture
def facturacion():
    return Department.objects.get(slug="facturacion")


@pytest.fixture
def correo_category(soporte):
    return Category.objects.get(department=soporte, name="Correo", parent=None)


@pytest.fixture
def alice():
    customer = make_customer("alice@example.com", "Alicia Pérez")
    Service.objects.create(
        customer=customer, type=Service.Type.SHARED_NEGOCIOS, name="Hosting Negocios - alicia.mx",
        domain="alicia.mx", order_number="123456", server_ip="192.0.2.10",
    )
    Service.objects.create(
        customer=customer, type=Service.Type.DOMAIN, name="Dominio alicia.mx",
        domain="alicia.mx", order_number="123457",
    )
    return customer


@pytest.fixture
def bob():
    customer = make_customer("bob@example.com", "Roberto Gómez")
    Service.objects.create(
        customer=customer, type=Service.Type.VPS, name="VPS 4GB - roberto.com",
        domain="roberto.com", order_number="654321", server_ip="198.51.100.7",
    )
    return customer


@pytest.fixture
def carla(soporte):
    return make_agent("carla@example.com", "Carla Soporte", [soporte])


@pytest.fixture
def diego(facturacion):
    return make_agent("diego@example.com", "Diego Facturación", [facturacion])


@pytest.fixture
def sofia():
    return make_agent("sofia@example.com", "Sofía Supervisora", supervisor=True)


@pytest.fixture
def root():
    return User.objects.create_superuser(email="root@example.com", password=PASSWORD)


@pytest.fixture
def make_ticket(soporte):
    """Open a portal ticket as a customer: make_ticket(alice, subject=..., ...)."""

    def _make(customer, *, subject="No puedo enviar correos", body="Desde ayer falla el envío.",
              department=None, priority=Priority.REGULAR, **extra):
        return services.ticket_create(
            customer=customer, requester=customer.user, subject=subject, body=body,
            department=department or soporte, priority=priority, **extra,
        )

    return _make


@pytest.fixture
def alice_ticket(alice, make_ticket):
    return make_ticket(alice)


@pytest.fixture
def bob_ticket(bob, make_ticket):
    return make_ticket(bob, subject="Mi VPS no responde")


@pytest.fixture
def billing_ticket(alice, make_ticket, facturacion):
    return make_ticket(alice, subject="Factura duplicada", department=facturacion)


def pytest_sessionfinish(session, exitstatus):
    from . import services
    services.stop_private_servers()
