"""Masking belongs to the ticket services that every channel ends in (the
portal, email, the API, the chat's tickets): what a customer writes is
stored with passwords and card numbers hidden (issue 17, C2)."""

from django.urls import reverse

from ventanilla.core.sensitive import PLACEHOLDER
from ventanilla.tickets import services
from ventanilla.tickets.models import Channel


def test_ticket_create_masks_whatever_the_channel(alice, soporte):
    for channel in (Channel.EMAIL, Channel.CHAT, Channel.PORTAL):
        ticket = services.ticket_create(
            customer=alice, requester=alice.user, channel=channel, department=soporte,
            subject="usuario ana clave Perro99", body="Mi contraseña es Hunter2Pass!")
        assert ticket.subject == f"usuario ana clave {PLACEHOLDER}"
        assert ticket.messages.get().body == f"Mi contraseña es {PLACEHOLDER}"


def test_a_customer_reply_is_masked(alice, alice_ticket):
    message = services.ticket_customer_reply(
        alice_ticket, author=alice.user, channel=Channel.EMAIL,
        body="La contraseña del correo es Qw3rty.99, gracias")
    assert message.body == f"La contraseña del correo es {PLACEHOLDER} gracias"


def test_a_portal_reply_is_stored_and_shown_masked_and_the_customer_is_told(
        client, alice, alice_ticket):
    client.force_login(alice.user)
    response = client.post(reverse("portal:ticket_reply", args=[alice_ticket.number]),
                           {"body": "Mi contraseña de cPanel es Secreta123"}, follow=True)
    html = response.content.decode()
    assert "Secreta123" not in html
    assert f"Mi contraseña de cPanel es {PLACEHOLDER}" in html
    assert "Ocultamos una contraseña de tu mensaje" in html
    assert alice_ticket.messages.filter(body__contains="Secreta123").count() == 0
