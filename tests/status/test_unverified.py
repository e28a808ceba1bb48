"""Strangers are never written into a customer's account (issue 17, A5).

Given alice's email or domain, each entry point without a login ("No puedo
iniciar sesión", ventas, abuso, the visitor chat's "leave a ticket") opens a
ticket that stays out of alice's history (portal, dashboard, API, bell), is
flagged "no verificado" for agents with alice as the possible account, and
tells alice's registered address that someone asked in her name, with a
confirm link. It joins her history only by that link (a POST), by her own
session, or by the support PIN."""

import re

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from ventanilla.integrations.models import Integration
from ventanilla.integrations.services import api_key_create
from ventanilla.notifications.models import Notification
from ventanilla.status import services as status_services
from ventanilla.tickets import verification
from ventanilla.tickets.models import Ticket, TicketEvent

from ..conftest import make_agent
from .test_contact import (
    ABUSE,
    CANNOT_LOGIN,
    PRESALES,
    abuse_data,
    cannot_login_data,
    presales_data,
)

CONFIRM_LINK = re.compile(r"https?://\S+/cliente/solicitudes/confirmar/[^/\s]+/")


def via_cannot_login(client):
    client.post(CANNOT_LOGIN, cannot_login_data(identifier="www.alicia.mx"), REMOTE_ADDR="203.0.113.5")


def via_presales(client):
    client.post(PRESALES, presales_data(email="Alice@Example.com", name="Alicia"),
                REMOTE_ADDR="203.0.113.6")


def via_abuse(client):
    client.post(ABUSE, abuse_data(email="alice@example.com", target="https://otro-sitio.test/x"),
                REMOTE_ADDR="203.0.113.7")


def via_chat(client):
    from ventanilla.tickets.models import Department

    response = client.post(reverse("chat:offline_ticket"), {
        "department": Department.objects.get(slug="soporte").pk, "name": "Alicia",
        "email": "alice@example.com", "message": "Cambien el correo de mi cuenta, por favor."})
    assert response.status_code == 200, response.content


ENTRY_POINTS = [via_cannot_login, via_presales, via_abuse, via_chat]


@pytest.fixture
def stranger(client, django_capture_on_commit_callbacks):
    """stranger(via) -> the ticket someone without a login opened with
    alice's email or domain (emails sent)."""

    def _open(via=via_presales):
        with django_capture_on_commit_callbacks(execute=True):
            via(client)
        client.logout()
        return Ticket.objects.select_related("customer").order_by("-pk").first()

    return _open


@pytest.fixture
def billing_api(client, sofia, alice):
    integration = Integration.objects.create(name="WHMCS", slug="whmcs", agent=sofia)
    _key, raw = api_key_create(integration, name="pruebas", scopes=["tickets:read", "customers:write"],
                               rate="600/m")
    alice.external_id = "C-ALICE"
    alice.save(update_fields=["external_id"])

    def get(path, **params):
        return client.get(f"/api/v1{path}", params, headers={"Authorization": f"Bearer {raw}"})

    return get


def link_path(message) -> str:
    url = CONFIRM_LINK.findall(message.body)[0]
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def in_alices_history(client, alice, ticket) -> bool:
    client.force_login(alice.user)
    history = client.get(reverse("portal:ticket_list")).content.decode()
    dashboard = client.get(reverse("portal:dashboard")).content.decode()
    detail = client.get(reverse("portal:ticket_detail", args=[ticket.number])).status_code
    client.logout()
    shown = [ticket.number in history, ticket.number in dashboard, detail == 200]
    assert len(set(shown)) == 1, shown  # all or nothing
    return shown[0]


# --- Each entry point keeps the stranger out ---------------------------------------

@pytest.mark.parametrize("via", ENTRY_POINTS, ids=lambda f: f.__name__)
def test_a_stranger_using_alices_email_or_domain_stays_out_of_her_account(
        via, client, stranger, alice, carla, billing_api):
    mail.outbox.clear()
    ticket = stranger(via)
    assert ticket.customer != alice
    assert ticket.customer.unverified and ticket.customer.unverified_for == alice

    # Not in her history, dashboard or ticket page; not in the API as her; no bell.
    assert not in_alices_history(client, alice, ticket)
    listed = billing_api("/tickets", customer="C-ALICE").json()["items"]
    assert ticket.number not in [row["number"] for row in listed]
    assert billing_api(f"/tickets/{ticket.number}", customer="C-ALICE").status_code == 404
    assert not Notification.objects.filter(customer=alice).exists()

    # Her registered address hears that someone asked in her name; no receipt "as hers".
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    message = mail.outbox[0]
    assert "en nombre de tu cuenta" in message.subject
    assert "No sabemos si fuiste tú" in message.body
    assert "Recibimos tu ticket" not in message.body
    assert CONFIRM_LINK.search(message.body)
    # What the stranger typed is not relayed to her mailbox (the confirm page shows it).
    html = message.alternatives[0][0]
    for typed in ("Perdí el acceso", "PHP 8.3", "imita a un banco"):
        assert typed not in message.body and typed not in html

    # The agent sees "no verificado" and the possible account, in the queue and the page.
    agent = make_agent("sup@example.com", "Sup", supervisor=True)
    client.force_login(agent)
    page = client.get(reverse("console:ticket_detail", args=[ticket.number])).content.decode()
    assert "No verificado" in page and "Posible cuenta" in page and "alice@example.com" in page
    queue = client.get(reverse("console:queue")).content.decode()
    row = queue[queue.index(f"#{ticket.number}"):][:3000]
    assert "No verificado" in row


