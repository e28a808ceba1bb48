"""The ticket services: what they refuse, what they record."""

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ventanilla.tickets import services
from ventanilla.tickets.models import (
    Attachment,
    Category,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)
from ventanilla.tickets.services import IncidentDetails
from ventanilla.tickets.status import Role


@pytest.fixture
def incident():
    return IncidentDetails(
        server_ip="192.0.2.10", order_number="123456", service_name="Hosting Negocios - alicia.mx",
        started_at=datetime(2025, 3, 3, 8, 30, tzinfo=UTC), time_zone="Europe/Madrid",
        diagnostics="El sitio devuelve 503 desde las 9:30 CET.",
    )


def events(ticket, kind) -> list[tuple[str, str]]:
    return list(ticket.events.filter(kind=kind).values_list("from_value", "to_value"))


# --- ticket_create -----------------------------------------------------------


def test_it_creates_a_ticket_with_its_first_message_and_event(alice, soporte, correo_category):
    service = alice.services.get(order_number="123456")
    ticket = services.ticket_create(
        customer=alice, requester=alice.user, subject="  El correo no sale  ",
        body="Error 550 al enviar.", department=soporte, category=correo_category, service=service,
    )
    assert ticket.subject == "El correo no sale"
    assert (ticket.status, ticket.priority) == (Status.OPEN, Priority.REGULAR)
    message = ticket.messages.get()
    assert (message.kind, message.author, message.body) == (
        Message.Kind.CUSTOMER, alice.user, "Error 550 al enviar.")
    assert events(ticket, TicketEvent.Kind.CREATED) == [("", "portal")]
    assert ticket.last_customer_message_at == ticket.created_at


def test_an_alta_ticket_keeps_the_incident_details(alice, soporte, incident):
    ticket = services.ticket_create(
        customer=alice, requester=alice.user, subject="Sitio caído", body="No carga.",
        department=soporte, priority=Priority.HIGH, incident=incident,
    )
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    assert ticket.incident_server_ip == "192.0.2.10"
    assert ticket.incident_order_number == "123456"
    assert ticket.incident_service_name == "Hosting Negocios - alicia.mx"
    assert ticket.incident_started_at == incident.started_at
    assert ticket.incident_time_zone == "Europe/Madrid"
    assert ticket.incident_diagnostics == incident.diagnostics


def test_it_refuses_an_alta_ticket_without_incident_details(alice, soporte):
    with pytest.raises(ValidationError, match="Alta"):
        services.ticket_create(customer=alice, requester=alice.user, subject="Urgente",
                               body="Caído", department=soporte, priority=Priority.HIGH)
    assert not Ticket.objects.exists()


def test_it_refuses_a_service_of_another_customer(alice, bob, soporte):
    with pytest.raises(ValidationError, match="no pertenece a tu cuenta"):
        services.ticket_create(customer=alice, requester=alice.user, subject="VPS", body="...",
                               department=soporte, service=bob.services.get())
    assert not Ticket.objects.exists()


def test_it_refuses_a_category_of_another_department(alice, facturacion, correo_category):
    with pytest.raises(ValidationError, match="no pertenece al departamento"):
        services.ticket_create(customer=alice, requester=alice.user, subject="Correo",
                               body="...", department=facturacion, category=correo_category)
    assert not Ticket.objects.exists()


def test_ticket_numbers_are_eight_unique_digits_in_no_order(alice, make_ticket):
    numbers = [make_ticket(alice, subject=f"Ticket {i}").number for i in range(30)]
    assert all(len(n) == 8 and n.isdigit() and not n.startswith("0") for n in numbers)
    assert len(set(numbers)) == len(numbers)
    steps = {int(b) - int(a) for a, b in zip(numbers, numbers[1:], strict=False)}
    assert steps != {1}
    assert numbers != sorted(numbers)


def test_a_number_collision_draws_another_number(alice, make_ticket, monkeypatch):
    taken = make_ticket(alice).number
    draws = iter([taken, "87654321"])
    monkeypatch.setattr(Ticket._meta.get_field("number"), "_get_default", lambda: next(draws))
    assert make_ticket(alice, subject="Otro").number == "87654321"


def test_the_first_message_keeps_its_attachments(alice, make_ticket):
    ticket = make_ticket(alice, files=[SimpleUploadedFile("pasos.txt", b"1. Abrir Outlook")])
    attachment = Attachment.objects.get(message__ticket=ticket)
    assert (attachment.original_name, attachment.content_type) == ("pasos.txt", "text/plain")


# --- ticket_update_fields ----------------------------------------------------


def test_it_logs_each_field_it_changes(alice_ticket, carla, soporte):
    web = Category.objects.get(department=soporte, name="Sitio web")
    services.ticket_update_fields(alice_ticket, agent=carla, category=web, priority=Priority.HIGH)
    ticket = Ticket.objects.get(pk=alice_ticket.pk)
    assert (ticket.category, ticket.priority) == (web, Priority.HIGH)
    assert events(ticket, TicketEvent.Kind.CATEGORY) == [("", "Sitio web")]
    assert events(ticket, TicketEvent.Kind.PRIORITY) == [("regular", "alta")]
    assert set(ticket.events.filter(kind__in=["categoria", "prioridad"])
               .values_list("actor", flat=True)) == {carla.pk}


def test_it_logs_nothing_when_nothing_changes(alice_ticket, carla, soporte):
    before = alice_ticket.events.count()
    services.ticket_update_fields(alice_ticket, agent=carla, department=soporte,
                                  priority=Priority.REGULAR)
    assert alice_ticket.events.count() == before


