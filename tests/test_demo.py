"""`ventanilla demo`: the demo data `make run` loads on an empty database."""

import io
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from contextlib import closing
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from ventanilla.accounts.models import AgentProfile, Customer, Service, User
from ventanilla.core import demo_data
from ventanilla.core.models import SiteSettings
from ventanilla.tickets.models import (
    Attachment,
    CannedResponse,
    Department,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)

LOGINS = ["cliente@example.com", "agente@example.com", "facturacion@example.com",
          "supervisor@example.com", "admin@example.com"]
MODELS = [User, EmailAddress, Customer, Service, AgentProfile, CannedResponse, Ticket, Message,
          TicketEvent, Attachment]


def run_demo(*args) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """One demo run for a whole test class, in a transaction rolled back at
    the end of the class; each test runs in a savepoint inside it."""
    media = tmp_path_factory.mktemp("demo-attachments")
    storages = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(media)}}}
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, STORAGES=storages):
        with transaction.atomic():
            yield run_demo()
            transaction.set_rollback(True)


class TestTheDemoData:
    """Read-only checks of one demo run, shared by the class (the command
    takes a second or two; the data is rolled back after the class)."""

    def test_running_it_again_creates_nothing_new(self, demo):
        before = counts()
        output = run_demo()
        assert counts() == before
        assert "0 tickets nuevos" in output

    def test_it_prints_the_logins(self, demo):
        for email in LOGINS:
            assert email in demo
        assert "demo1234" in demo

    @pytest.mark.parametrize("email", LOGINS)
    def test_the_fixed_logins_authenticate_with_the_demo_password(self, demo, email):
        user = authenticate(email=email, password="demo1234")
        assert user is not None and user.email == email
        assert EmailAddress.objects.filter(
            user=user, email=email, verified=True, primary=True).exists()

    @pytest.mark.parametrize("email", ["cliente@example.com", "agente@example.com"])
    def test_the_logins_pass_the_login_page_with_mandatory_email_verification(
        self, demo, client, email
    ):
        response = client.post("/cuenta/login/", {"login": email, "password": "demo1234"})
        assert response.status_code == 302
        assert "confirm" not in response["Location"] and "verif" not in response["Location"]
        assert client.session.get("_auth_user_id") == str(User.objects.get(email=email).pk)

    def test_the_logins_have_their_roles(self, demo):
        soporte, facturacion = Department.objects.get(slug="soporte"), Department.objects.get(
            slug="facturacion")
        agente = User.objects.get(email="agente@example.com")
        assert agente.is_agent and list(agente.agent.departments.all()) == [soporte]
        billing = User.objects.get(email="facturacion@example.com")
        assert billing.is_agent and list(billing.agent.departments.all()) == [facturacion]
        assert User.objects.get(email="supervisor@example.com").is_supervisor
        admin = User.objects.get(email="admin@example.com")
        assert admin.is_superuser and admin.is_staff
        cliente = User.objects.get(email="cliente@example.com")
        assert not cliente.is_agent and not cliente.is_staff
        assert cliente.customer.name == "Cliente Demo"

    def test_the_demo_customer_has_several_services(self, demo):
        customer = Customer.objects.get(email="cliente@example.com")
        services = {s.type: s for s in customer.services.all()}
        assert {"hosting_negocios", "dominio", "ssl", "vps", "sitelock"} <= set(services)
        assert services["hosting_negocios"].server_ip and services["hosting_negocios"].domain
        assert services["vps"].server_ip
        assert all(len(s.order_number) == 6 and s.order_number.isdigit()
                   for s in services.values())

    def test_there_are_twenty_more_customers_with_services_of_every_type(self, demo):
        # Unverified holders (a stranger's "No puedo iniciar sesión" request
        # in the demo customer's name waits in one) are nobody's account.
        others = Customer.objects.exclude(email="cliente@example.com").filter(unverified=False)
        assert others.count() >= 20
        assert all(c.services.exists() and c.user_id for c in others.prefetch_related("services"))
        assert set(Service.objects.values_list("type", flat=True)) == set(Service.Type.values)
        documentation_ranges = ("192.0.2.", "198.51.100.", "203.0.113.")
        ips = Service.objects.exclude(server_ip=None).values_list("server_ip", flat=True)
        assert ips and all(ip.startswith(documentation_ranges) for ip in ips)
        emails = Customer.objects.filter(unverified=False).values_list("email", flat=True)
        assert all(e.endswith(("@example.com", "@example.net", "@example.org")) for e in emails)

    def test_every_department_has_an_agent(self, demo):
        for department in Department.objects.all():
            assert department.agents.filter(is_active=True).exists(), department

    def test_there_are_sixty_tickets_in_every_status_department_and_priority(self, demo):
        assert Ticket.objects.count() >= 60
        assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
        assert set(Ticket.objects.values_list("department__slug", flat=True)) == set(
            Department.objects.values_list("slug", flat=True))
        assert set(Ticket.objects.values_list("priority", flat=True)) == set(Priority.values)
        assert all(count >= 8 for count in Counter(
            Ticket.objects.values_list("status", flat=True)).values())

    def test_the_demo_customer_has_a_ticket_in_every_status(self, demo):
        statuses = Ticket.objects.filter(customer__email="cliente@example.com").values_list(
            "status", flat=True)
        assert set(statuses) == set(Status.values)

    def test_alta_tickets_carry_the_incident_details(self, demo):
        alta = Ticket.objects.filter(priority=Priority.HIGH)
        assert alta.exists()
        for ticket in alta:
            assert ticket.incident_server_ip or ticket.incident_order_number
            assert ticket.incident_service_name and ticket.incident_started_at
            assert ticket.incident_time_zone and ticket.incident_diagnostics
            assert ticket.incident_started_at < ticket.created_at

    def test_conversations_have_replies_notes_assignments_and_attachments(self, demo):
        kinds = set(Message.objects.values_list("kind", flat=True))
        assert {Message.Kind.CUSTOMER, Message.Kind.REPLY, Message.Kind.NOTE} <= kinds
        assert Ticket.objects.exclude(assignee=None).count() >= 3
        assert Attachment.objects.exists()
        sizes = Counter(Message.objects.values_list("ticket", flat=True)).values()
        assert max(sizes) >= 5

    def test_the_history_is_spread_over_weeks_and_consistent(self, demo):
        now = timezone.now()
        oldest = Ticket.objects.order_by("created_at").first().created_at
        assert now - oldest > timedelta(days=30)
        for ticket in Ticket.objects.prefetch_related("messages", "events"):
            times = [m.created_at for m in ticket.messages.all()]
            assert times == sorted(times)
            assert ticket.created_at == times[0] <= ticket.updated_at < now
            assert max(e.created_at for e in ticket.events.all()) <= ticket.updated_at
            status_events = [e for e in ticket.events.all() if e.kind == TicketEvent.Kind.STATUS]
            if status_events:
                assert status_events[-1].to_value == ticket.status
            if ticket.status in (Status.PENDING, Status.RESOLVED):
                assert ticket.awaiting_customer_since is not None
                assert ticket.awaiting_customer_since >= ticket.status_changed_at

    def test_some_tickets_are_due_for_the_auto_close_warning(self, demo):
        waiting = Ticket.objects.filter(status__in=[Status.PENDING, Status.RESOLVED])
        two_days_ago = timezone.now() - timedelta(days=2)
        assert waiting.filter(awaiting_customer_since__lt=two_days_ago).exists()
        assert waiting.filter(awaiting_customer_since__gt=two_days_ago).exists()

    def test_it_adds_canned_responses_per_department(self, demo):
        titles = set(CannedResponse.objects.values_list("title", flat=True))
        assert {"Saludo", "Solicitar datos de DNS", "Propagación DNS 24–48 h",
                "Cierre por resolución", "Facturación: comprobante de pago"} <= titles
        assert CannedResponse.objects.filter(department=None).exists()
        assert CannedResponse.objects.exclude(department=None).values("department").distinct(
            ).count() >= 4

    def test_the_demo_does_not_require_two_factor_for_agents(self, demo):
        assert SiteSettings.load().agents_require_2fa is False


