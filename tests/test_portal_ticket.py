"""The portal's ticket page: conversation, reply, close, and who may see it."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import make_user
from ventanilla.tickets import services
from ventanilla.tickets.models import Message, Priority, Status
from ventanilla.tickets.services import IncidentDetails
from ventanilla.tickets.status import Role

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200


def url(name, ticket):
    return reverse(f"portal:{name}", args=[ticket.number])


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


@pytest.fixture
def pending_ticket(alice_ticket, carla):
    services.ticket_agent_reply(alice_ticket, agent=carla, body="¿Qué error te muestra Outlook?")
    alice_ticket.refresh_from_db()
    assert alice_ticket.status == Status.PENDING
    return alice_ticket


@pytest.fixture
def closed_ticket(alice, alice_ticket):
    return services.ticket_status_set(alice_ticket, actor=alice.user, role=Role.CUSTOMER,
                                      status=Status.CLOSED)


# --- The page --------------------------------------------------------------------


def test_it_shows_the_header_and_details(alice_client, alice, make_ticket, correo_category):
    service = alice.services.get(order_number="123456")
    ticket = make_ticket(alice, category=correo_category, service=service)
    html = alice_client.get(url("ticket_detail", ticket)).content.decode()
    assert f"#{ticket.number}" in html
    assert "No puedo enviar correos" in html
    assert '<span class="badge badge--abierto">Abierto</span>' in html
    assert "Soporte técnico" in html
    assert "Correo" in html
    assert "Hosting Negocios - alicia.mx" in html
    assert "Desde ayer falla el envío." in html


def test_it_shows_agent_replies_with_the_agents_name_and_support(alice_client, pending_ticket):
    html = alice_client.get(url("ticket_detail", pending_ticket)).content.decode()
    assert "¿Qué error te muestra Outlook?" in html
    assert '<span class="msg__author">Carla Soporte</span>' in html
    assert '<span class="badge badge--support">Soporte</span>' in html
    assert '<span class="msg__author">Alicia Pérez</span>' in html


def test_it_never_shows_internal_notes(alice_client, alice_ticket, carla):
    services.ticket_agent_reply(alice_ticket, agent=carla, body="Cliente difícil, ojo", internal=True,
                                files=[SimpleUploadedFile("nota.png", PNG)])
    response = alice_client.get(url("ticket_detail", alice_ticket))
    html = response.content.decode()
    assert "Cliente difícil" not in html
    assert "nota.png" not in html
    assert all(m.kind != Message.Kind.NOTE for m in response.context["conversation"])


def test_it_shows_system_messages(alice_client, alice, alice_ticket, carla):
    other = services.ticket_create(customer=alice, requester=alice.user, subject="Duplicado",
                                   body="Otra vez", department=alice_ticket.department)
    services.ticket_merge(other, agent=carla, target=alice_ticket)
    html = alice_client.get(url("ticket_detail", alice_ticket)).content.decode()
    assert f"Se fusionó aquí el ticket #{other.number}." in html


def test_a_merged_ticket_links_to_its_target(alice_client, alice, alice_ticket, carla):
    other = services.ticket_create(customer=alice, requester=alice.user, subject="Duplicado",
                                   body="Otra vez", department=alice_ticket.department)
    services.ticket_merge(other, agent=carla, target=alice_ticket)
    html = alice_client.get(url("ticket_detail", other)).content.decode()
    assert "Este ticket se fusionó con el ticket" in html
    assert f'href="{url("ticket_detail", alice_ticket)}"' in html


def test_it_links_attachments_to_the_download_view(alice_client, alice, alice_ticket):
    message = services.ticket_customer_reply(
        alice_ticket, author=alice.user, body="Adjunto captura",
        files=[SimpleUploadedFile("captura.png", PNG)])
    attachment = message.attachments.get()
    html = alice_client.get(url("ticket_detail", alice_ticket)).content.decode()
    assert f'href="{reverse("attachment", args=[attachment.pk])}"' in html
    assert "captura.png" in html


def test_it_shows_the_incident_details_of_an_alta_ticket(alice_client, alice, make_ticket):
    ticket = make_ticket(alice, priority=Priority.HIGH, incident=IncidentDetails(
        server_ip="192.0.2.10", order_number="123456", service_name="Hosting Negocios - alicia.mx",
        started_at=dt.datetime(2024, 5, 1, 8, 30, tzinfo=dt.UTC), time_zone="Europe/Madrid",
        diagnostics="HTTP 503 en todas las páginas"))
    html = alice_client.get(url("ticket_detail", ticket)).content.decode()
    assert "Incidente crítico" in html
    assert "192.0.2.10" in html
    assert "#123456" in html
    assert "01/05/2024 10:30" in html  # shown in the zone the customer gave
    assert "(Europe/Madrid)" in html
    assert "HTTP 503 en todas las páginas" in html


def test_it_escapes_what_users_write(alice_client, alice, alice_ticket):
    services.ticket_customer_reply(alice_ticket, author=alice.user,
                                   body='<img src=x onerror="alert(1)">')
    html = alice_client.get(url("ticket_detail", alice_ticket)).content.decode()
    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


# The page's own queries plus the feature slots (status banner and bell,
# linked incidents, category fields and consent): constant, whatever the conversation.
PORTAL_TICKET_PAGE_QUERIES = 12


def test_the_ticket_page_runs_a_bounded_number_of_queries(
        alice_client, alice, alice_ticket, carla, django_assert_max_num_queries):
    with django_assert_max_num_queries(PORTAL_TICKET_PAGE_QUERIES):
        alice_client.get(url("ticket_detail", alice_ticket))
    for i in range(10):
        services.ticket_agent_reply(alice_ticket, agent=carla, body=f"Respuesta {i}",
                                    files=[SimpleUploadedFile(f"r{i}.png", PNG)])
        services.ticket_customer_reply(alice_ticket, author=alice.user, body=f"Gracias {i}",
                                       files=[SimpleUploadedFile(f"c{i}.png", PNG)])
    with django_assert_max_num_queries(PORTAL_TICKET_PAGE_QUERIES):
        response = alice_client.get(url("ticket_detail", alice_ticket))
    assert len(response.context["conversation"]) == 21


# --- Reply -----------------------------------------------------------------------------


def test_it_offers_reply_and_close_while_the_ticket_is_not_closed(alice_client, alice_ticket,
                                                                  carla):
    for status in (Status.OPEN, Status.PENDING, Status.RESOLVED):
        if status != Status.OPEN:
            services.ticket_status_set(alice_ticket, actor=carla, role=Role.AGENT, status=status)
        html = alice_client.get(url("ticket_detail", alice_ticket)).content.decode()
        assert f'action="{url("ticket_reply", alice_ticket)}"' in html, status
        assert f'action="{url("ticket_close", alice_ticket)}"' in html, status
        assert "Cerrar ticket" in html


def test_a_reply_moves_a_pending_ticket_back_to_open(alice_client, alice, pending_ticket):
    response = alice_client.post(url("ticket_reply", pending_ticket),
                                 {"body": "El error es 550 relay denied"})
    assert response.status_code == 302
    assert response.url == url("ticket_detail", pending_ticket)
    pending_ticket.refresh_from_db()
    assert pending_ticket.status == Status.OPEN
    message = pending_ticket.messages.last()
    assert (message.kind, message.author, message.body) == (
        Message.Kind.CUSTOMER, alice.user, "El error es 550 relay denied")


def test_a_reply_reopens_a_resolved_ticket(alice_client, alice_ticket, carla):
    services.ticket_status_set(alice_ticket, actor=carla, role=Role.AGENT, status=Status.RESOLVED)
    alice_client.post(url("ticket_reply", alice_ticket), {"body": "Sigue fallando"})
    alice_ticket.refresh_from_db()
    assert alice_ticket.status == Status.OPEN


def test_a_reply_through_htmx_answers_the_page_with_the_new_message_focused(alice_client,
                                                                              pending_ticket):
    response = alice_client.post(url("ticket_reply", pending_ticket), {"body": "Listo, probado"},
                                 HTTP_HX_REQUEST="true", follow=True)
    assert response.status_code == 200 and not response.redirect_chain
    html = response.content.decode()
    assert "Listo, probado" in html
    assert '<span class="badge badge--abierto">Abierto</span>' in html
    assert "Enviamos tu respuesta." in html
    # ventanilla.js focuses the new message and announces it (once) in #live-status.
    message = pending_ticket.messages.latest("created_at")
    assert (f'id="mensaje-{message.pk}" data-focus data-announce="Mensaje enviado"') in html
    assert html.count("data-announce=") == 1


def test_a_reply_carries_attachments(alice_client, pending_ticket):
    alice_client.post(url("ticket_reply", pending_ticket), {
        "body": "Adjunto captura",
        "attachments": [SimpleUploadedFile("a.png", PNG), SimpleUploadedFile("b.log", b"linea\n")],
    })
    names = sorted(a.original_name for a in pending_ticket.messages.last().attachments.all())
    assert names == ["a.png", "b.log"]


def test_an_empty_reply_comes_back_with_an_error(alice_client, pending_ticket):
    response = alice_client.post(url("ticket_reply", pending_ticket), {"body": ""})
    assert response.status_code == 200
    assert "Escribe tu respuesta." in response.content.decode()
    pending_ticket.refresh_from_db()
    assert pending_ticket.status == Status.PENDING


def test_a_reply_with_a_spoofed_file_comes_back_filled(alice_client, pending_ticket):
    pdf = b"%PDF-1.4\n" + b"0" * 100
    response = alice_client.post(url("ticket_reply", pending_ticket), {
        "body": "Mi texto largo", "attachments": [SimpleUploadedFile("x.png", pdf)]})
    html = response.content.decode()
    assert "El contenido de «x.png» no corresponde a su extensión" in html
    assert "Mi texto largo" in html
    assert "vuelve a adjuntarlos" in html
    assert pending_ticket.messages.count() == 2


def test_getting_the_reply_address_goes_to_the_form(alice_client, alice_ticket):
    response = alice_client.get(url("ticket_reply", alice_ticket))
    assert response.status_code == 302
    assert response.url == url("ticket_detail", alice_ticket) + "#responder"


# --- Close -------------------------------------------------------------------------


def test_the_customer_closes_a_ticket(alice_client, alice, pending_ticket):
    response = alice_client.post(url("ticket_close", pending_ticket))
    assert response.status_code == 302
    pending_ticket.refresh_from_db()
    assert pending_ticket.status == Status.CLOSED
    event = pending_ticket.events.filter(kind="estado").last()
    assert (event.actor, event.from_value, event.to_value) == (alice.user, "pendiente", "cerrado")


def test_closing_asks_for_confirmation_without_javascript(alice_client, alice_ticket):
    response = alice_client.get(url("ticket_close", alice_ticket))
    assert response.status_code == 200
    assert "Sí, cerrar el ticket" in response.content.decode()
    alice_ticket.refresh_from_db()
    assert alice_ticket.status == Status.OPEN


def test_a_closed_ticket_has_no_reply_form_and_offers_a_linked_new_ticket(alice_client,
                                                                          closed_ticket):
    html = alice_client.get(url("ticket_detail", closed_ticket)).content.decode()
    assert "Este ticket está cerrado" in html
    assert url("ticket_reply", closed_ticket) not in html
    assert url("ticket_close", closed_ticket) not in html
    assert f'href="{reverse("portal:ticket_new")}?continuacion={closed_ticket.number}"' in html
    assert "Abrir un ticket nuevo" in html


def test_a_closed_ticket_refuses_replies(alice_client, closed_ticket):
    response = alice_client.post(url("ticket_reply", closed_ticket), {"body": "¿Hola?"},
                                 follow=True)
    assert response.redirect_chain == [(url("ticket_detail", closed_ticket), 302)]
    assert "Este ticket está cerrado y ya no admite respuestas." in response.content.decode()
    assert closed_ticket.messages.count() == 1


def test_closing_a_closed_ticket_changes_nothing(alice_client, closed_ticket):
    response = alice_client.post(url("ticket_close", closed_ticket))
    assert response.status_code == 302
    assert closed_ticket.events.filter(kind="estado").count() == 1


# --- Access --------------------------------------------------------------------------


TICKET_URLS = ["ticket_detail", "ticket_created", "ticket_reply", "ticket_close"]


@pytest.mark.parametrize("name", TICKET_URLS)
def test_another_customers_ticket_is_404(client, bob, alice_ticket, name):
    client.force_login(bob.user)
    assert client.get(url(name, alice_ticket)).status_code == 404
    assert client.post(url(name, alice_ticket), {"body": "intruso"}).status_code in (404, 405)
    alice_ticket.refresh_from_db()
    assert alice_ticket.status == Status.OPEN
    assert alice_ticket.messages.count() == 1


@pytest.mark.parametrize("name", TICKET_URLS)
def test_an_agent_without_customer_account_gets_404(client, carla, alice_ticket, name):
    client.force_login(carla)
    assert client.get(url(name, alice_ticket)).status_code == 404


@pytest.mark.parametrize("name", TICKET_URLS)
def test_a_user_without_customer_profile_gets_404(client, alice_ticket, name):
    client.force_login(make_user("nadie@example.com"))
    assert client.get(url(name, alice_ticket)).status_code == 404


@pytest.mark.parametrize("name", TICKET_URLS)
def test_anonymous_visitors_are_sent_to_log_in(client, alice_ticket, name):
    response = client.get(url(name, alice_ticket))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_unknown_number_is_404(alice_client):
    assert alice_client.get(reverse("portal:ticket_detail", args=["00000000"])).status_code == 404
