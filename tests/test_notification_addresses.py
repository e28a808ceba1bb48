"""A customer's extra notification addresses ("Mi cuenta → Direcciones de
notificación"): added, confirmed by a link sent to them, only then receiving
the notices of their kind, and removable only by their owner."""

import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from ventanilla.mail.models import NotificationAddress, OutboundEmail
from ventanilla.tickets import services

PAGE = "/cuenta/correos/"
START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
LINK = re.compile(r"https?://\S+/cuenta/correos/confirmar/\S+/")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def _commit(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return _commit


def add(client, commit, email, kind="soporte"):
    return commit(client.post, PAGE, {"email": email, "kind": kind})


def confirmation_link(mailoutbox, email) -> str:
    (message,) = [m for m in mailoutbox if m.to == [email]]
    return LINK.search(message.body).group(0)


def test_the_account_settings_page_links_to_it(alice_client):
    response = alice_client.get(reverse("account_settings"))
    assert "Direcciones de notificación" in response.text
    assert f'href="{PAGE}"' in response.text


def test_the_page_says_what_each_kind_receives_today(alice_client):
    response = alice_client.get(PAGE)
    assert response.status_code == 200
    assert "alice@example.com" in response.text  # the registered address gets everything
    for kind in ("Soporte (actualizaciones de tickets)", "Facturas y pedidos", "Abusos y seguridad"):
        assert kind in response.text
    assert "facturas emitidas, pedidos confirmados y pagos fallidos" in response.text
    assert "los avisos de abuso y de seguridad sobre tus servicios" in response.text
    assert "Por ahora solo enviamos" not in response.text
    assert "para cuando enviemos" not in response.text


def test_the_page_is_titled_for_what_it_is_with_a_whole_breadcrumb(alice_client):
    response = alice_client.get(PAGE)
    assert "<title>Direcciones de notificación · " in response.text
    assert "Enviar correos electrónicos" not in response.text
    assert re.search(r'<a href="/cuenta/ajustes/">Mi cuenta</a> › '
                     r'<span aria-current="page">Direcciones de notificación</span>', response.text)


def confirmed(customer, email, kind):
    return unconfirmed(customer, email, kind, confirmed_at=datetime.now(UTC))


def unconfirmed(customer, email, kind, **extra):
    return NotificationAddress.objects.create(customer=customer, email=email, kind=kind,
                                              token=secrets.token_urlsafe(), **extra)


def test_each_kind_of_notice_reaches_exactly_the_confirmed_addresses_of_its_kind(
        commit, mailoutbox, alice, bob, carla, make_ticket, sofia):
    from ventanilla.integrations.models import Integration
    from ventanilla.notifications.models import Kind
    from ventanilla.notifications.services import billing_event_receive, notify
    from ventanilla.status.services import abuse_notice_send

    confirmed(alice, "sistemas@alicia.mx", "soporte")
    confirmed(alice, "pagos@alicia.mx", "facturacion")
    confirmed(alice, "seguridad@alicia.mx", "abuso")
    for kind in ("soporte", "facturacion", "abuso"):  # unconfirmed: nothing ever
        unconfirmed(alice, f"{kind}@sin-confirmar.mx", kind)
    confirmed(bob, "otro@roberto.com", "facturacion")  # another customer's
    registered = "alice@example.com"

    def sent(function, *args, **kwargs):
        before = len(mailoutbox)
        commit(function, *args, **kwargs)
        return sorted(to for message in mailoutbox[before:] for to in message.to)

    ticket = None

    def open_ticket():
        nonlocal ticket
        ticket = make_ticket(alice)

    assert sent(open_ticket) == sorted([registered, "sistemas@alicia.mx"])
    assert sent(services.ticket_agent_reply, ticket, agent=carla, body="Ya quedó.") == \
        sorted([registered, "sistemas@alicia.mx"])
    assert sent(notify, [alice.pk], kind=Kind.SERVICE,
                text=lambda: ("Mantenimiento", "El sábado.")) == sorted([registered,
                                                                         "sistemas@alicia.mx"])
    billing = Integration.objects.create(name="WHMCS", slug="whmcs", agent=sofia)
    assert sent(billing_event_receive, billing, {
        "id": "ev-1", "type": "invoice.issued", "customer": {"email": registered},
        "data": {"number": "F-100", "amount": "10", "currency": "USD"},
    }) == sorted([registered, "pagos@alicia.mx"])
    assert sent(abuse_notice_send, alice, agent=carla, ticket=ticket, title="Spam desde tu sitio",
                body="Detectamos envíos masivos.") == sorted([registered, "seguridad@alicia.mx"])


def test_an_added_address_is_confirmed_by_its_link_and_then_gets_ticket_updates(
        alice_client, client, commit, mailoutbox, alice, carla, make_ticket):
    response = add(alice_client, commit, "Sistemas@Alicia.mx")
    assert response.status_code == 302
    address = NotificationAddress.objects.get(customer=alice)
    assert (address.email, address.kind, address.confirmed_at) == ("sistemas@alicia.mx", "soporte",
                                                                   None)
    assert "Te enviamos un enlace de confirmación a sistemas@alicia.mx" in \
        alice_client.get(PAGE).text
    (confirmation,) = mailoutbox
    assert confirmation.to == ["sistemas@alicia.mx"]
    assert confirmation.extra_headers["Auto-Submitted"] == "auto-generated"
    assert "Alicia Pérez" in confirmation.body
    assert OutboundEmail.objects.get(kind="confirmacion_direccion").status == "enviado"

    # Not confirmed yet: nothing but the confirmation reaches it.
    ticket = commit(make_ticket, alice)
    assert mailoutbox[-1].to == ["alice@example.com"]

    # The link works without logging in; opening it only asks.
    client.logout()
    link = confirmation_link(mailoutbox, "sistemas@alicia.mx")
    page = client.get(link)
    assert page.status_code == 200
    assert "Confirmar dirección" in page.text
    address.refresh_from_db()
    assert address.confirmed_at is None
    done = client.post(link)
    assert "está confirmada" in done.text
    address.refresh_from_db()
    assert address.confirmed_at is not None

    commit(services.ticket_agent_reply, ticket, agent=carla, body="Ya quedó.")
    assert mailoutbox[-1].to == ["alice@example.com", "sistemas@alicia.mx"]


def test_a_billing_address_gets_no_ticket_notifications(alice_client, client, commit, mailoutbox,
                                                         alice, make_ticket):
    add(alice_client, commit, "pagos@alicia.mx", kind="facturacion")
    client.post(confirmation_link(mailoutbox, "pagos@alicia.mx"))
    assert NotificationAddress.objects.get(email="pagos@alicia.mx").confirmed_at is not None

    commit(make_ticket, alice)
    assert mailoutbox[-1].to == ["alice@example.com"]


def test_an_expired_link_is_refused_in_spanish(alice_client, client, commit, mailoutbox):
    with time_machine.travel(START, tick=False) as clock:
        add(alice_client, commit, "sistemas@alicia.mx")
        link = confirmation_link(mailoutbox, "sistemas@alicia.mx")
        clock.shift(timedelta(days=3, minutes=1))
        response = client.post(link)
    assert response.status_code == 400
    assert "Este enlace de confirmación caducó" in response.text
    assert NotificationAddress.objects.get().confirmed_at is None


def test_a_tampered_link_is_refused(alice_client, client, commit, mailoutbox):
    add(alice_client, commit, "sistemas@alicia.mx")
    link = confirmation_link(mailoutbox, "sistemas@alicia.mx")
    response = client.post(link[:-3] + "xx/")
    assert response.status_code == 400
    assert "no es válido" in response.text
    assert NotificationAddress.objects.get().confirmed_at is None


def test_resending_sends_a_new_link_and_the_old_one_stops_working(alice_client, client, commit,
                                                                  mailoutbox):
    add(alice_client, commit, "sistemas@alicia.mx")
    old_link = confirmation_link(mailoutbox, "sistemas@alicia.mx")
    address = NotificationAddress.objects.get()
    mailoutbox.clear()
    response = commit(alice_client.post, reverse("mail:address_resend", args=[address.pk]))
    assert response.status_code == 302
    new_link = confirmation_link(mailoutbox, "sistemas@alicia.mx")
    assert new_link != old_link

    assert client.post(old_link).status_code == 400
    assert client.post(new_link).status_code == 200
    address.refresh_from_db()
    assert address.confirmed_at is not None


def test_the_form_keeps_what_was_typed_and_explains_the_problem(alice_client, commit, mailoutbox):
    response = add(alice_client, commit, "alice@example.com")
    assert response.status_code == 200
    assert "Esa es tu dirección registrada" in response.text
    assert 'value="alice@example.com"' in response.text

    response = add(alice_client, commit, "no-es-un-correo")
    assert "Escribe una dirección de correo válida" in response.text
    assert 'value="no-es-un-correo"' in response.text

    response = add(alice_client, commit, "soporte@example.com")  # our own mailbox
    assert "Esa es una dirección de nuestro equipo de soporte." in response.text

    add(alice_client, commit, "sistemas@alicia.mx")
    response = add(alice_client, commit, "SISTEMAS@alicia.mx")
    assert "Ya añadiste esa dirección para ese tipo de notificación." in response.text
    assert NotificationAddress.objects.count() == 1
    assert len(mailoutbox) == 1


def test_the_same_address_can_receive_several_kinds(alice_client, commit, alice):
    add(alice_client, commit, "admin@alicia.mx", kind="soporte")
    add(alice_client, commit, "admin@alicia.mx", kind="abuso")
    assert sorted(NotificationAddress.objects.values_list("kind", flat=True)) == ["abuso", "soporte"]


def test_the_owner_removes_an_address(alice_client, commit, alice):
    add(alice_client, commit, "sistemas@alicia.mx")
    address = NotificationAddress.objects.get()
    response = alice_client.post(reverse("mail:address_remove", args=[address.pk]))
    assert response.status_code == 302
    assert not NotificationAddress.objects.exists()


def test_another_customers_address_is_not_found(alice_client, bob):
    theirs = NotificationAddress.objects.create(customer=bob, kind="soporte",
                                                email="ops@roberto.com", token="t")
    assert alice_client.post(reverse("mail:address_remove", args=[theirs.pk])).status_code == 404
    assert alice_client.post(reverse("mail:address_resend", args=[theirs.pk])).status_code == 404
    assert NotificationAddress.objects.filter(pk=theirs.pk).exists()
    assert "ops@roberto.com" not in alice_client.get(PAGE).text


def test_removing_needs_a_post(alice_client, alice):
    address = NotificationAddress.objects.create(customer=alice, kind="soporte",
                                                 email="x@alicia.mx", token="t")
    assert alice_client.get(reverse("mail:address_remove", args=[address.pk])).status_code == 405


def test_the_page_needs_a_customer_login(client, carla):
    assert client.get(PAGE).status_code == 302  # to the login page
    client.force_login(carla)
    assert client.get(PAGE).status_code == 302  # agents go to their console


def test_confirmation_emails_are_rate_limited(alice_client, commit, mailoutbox, settings):
    for n in range(10):
        add(alice_client, commit, f"buzon{n}@alicia.mx")
    response = add(alice_client, commit, "otro@alicia.mx")
    assert "como máximo 10 direcciones" in response.text
    NotificationAddress.objects.filter(email="buzon0@alicia.mx").delete()
    response = add(alice_client, commit, "otro@alicia.mx")
    assert "Enviaste demasiadas confirmaciones hoy" in response.text
    assert len(mailoutbox) == 10
