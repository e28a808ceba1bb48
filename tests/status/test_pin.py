"""The support PIN: every customer has one, sees it and rotates it; agents
check it from the ticket sidebar, every check is logged, and repeated wrong
PINs lock checking for a while."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from ventanilla.status import services
from ventanilla.status.models import PinCheck, SupportPin
from ventanilla.tickets.models import Message


def test_the_customer_sees_and_rotates_their_pin(client, alice):
    client.force_login(alice.user)
    page = client.get(reverse("notifications:list")).content.decode()
    pin = SupportPin.objects.get(customer=alice).pin
    assert len(pin) == 6 and pin.isdigit() and pin in page
    assert pin in client.get(reverse("account_settings")).content.decode()
    client.post(reverse("status:pin_rotate"))
    assert SupportPin.objects.get(customer=alice).pin != pin


def check(client, ticket, pin):
    return client.post(reverse("status:console_pin_check", args=[ticket.number]), {"pin": pin},
                       follow=True)


def test_an_agent_verifies_the_pin_and_the_check_is_logged(client, carla, alice, alice_ticket):
    pin = services.pin_for(alice).pin
    client.force_login(carla)
    page = client.get(reverse("console:ticket_detail", args=[alice_ticket.number])).content.decode()
    assert "PIN de soporte" in page and pin not in page  # agents check it, never read it
    assert "PIN correcto" in check(client, alice_ticket, pin).content.decode()
    wrong = "000000" if pin != "000000" else "111111"
    assert "PIN incorrecto" in check(client, alice_ticket, wrong).content.decode()
    assert list(PinCheck.objects.order_by("created_at", "id").values_list("result", "agent")) == [
        ("correcto", carla.pk), ("incorrecto", carla.pk)]
    notes = alice_ticket.messages.filter(kind=Message.Kind.NOTE)
    assert notes.count() == 2  # visible to agents in the ticket, not to the customer


def test_repeated_wrong_pins_lock_checking_for_a_while(carla, alice, alice_ticket):
    pin = services.pin_for(alice).pin
    wrong = "000000" if pin != "000000" else "111111"
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(services.PIN_MAX_FAILURES):
            assert services.pin_check(alice, agent=carla, pin=wrong).result == "incorrecto"
        # Locked: even the right PIN is not checked now.
        assert services.pin_check(alice, agent=carla, pin=pin).result == "bloqueado"
        assert services.pin_locked_until(alice) == start + services.PIN_LOCK
    with time_machine.travel(start + services.PIN_LOCK - timedelta(seconds=1), tick=False):
        assert services.pin_check(alice, agent=carla, pin=pin).result == "bloqueado"
    with time_machine.travel(start + services.PIN_LOCK + timedelta(seconds=1), tick=False):
        assert services.pin_locked_until(alice) is None
        assert services.pin_check(alice, agent=carla, pin=pin).result == "correcto"


def test_a_right_pin_resets_the_count(carla, alice):
    pin = services.pin_for(alice).pin
    wrong = "000000" if pin != "000000" else "111111"
    for _ in range(services.PIN_MAX_FAILURES - 1):
        services.pin_check(alice, agent=carla, pin=wrong)
    services.pin_check(alice, agent=carla, pin=pin)
    assert services.pin_check(alice, agent=carla, pin=wrong).result == "incorrecto"
    assert services.pin_locked_until(alice) is None


def test_the_lock_shows_in_the_sidebar_and_is_per_customer(client, carla, alice, bob, alice_ticket,
                                                          bob_ticket):
    for _ in range(services.PIN_MAX_FAILURES):
        services.pin_check(alice, agent=carla, pin="abcdef")
    client.force_login(carla)
    page = client.get(reverse("console:ticket_detail", args=[alice_ticket.number])).content.decode()
    assert "Verificación bloqueada" in page
    page = client.get(reverse("console:ticket_detail", args=[bob_ticket.number])).content.decode()
    assert "Verificación bloqueada" not in page


def test_a_customer_cannot_check_pins(client, alice, alice_ticket):
    client.force_login(alice.user)
    response = client.post(reverse("status:console_pin_check", args=[alice_ticket.number]),
                           {"pin": "123456"})
    assert response.status_code == 404 and not PinCheck.objects.exists()