def test_if_empty_does_nothing_when_a_ticket_exists(alice_ticket):
    before = counts()
    output = run_demo("--if-empty")
    assert counts() == before
    assert not User.objects.filter(email="cliente@example.com").exists()
    assert "no se cargan" in output


def test_the_command_line_loads_it_into_a_fresh_sqlite_file_without_sending_email(tmp_path):
    """What `make run` does on an empty database, on a real SQLite file with
    the production settings: no email may be printed (the console backend)
    nor left queued for the job consumer."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "EMAIL_HOST", "HUEY_IMMEDIATE"}}
    env.update(DJANGO_SETTINGS_MODULE="ventanilla.settings", VENTANILLA_DATA_DIR=str(tmp_path))
    for command in (["migrate", "--noinput", "-v0"], ["demo", "--if-empty"]):
        result = subprocess.run([sys.executable, "-m", "ventanilla", *command], env=env,
                                capture_output=True, text=True, timeout=120, check=False)
        assert result.returncode == 0, result.stderr
    assert "cliente@example.com" in result.stdout
    assert "Subject:" not in result.stdout + result.stderr

    with closing(sqlite3.connect(tmp_path / "ventanilla.sqlite3")) as db:
        tickets = db.execute("select count(*) from tickets_ticket").fetchone()[0]
        # Feature demos (ventanilla/<app>/demo.py) may add tickets of their own.
        assert tickets >= len(demo_data.TICKETS) >= 60
    with closing(sqlite3.connect(tmp_path / "jobs.sqlite3")) as jobs:
        tables = {row[0] for row in jobs.execute("select name from sqlite_master")}
        if "task" in tables:
            assert jobs.execute("select count(*) from task").fetchone()[0] == 0
