"""The chat and ticket sidebars list only the customer's tickets the agent
may open (tickets.access.tickets_for_agent): another department's subjects
are not shown, and no link 404s (issue 17 A8)."""

import re

import pytest
from django.urls import reverse

from ventanilla.chat.services import chat_start

from ..conftest import make_agent
from .agents import available

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(alice, make_ticket, facturacion):
    support = make_ticket(alice, subject="El correo rebota")
    other_support = make_ticket(alice, subject="SSL caducado")
    billing = make_ticket(alice, subject="Cobro doble en la tarjeta 4111", department=facturacion)
    return support, other_support, billing


def ticket_links(html):
    return re.findall(r'href="/consola/tickets/([^/"]+)/"', html)


def test_the_ticket_sidebar_hides_other_departments_tickets(client, carla, sofia, tickets):
    support, other_support, billing = tickets
    client.force_login(carla)
    page = client.get(reverse("console:ticket_detail", args=[support.number])).content.decode()
    assert "SSL caducado" in page
    assert "Cobro doble" not in page and f"#{billing.number}" not in page
    for number in ticket_links(page):
        assert client.get(reverse("console:ticket_detail", args=[number])).status_code == 200
    client.force_login(sofia)  # a supervisor opens every department
    page = client.get(reverse("console:ticket_detail", args=[support.number])).content.decode()
    assert "Cobro doble" in page and "SSL caducado" in page


def test_the_chat_sidebar_hides_other_departments_tickets(client, alice, carla, sofia, soporte, tickets):
    support, _other, billing = tickets
    available(carla)
    chat = chat_start(department=soporte, user=alice.user)
    url = reverse("chat:console_sidebar", args=[chat.pk])
    client.force_login(carla)
    page = client.get(url).content.decode()
    assert f"#{support.number}" in page
    assert "Cobro doble" not in page and f"#{billing.number}" not in page
    for number in ticket_links(page):
        assert client.get(reverse("console:ticket_detail", args=[number])).status_code == 200
    client.force_login(sofia)
    assert "Cobro doble" in client.get(url).content.decode()


def test_an_agent_of_both_departments_sees_both(client, alice, soporte, facturacion, tickets):
    both = make_agent("ana@example.com", "Ana Ambos", [soporte, facturacion])
    client.force_login(both)
    page = client.get(reverse("console:ticket_detail", args=[tickets[0].number])).content.decode()
    assert "Cobro doble" in page and "SSL caducado" in page
