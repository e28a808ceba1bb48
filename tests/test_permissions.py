"""Who may see which ticket, at the level of ventanilla.tickets.access, the
one module views fetch tickets through."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from tests.conftest import make_agent
from ventanilla.accounts.models import AgentProfile
from ventanilla.tickets import services
from ventanilla.tickets.access import (
    is_console_user,
    ticket_for_agent,
    ticket_for_customer,
    tickets_for_agent,
    tickets_for_customer,
)


@pytest.fixture
def tickets(alice_ticket, bob_ticket, billing_ticket):
    """alice has a Soporte técnico and a Facturación ticket, bob one of Soporte."""
    return {"alice_support": alice_ticket, "bob_support": bob_ticket, "alice_billing": billing_ticket}


def visible(queryset) -> set[str]:
    return set(queryset.values_list("number", flat=True))


# --- customers -------------------------------------------------------------


def test_a_customer_sees_their_own_tickets_only(tickets, alice, bob):
    assert visible(tickets_for_customer(alice.user)) == {
        tickets["alice_support"].number, tickets["alice_billing"].number}
    assert visible(tickets_for_customer(bob.user)) == {tickets["bob_support"].number}


def test_a_customer_gets_their_ticket(tickets, alice):
    number = tickets["alice_support"].number
    assert ticket_for_customer(alice.user, number).number == number


def test_a_customer_gets_404_for_another_customers_ticket(tickets, alice, bob):
    with pytest.raises(Http404):
        ticket_for_customer(bob.user, tickets["alice_support"].number)
    with pytest.raises(Http404):
        ticket_for_customer(alice.user, tickets["bob_support"].number)


def test_a_customer_gets_404_for_a_number_that_does_not_exist(tickets, alice):
    with pytest.raises(Http404):
        ticket_for_customer(alice.user, "00000000")


def test_a_customer_is_no_agent(tickets, alice):
    assert not is_console_user(alice.user)
    assert visible(tickets_for_agent(alice.user)) == set()
    with pytest.raises(Http404):
        ticket_for_agent(alice.user, tickets["alice_support"].number)


def test_an_agent_does_not_see_tickets_as_a_customer(tickets, carla):
    with pytest.raises(Http404):
        ticket_for_customer(carla, tickets["alice_support"].number)


# --- agents ----------------------------------------------------------------


def test_an_agent_sees_the_tickets_of_their_departments(tickets, carla, diego):
    assert visible(tickets_for_agent(carla)) == {
        tickets["alice_support"].number, tickets["bob_support"].number}
    assert visible(tickets_for_agent(diego)) == {tickets["alice_billing"].number}


def test_an_agent_gets_a_ticket_of_their_department(tickets, carla, diego):
    assert ticket_for_agent(carla, tickets["bob_support"].number).customer.email == "bob@example.com"
    assert ticket_for_agent(diego, tickets["alice_billing"].number)


def test_an_agent_gets_404_for_another_departments_ticket(tickets, carla, diego):
    with pytest.raises(Http404):
        ticket_for_agent(carla, tickets["alice_billing"].number)
    with pytest.raises(Http404):
        ticket_for_agent(diego, tickets["alice_support"].number)


def test_an_agent_of_several_departments_sees_them_all(tickets, carla, facturacion):
    carla.agent.departments.add(facturacion)
    assert visible(tickets_for_agent(carla)) == {t.number for t in tickets.values()}


def test_an_agent_without_departments_sees_nothing(tickets):
    idle = make_agent("nadie@example.com", "Sin Departamento")
    assert visible(tickets_for_agent(idle)) == set()
    with pytest.raises(Http404):
        ticket_for_agent(idle, tickets["alice_support"].number)


def test_an_inactive_agent_sees_nothing(tickets, carla):
    AgentProfile.objects.filter(user=carla).update(is_active=False)
    carla.refresh_from_db()
    assert not is_console_user(carla)
    assert visible(tickets_for_agent(carla)) == set()
    with pytest.raises(Http404):
        ticket_for_agent(carla, tickets["alice_support"].number)


def test_a_supervisor_sees_every_department(tickets, sofia):
    assert visible(tickets_for_agent(sofia)) == {t.number for t in tickets.values()}
    for ticket in tickets.values():
        assert ticket_for_agent(sofia, ticket.number).pk == ticket.pk


def test_a_superuser_sees_every_department(tickets, root):
    assert is_console_user(root)
    assert visible(tickets_for_agent(root)) == {t.number for t in tickets.values()}
    assert ticket_for_agent(root, tickets["alice_billing"].number)


def test_a_superuser_is_not_a_customer(tickets, root):
    assert visible(tickets_for_customer(root)) == set()
    with pytest.raises(Http404):
        ticket_for_customer(root, tickets["alice_support"].number)


# --- anonymous -------------------------------------------------------------


def test_an_anonymous_visitor_sees_nothing(tickets):
    anonymous = AnonymousUser()
    assert not is_console_user(anonymous)
    assert visible(tickets_for_customer(anonymous)) == set()
    assert visible(tickets_for_agent(anonymous)) == set()
    with pytest.raises(Http404):
        ticket_for_customer(anonymous, tickets["alice_support"].number)
    with pytest.raises(Http404):
        ticket_for_agent(anonymous, tickets["alice_support"].number)


def test_a_ticket_moved_to_another_department_changes_who_sees_it(tickets, carla, diego,
                                                                   facturacion):
    services.ticket_update_fields(tickets["alice_support"], agent=carla, department=facturacion)
    with pytest.raises(Http404):
        ticket_for_agent(carla, tickets["alice_support"].number)
    assert ticket_for_agent(diego, tickets["alice_support"].number)