def test_moving_to_another_department_drops_a_category_that_does_not_belong(
    alice, make_ticket, correo_category, carla, facturacion
):
    ticket = make_ticket(alice, category=correo_category)
    services.ticket_update_fields(ticket, agent=carla, department=facturacion)
    ticket.refresh_from_db()
    assert ticket.department == facturacion
    assert ticket.category is None
    assert events(ticket, TicketEvent.Kind.DEPARTMENT) == [("Soporte técnico", "Facturación")]
    assert events(ticket, TicketEvent.Kind.CATEGORY) == [("Correo", "")]


def test_moving_to_another_department_can_take_one_of_its_categories(
    alice, make_ticket, correo_category, carla, facturacion
):
    pagos = Category.objects.get(department=facturacion, name="Pagos")
    ticket = make_ticket(alice, category=correo_category)
    services.ticket_update_fields(ticket, agent=carla, department=facturacion, category=pagos)
    ticket.refresh_from_db()
    assert (ticket.department, ticket.category) == (facturacion, pagos)


def test_it_refuses_a_category_of_another_department_on_its_own(alice_ticket, carla, facturacion):
    pagos = Category.objects.get(department=facturacion, name="Pagos")
    with pytest.raises(ValidationError):
        services.ticket_update_fields(alice_ticket, agent=carla, category=pagos)
    assert Ticket.objects.get(pk=alice_ticket.pk).category is None


# --- ticket_assign -----------------------------------------------------------


def test_it_assigns_and_unassigns_an_agent_of_the_department(alice_ticket, carla, sofia):
    services.ticket_assign(alice_ticket, actor=sofia, assignee=carla)
    assert Ticket.objects.get(pk=alice_ticket.pk).assignee == carla
    services.ticket_assign(alice_ticket, actor=sofia, assignee=carla)  # no change, no event
    services.ticket_assign(alice_ticket, actor=carla, assignee=None)
    assert Ticket.objects.get(pk=alice_ticket.pk).assignee is None
    assert events(alice_ticket, TicketEvent.Kind.ASSIGNEE) == [
        ("", "Carla Soporte"), ("Carla Soporte", "")]


def test_it_refuses_an_agent_of_another_department(alice_ticket, carla, diego):
    with pytest.raises(ValidationError, match="no atiende"):
        services.ticket_assign(alice_ticket, actor=carla, assignee=diego)
    assert Ticket.objects.get(pk=alice_ticket.pk).assignee is None


def test_it_refuses_a_customer_as_assignee(alice_ticket, carla, bob):
    with pytest.raises(ValidationError):
        services.ticket_assign(alice_ticket, actor=carla, assignee=bob.user)


def test_a_supervisor_can_be_assigned_anywhere(billing_ticket, sofia):
    services.ticket_assign(billing_ticket, actor=sofia, assignee=sofia)
    assert Ticket.objects.get(pk=billing_ticket.pk).assignee == sofia


# --- ticket_merge --------------------------------------------------------------


def test_merging_copies_the_messages_and_closes_the_duplicate(alice, make_ticket, carla):
    target = make_ticket(alice, subject="El correo no sale")
    duplicate = make_ticket(alice, subject="Sigo sin correo", body="¿Alguna novedad?",
                            files=[SimpleUploadedFile("rebote.txt", b"550 5.7.1")])
    services.ticket_merge(duplicate, agent=carla, target=target)

    duplicate.refresh_from_db()
    assert duplicate.status == Status.CLOSED
    assert duplicate.merged_into == target
    assert target.messages.filter(kind=Message.Kind.CUSTOMER, body="¿Alguna novedad?").exists()
    copied = Attachment.objects.get(message__ticket=target)
    assert copied.original_name == "rebote.txt"
    assert duplicate.number in target.messages.get(kind=Message.Kind.SYSTEM).body
    assert target.number in duplicate.messages.get(kind=Message.Kind.SYSTEM).body
    assert events(duplicate, TicketEvent.Kind.MERGED) == [(duplicate.number, target.number)]
    assert events(target, TicketEvent.Kind.MERGED) == [(duplicate.number, target.number)]
    assert Ticket.objects.get(pk=target.pk).status == Status.OPEN


def test_it_refuses_to_merge_tickets_of_different_customers(alice_ticket, bob_ticket, carla):
    with pytest.raises(ValidationError, match="mismo cliente"):
        services.ticket_merge(bob_ticket, agent=carla, target=alice_ticket)
    assert Ticket.objects.get(pk=bob_ticket.pk).status == Status.OPEN
    assert alice_ticket.messages.count() == 1


def test_it_refuses_to_merge_a_ticket_into_itself(alice_ticket, carla):
    with pytest.raises(ValidationError):
        services.ticket_merge(alice_ticket, agent=carla, target=alice_ticket)


def test_it_refuses_to_merge_closed_tickets(alice, make_ticket, carla):
    target = make_ticket(alice)
    closed = make_ticket(alice, subject="Viejo")
    services.ticket_status_set(closed, actor=carla, role=Role.AGENT, status=Status.CLOSED)
    with pytest.raises(ValidationError):
        services.ticket_merge(closed, agent=carla, target=target)
    with pytest.raises(ValidationError):
        services.ticket_merge(target, agent=carla, target=closed)


def test_ticket_update_fields_clears_the_category_only_when_asked(alice_ticket, carla,
                                                                  correo_category):
    services.ticket_update_fields(alice_ticket, agent=carla, category=correo_category)
    services.ticket_update_fields(alice_ticket, agent=carla, priority=Priority.HIGH)
    alice_ticket.refresh_from_db()
    assert alice_ticket.category == correo_category
    services.ticket_update_fields(alice_ticket, agent=carla, category=None)
    alice_ticket.refresh_from_db()
    assert alice_ticket.category is None
    assert alice_ticket.events.filter(kind="categoria").count() == 2
