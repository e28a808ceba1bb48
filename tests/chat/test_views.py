"""The chat's pages: the widget where it belongs, the scope before starting,
visitors' details, leaving a ticket when nobody can chat, the console, and
the portal's masking of ticket messages."""

import pytest
from django.urls import reverse

from ventanilla.chat.access import SESSION_KEY
from ventanilla.chat.models import Chat, ChatDepartment
from ventanilla.chat.sensitive import PLACEHOLDER
from ventanilla.chat.services import chat_start
from ventanilla.tickets.models import Channel, Ticket

from .agents import available
from .sockets import asgi_get

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_the_widget_is_on_client_area_and_public_pages_but_not_in_the_console(
        alice, carla, alice_ticket):
    assert b"data-chat-widget" in asgi_get(reverse("account_login")).content
    assert b"data-chat-widget" in asgi_get(reverse("chat:start")).content
    assert b"data-chat-widget" in asgi_get(reverse("portal:dashboard"), user=alice.user).content
    page = asgi_get(reverse("console:queue"), user=carla)
    assert page.status_code == 200 and b"data-chat-widget" not in page.content
    ticket_page = asgi_get(reverse("console:ticket_detail", args=[alice_ticket.number]), user=carla)
    assert b"data-presence" in ticket_page.content


def test_without_an_asgi_server_there_is_no_widget_to_fail(client, alice):
    client.force_login(alice.user)
    assert b"data-chat-widget" not in client.get(reverse("portal:dashboard")).content


def test_the_panel_shows_each_departments_scope_and_who_is_available(client, carla, soporte):
    available(carla)
    panel = client.get(reverse("chat:start"), {"parcial": "1"}).content.decode()
    assert "No proporcionan ni solicitan" not in panel  # our own wording, not the seed's
    assert "Nunca pedimos ni damos credenciales de acceso por chat." in panel
    assert "nameservers (DNS)" in panel
    assert f'value="{soporte.pk}" data-agents="1"' in panel
    assert 'name="email"' in panel  # a visitor gives name and email
    assert "No puedo iniciar sesión" in panel and "Todavía no soy cliente" in panel
    ChatDepartment.objects.filter(department=soporte).update(is_enabled=False)
    panel = client.get(reverse("chat:start"), {"parcial": "1"}).content.decode()
    assert f'value="{soporte.pk}"' not in panel


def test_a_logged_in_customer_starts_at_once_without_typing_their_details(client, alice, soporte):
    client.force_login(alice.user)
    assert 'name="email"' not in client.get(reverse("chat:start"), {"parcial": "1"}).content.decode()
    response = client.post(reverse("chat:begin"), {"department": soporte.pk, "message": "Hola"})
    assert response.status_code == 200
    chat = Chat.objects.get(token=response.json()["token"])
    assert (chat.customer, chat.user, chat.email) == (alice, alice.user, "alice@example.com")


def test_a_visitor_gives_name_and_email_and_the_session_remembers_the_chat(client, soporte):
    response = client.post(reverse("chat:begin"), {"department": soporte.pk})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "email"}
    response = client.post(reverse("chat:begin"), {
        "department": soporte.pk, "name": "Eva", "email": "eva@example.com",
        "visitor_reason": "sin_acceso", "message": "No entro a mi cuenta"})
    token = response.json()["token"]
    chat = Chat.objects.get(token=token)
    assert (chat.customer, chat.visitor_reason) == (None, Chat.VisitorReason.CANNOT_LOG_IN)
    assert client.session[SESSION_KEY] == [token]


def test_starting_chats_is_rate_limited(client, soporte):
    data = {"department": soporte.pk, "name": "Eva", "email": "eva@example.com"}
    codes = [client.post(reverse("chat:begin"), data).status_code for _ in range(11)]
    assert codes[:10] == [200] * 10 and codes[10] == 429


def test_with_nobody_available_a_visitor_leaves_the_question_as_a_ticket(client, soporte):
    response = client.post(reverse("chat:offline_ticket"), {
        "department": soporte.pk, "name": "Eva", "email": "Eva@Example.com",
        "message": "¿Pueden migrar mi sitio?\nEs un WordPress."})
    assert response.status_code == 200
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert (ticket.channel, ticket.department, ticket.subject) == (
        Channel.CHAT, soporte, "¿Pueden migrar mi sitio?")
    assert ticket.customer.email == "eva@example.com"
    assert "sin verificar" in ticket.messages.get().body
    assert not Chat.objects.exists()


