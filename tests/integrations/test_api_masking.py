"""The API ends in the same ticket services as the portal: a password or a
card number a customer writes is hidden before it is stored (issue 17, C2)."""

from ventanilla.core.sensitive import PLACEHOLDER
from ventanilla.tickets.models import Message, Ticket

from .conftest import new_ticket


def test_a_ticket_opened_through_the_api_is_masked(synced):
    data = new_ticket(synced, subject="Mi clave es Gato.2024",
                      body="Mi contraseña de cPanel es Secreta123 y la tarjeta 4111 1111 1111 1111")
    ticket = Ticket.objects.get(number=data["number"])
    body = ticket.messages.get().body
    assert body == f"Mi contraseña de cPanel es {PLACEHOLDER} y la tarjeta {PLACEHOLDER}"
    assert ticket.subject == f"Mi clave es {PLACEHOLDER}"
    shown = synced.get(f"/tickets/{data['number']}", customer="C-ALICE").content.decode()
    assert "Secreta123" not in shown and "Gato.2024" not in shown and "4111" not in shown


def test_a_customer_message_through_the_api_is_masked(synced):
    number = new_ticket(synced)["number"]
    r = synced.post(f"/tickets/{number}/messages", {
        "kind": "customer", "customer": "C-ALICE", "body": "my password is Hunter2Pass!"})
    assert r.status_code == 201, r.content
    assert r.json()["body"] == f"my password is {PLACEHOLDER}"
    assert Message.objects.filter(ticket__number=number, body__contains="Hunter2").count() == 0
