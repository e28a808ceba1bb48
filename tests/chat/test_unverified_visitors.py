"""A visitor who types a customer's email in the chat proved nothing (issue
17, A5): the ticket they leave, or the one an agent makes from their chat,
waits outside the customer's account, flagged for agents, until the
customer confirms it; a logged-in customer's chat is theirs at once."""

import pytest
from django.core import mail

from ventanilla.chat import services
from ventanilla.tickets.access import tickets_for_customer
from ventanilla.tickets.models import Ticket

from .agents import available

pytestmark = pytest.mark.django_db


def visitor_chat(soporte, **extra):
    return services.chat_start(department=soporte, name="Alicia", email="ALICE@example.com",
                               first_message="Cambien el correo de mi cuenta.", **extra)


def test_a_visitor_leaving_a_waiting_chat_as_a_ticket_stays_out_of_the_account(
        alice, soporte, django_capture_on_commit_callbacks):
    chat = visitor_chat(soporte)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket = services.chat_leave_ticket(department=soporte, body="Lo dejo como ticket.", chat=chat)
    assert ticket.customer.unverified and ticket.customer.unverified_for == alice
    assert not tickets_for_customer(alice.user).filter(pk=ticket.pk).exists()
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    assert "/cliente/solicitudes/confirmar/" in mail.outbox[0].body


def test_an_agent_converting_a_visitors_chat_keeps_it_unverified(alice, carla, soporte):
    available(carla)
    chat = visitor_chat(soporte)
    ticket = services.chat_convert_to_ticket(chat, agent=carla)
    assert ticket.customer.unverified and ticket.customer.unverified_for == alice
    assert not tickets_for_customer(alice.user).filter(pk=ticket.pk).exists()


def test_a_logged_in_customers_chat_ticket_is_theirs(alice, carla, soporte):
    available(carla)
    chat = services.chat_start(department=soporte, user=alice.user, first_message="Hola")
    ticket = services.chat_convert_to_ticket(chat, agent=carla)
    assert ticket.customer == alice
    assert tickets_for_customer(alice.user).filter(pk=ticket.pk).exists()


def test_a_visitor_with_a_new_address_gets_a_guest_customer_as_before(soporte):
    ticket = services.chat_leave_ticket(department=soporte, body="¿Tienen VPS?", name="Eva",
                                        email="eva@nueva.mx")
    assert ticket.customer.email == "eva@nueva.mx" and not ticket.customer.unverified
    # The same address again: the same guest customer, never a second one.
    again = services.chat_leave_ticket(department=soporte, body="¿Y dominios?", name="Eva",
                                       email="Eva@Nueva.mx")
    assert again.customer == ticket.customer
    assert Ticket.objects.filter(customer__email="eva@nueva.mx").count() == 2