def test_an_empty_offline_question_keeps_what_was_typed_and_says_why(client, soporte):
    response = client.post(reverse("chat:offline_ticket"), {
        "department": soporte.pk, "name": "Eva", "email": "eva@example.com", "message": " "})
    assert response.status_code == 400
    assert response.json()["errors"]["message"] == ["Escribe tu consulta."]


def test_the_console_page_is_for_agents_only(client, alice, carla):
    client.force_login(alice.user)
    assert client.get(reverse("chat:console")).status_code == 404
    client.force_login(carla)
    page = client.get(reverse("chat:console"))
    assert page.status_code == 200
    assert b'href="/consola/chat/"' in page.content  # the console's nav link appears


def test_the_customer_sidebar_shows_services_and_open_tickets_to_the_chats_agent_only(
        client, alice, carla, diego, soporte, alice_ticket):
    available(carla)
    chat = chat_start(department=soporte, user=alice.user)
    url = reverse("chat:console_sidebar", args=[chat.pk])
    client.force_login(diego)
    assert client.get(url).status_code == 404
    client.force_login(carla)
    page = client.get(url).content.decode()
    assert "Hosting Negocios - alicia.mx" in page
    assert f"#{alice_ticket.number}" in page


def test_portal_ticket_messages_are_masked_and_the_customer_is_told(client, alice, alice_ticket):
    client.force_login(alice.user)
    response = client.post(reverse("portal:ticket_reply", args=[alice_ticket.number]),
                           {"body": "Entra con password=Hunter22 y revisa"}, follow=True)
    assert "nunca compartas credenciales" in response.content.decode()
    assert alice_ticket.messages.last().body == f"Entra con password={PLACEHOLDER} y revisa"


def test_the_chats_agent_verifies_the_customers_support_pin_from_the_sidebar(
        client, alice, carla, diego, soporte):
    from ventanilla.status.models import PinCheck
    from ventanilla.status.services import PIN_MAX_FAILURES, pin_for

    available(carla)
    chat = chat_start(department=soporte, user=alice.user)
    url = reverse("chat:console_pin_check", args=[chat.pk])
    client.force_login(diego)
    assert client.post(url, {"pin": pin_for(alice).pin}).status_code == 404
    client.force_login(carla)
    assert url in client.get(reverse("chat:console_sidebar", args=[chat.pk])).content.decode()
    page = client.post(url, {"pin": pin_for(alice).pin}).content.decode()
    assert "PIN correcto" in page
    assert "El PIN tiene 6 cifras." in client.post(url, {"pin": "12"}).content.decode()
    wrong = "000000" if pin_for(alice).pin != "000000" else "111111"
    for _attempt in range(PIN_MAX_FAILURES):
        page = client.post(url, {"pin": wrong}).content.decode()
    assert "Verificación bloqueada" in page and url not in page
    # The status app's own log: one row per check, with its result.
    assert list(PinCheck.objects.filter(customer=alice, agent=carla).values_list(
        "result", flat=True).order_by("created_at", "id")) == ["correcto"] + ["incorrecto"] * 5


def test_the_panel_shows_first_an_active_incident_on_the_customers_services(
        client, alice, bob, carla, soporte):
    from ventanilla.accounts.models import Service
    from ventanilla.status import services as status_services
    from ventanilla.status.models import Component, ComponentService, Incident

    web1 = Component.objects.create(name="web1.hosting.mx", kind=Component.Kind.SERVER)
    for service in alice.services.filter(type=Service.Type.SHARED_NEGOCIOS):
        ComponentService.objects.create(component=web1, service=service)
    incident = status_services.incident_publish(
        author=carla, kind=Incident.Kind.INCIDENT, title="Caída de web1",
        impact=Incident.Impact.MAJOR, components=[web1], body="Investigando.")
    follow = reverse("status:incident_detail", args=[incident.pk])

    def panel(user=None):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client.get(reverse("chat:start"), {"parcial": "1"}).content.decode()

    html = panel(alice.user)
    assert "Ya estamos trabajando en ello" in html and "Caída de web1" in html
    assert f'href="{follow}"' in html
    assert html.index("data-chat-incident") < html.index("data-chat-start")
    for other in (panel(bob.user), panel()):  # not affected; a visitor
        assert "data-chat-incident" not in other and "data-chat-start" in other
    status_services.incident_update(incident, author=carla, status=Incident.Status.RESOLVED,
                                    body="Resuelto.")
    assert "data-chat-incident" not in panel(alice.user)