def test_the_visitors_own_address_still_gets_its_receipt(stranger, alice):
    mail.outbox.clear()
    ticket = stranger(lambda client: client.post(PRESALES, presales_data(), REMOTE_ADDR="203.0.113.9"))
    assert ticket.customer.email == "eva@nueva.mx" and not ticket.customer.unverified
    assert [m.to for m in mail.outbox] == [["eva@nueva.mx"]]
    assert ticket.number in mail.outbox[0].subject


def test_an_agents_reply_goes_only_to_the_registered_address(
        stranger, alice, carla, django_capture_on_commit_callbacks):
    from ventanilla.tickets import services as ticket_services

    ticket = stranger(via_chat)
    ticket.participants.create(email="atacante@evil.test")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.ticket_agent_reply(ticket, agent=carla, body="¿Nos dictas tu PIN de soporte?")
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]


# --- Three ways to prove it -----------------------------------------------------------

def test_alice_confirms_with_the_link_and_only_the_post_moves_it(client, stranger, alice):
    mail.outbox.clear()
    ticket = stranger(via_cannot_login)
    path = link_path(mail.outbox[0])

    page = client.get(path)  # what a mail scanner does
    assert page.status_code == 200
    assert "¿Escribiste tú esta solicitud?" in page.content.decode()
    assert not in_alices_history(client, alice, ticket)

    done = client.post(path)
    assert done.status_code == 200 and "la solicitud es tuya" in done.content.decode()
    ticket.refresh_from_db()
    assert ticket.customer == alice
    assert in_alices_history(client, alice, ticket)
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.VERIFIED)
    assert "alice@example.com" in event.to_value and "correo registrado" in event.to_value
    # The link used again: it says so, and moves nothing.
    again = client.post(path)
    assert again.status_code == 200 and "ya está en tu historial" in again.content.decode()


def test_alice_logs_in_and_claims_it(client, stranger, alice, bob):
    mail.outbox.clear()
    ticket = stranger(via_presales)
    list_url = reverse("portal:unverified_list")
    # The email's second link leads to the login, then to the claim list.
    assert list_url in mail.outbox[0].body
    response = client.get(list_url)
    assert response.status_code == 302 and "next=" + list_url in response.url

    claim_url = reverse("portal:unverified_claim", args=[ticket.number])
    client.force_login(bob.user)  # another customer sees nothing and claims nothing
    assert ticket.number not in client.get(list_url).content.decode()
    assert client.post(claim_url).status_code == 404

    client.force_login(alice.user)
    assert ticket.number in client.get(list_url).content.decode()
    response = client.post(claim_url)
    assert response.url == reverse("portal:ticket_detail", args=[ticket.number])
    client.logout()
    assert in_alices_history(client, alice, ticket)
    assert TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.VERIFIED).actor == alice.user


def test_an_agent_verifies_the_support_pin(client, stranger, alice, carla):
    ticket = stranger(via_chat)
    pin = status_services.pin_for(alice).pin
    url = reverse("status:console_pin_check", args=[ticket.number])
    client.force_login(carla)
    wrong = "000000" if pin != "000000" else "111111"
    client.post(url, {"pin": wrong})
    ticket.refresh_from_db()
    assert ticket.customer.unverified  # a wrong PIN proves nothing

    client.post(url, {"pin": pin})
    ticket.refresh_from_db()
    assert ticket.customer == alice
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.VERIFIED)
    assert event.actor == carla and "PIN" in event.to_value
    assert in_alices_history(client, alice, ticket)


def test_without_a_matching_account_there_is_no_pin_to_check(client, stranger, carla):
    ticket = stranger(lambda c: c.post(CANNOT_LOGIN, cannot_login_data(identifier="nadie.test"),
                                       REMOTE_ADDR="203.0.113.8"))
    assert ticket.customer.unverified and ticket.customer.unverified_for is None
    client.force_login(make_agent("v@example.com", "V", supervisor=True))
    page = client.get(reverse("console:ticket_detail", args=[ticket.number])).content.decode()
    assert "No verificado" in page and "no hay PIN que verificar" in page
    response = client.post(reverse("status:console_pin_check", args=[ticket.number]), {"pin": "123456"},
                           follow=True)
    assert "no hay PIN que verificar" in response.content.decode()


# --- Links a stranger cannot use --------------------------------------------------------

def test_a_forged_or_tampered_link_is_404(client, stranger, alice, bob):
    mail.outbox.clear()
    ticket = stranger(via_presales)
    path = link_path(mail.outbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    forged = signing.dumps({"t": ticket.pk, "a": alice.pk}, salt="otra-sal")
    for bad in (token[:-2] + "xx", forged, "nada"):
        url = reverse("portal:unverified_confirm", args=[bad])
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    # A genuine link for bob's request does not move alice's ticket.
    bobs = signing.dumps({"t": ticket.pk, "a": bob.pk}, salt=verification.CONFIRM_SALT, compress=True)
    assert client.post(reverse("portal:unverified_confirm", args=[bobs])).status_code == 404
    ticket.refresh_from_db()
    assert ticket.customer.unverified


def test_an_expired_link_says_so_and_moves_nothing(client, stranger, alice):
    mail.outbox.clear()
    ticket = stranger(via_presales)
    path = link_path(mail.outbox[0])
    with time_machine.travel(timezone.now() + verification.CONFIRM_MAX_AGE + timezone.timedelta(hours=1)):
        response = client.post(path)
    assert response.status_code == 410
    assert "Este enlace caducó" in response.content.decode()
    assert reverse("portal:unverified_list") in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.customer.unverified
