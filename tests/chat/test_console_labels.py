"""What the console and the transcripts say about a chat (issue 17, C3 and
C4): the help centre's question carried into the chat, unique element ids
with several chats open, only open tickets in the sidebar, short subjects
for tickets made from a chat, and system lines without a speaker."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from ventanilla.chat import selectors, services
from ventanilla.chat.models import ChatMessage
from ventanilla.mail.models import OutboundEmail
from ventanilla.tickets.models import Status
from ventanilla.tickets.status import STATUS_FIELDS, Role, ticket_status_change

from .agents import available

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "subject"), [
    ("Mi correo no envía", "Mi correo no envía"),
    ("  \n\nPrimera línea\nsegunda línea", "Primera línea"),
    ("Mi   sitio\tno   carga", "Mi sitio no carga"),
    # Long: cut at the last word that fits in 80 characters, with "…".
    ("Desde ayer por la tarde los correos que envío desde Outlook a clientes de Gmail "
     "rebotan con un error 550 y no sé qué hacer",
     "Desde ayer por la tarde los correos que envío desde Outlook a clientes de Gmail…"),
    ("a" * 200, "a" * 79 + "…"),  # no word boundary to cut at
    ("", ""),
])
def test_a_subject_from_a_chat_message_is_its_first_line_cut_at_a_word(text, subject):
    made = services.subject_from(text)
    assert made == subject
    assert len(made) <= services.SUBJECT_CHARS


def test_a_ticket_made_from_a_long_first_message_has_a_short_subject(alice, carla, soporte):
    available(carla)
    first = ("Hola, desde ayer no puedo entrar al cPanel de mi dominio alicia.mx, me dice que la "
             "contraseña es incorrecta aunque la cambié dos veces y ya borré la caché del navegador")
    chat = services.chat_start(department=soporte, user=alice.user, first_message=first)
    ticket = services.chat_convert_to_ticket(chat, agent=carla)
    assert ticket.subject == ("Hola, desde ayer no puedo entrar al cPanel de mi dominio alicia.mx, "
                              "me dice que…")
    assert first in ticket.messages.first().body  # the whole message is still in the transcript

    left = services.chat_start(department=soporte, user=alice.user)
    ticket = services.chat_leave_ticket(department=soporte, body=first, user=alice.user, chat=left)
    assert ticket.subject.endswith("…") and len(ticket.subject) <= 80


def test_system_lines_in_the_transcripts_have_no_speaker(alice, carla, soporte):
    available(carla)
    chat = services.chat_start(department=soporte, user=alice.user, first_message="Hola")
    services.chat_join(chat, agent=carla)
    services.chat_post(chat, kind=ChatMessage.Kind.AGENT, author=carla, body="¿En qué te ayudo?")
    services.chat_close(chat, actor=carla)

    text = selectors.transcript_text(chat)
    assert "—:" not in text and ": Carla se unió al chat." not in text
    assert re.search(r"^\[\d\d:\d\d\] Carla se unió al chat\.$", text, re.M)
    assert re.search(r"^\[\d\d:\d\d\] Alicia Pérez: Hola$", text, re.M), text
    assert re.search(r"^\[\d\d:\d\d\] Carla: ¿En qué te ayudo\?$", text, re.M)

    services.chat_transcript_send(chat)
    email = OutboundEmail.objects.get(kind="chat_transcripcion")
    assert "—:" not in email.text_body and "· —" not in email.html_body
    assert re.search(r"\] Carla se unió al chat\.$", email.text_body, re.M)
    assert re.search(r"\] Carla: ¿En qué te ayudo\?$", email.text_body, re.M)


def test_the_sidebars_open_tickets_are_only_abierto_and_pendiente(
        client, alice, carla, soporte, make_ticket):
    def made(subject, status=None):
        ticket = make_ticket(alice, subject=subject)
        if status:
            ticket_status_change(ticket, to=status, role=Role.AGENT, actor=carla)
            ticket.save(update_fields=STATUS_FIELDS)
        return ticket

    open_ticket = made("Sigue abierto")
    pending = made("Esperando tu respuesta", Status.PENDING)
    resolved = made("Ya resuelto", Status.RESOLVED)
    closed = made("Cerrado hace tiempo", Status.CLOSED)
    available(carla)
    chat = services.chat_start(department=soporte, user=alice.user)

    client.force_login(carla)
    page = client.get(reverse("chat:console_sidebar", args=[chat.pk])).content.decode()
    assert f"#{open_ticket.number}" in page and f"#{pending.number}" in page
    assert f"#{resolved.number}" not in page and "Ya resuelto" not in page
    assert f"#{closed.number}" not in page


def element_ids(html: str) -> list[str]:
    return re.findall(r'\sid="([^"]+)"', html)


def test_two_chats_sidebars_in_one_page_share_no_element_id(client, alice, bob, carla, soporte):
    available(carla)
    chats = [services.chat_start(department=soporte, user=customer.user, first_message="Hola")
             for customer in (alice, bob)]
    client.force_login(carla)
    # The console puts both sidebars in one page; the convert form shows a
    # category's fields too.
    category = selectors.convert_categories(chats[0])[0]
    pages = [client.get(reverse("chat:console_convert", args=[chat.pk]),
                        {"categoria": category.pk}).content.decode() for chat in chats]
    ids = element_ids(pages[0]) + element_ids(pages[1])
    assert ids and len(ids) == len(set(ids)), sorted(ids)
    for page in pages:
        for target in re.findall(r'\sfor="([^"]+)"', page):
            assert target in element_ids(page), target
    # The names a form posts are unchanged: the consent form still works.
    assert 'name="autorizacion-action"' in pages[0] and 'name="autorizacion-action"' in pages[1]


def test_the_help_centres_question_is_the_chats_first_message_already_written(client):
    question = "No me llegan los correos a Outlook & Gmail"
    page = client.get(reverse("chat:start"), {"pregunta": question})
    assert page.status_code == 200
    panel = client.get(reverse("chat:start"), {"parcial": "1", "pregunta": question}).content.decode()
    assert ('<textarea id="chatw-message" name="message" rows="3" maxlength="5000">'
            "No me llegan los correos a Outlook &amp; Gmail</textarea>") in panel


def test_the_widget_asks_its_panel_with_the_pages_question():
    request = RequestFactory().get("/chat/")
    request.scope = {"type": "http"}  # rendered as through the ASGI server
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    html = render_to_string("chat/_widget.html", {"chat_question": "¿Qué es MX?"}, request=request)
    assert 'data-panel-url="/chat/?parcial=1&amp;pregunta=%C2%BFQu%C3%A9%20es%20MX%3F"' in html


def test_the_transfer_list_says_disponible_only_of_agents_at_their_console(
        client, alice, carla, soporte):
    from ..conftest import make_agent

    luis = make_agent("luis@example.com", "Luis Soporte", [soporte])
    marta = make_agent("marta@example.com", "Marta Soporte", [soporte])
    services.agent_availability_set(luis, status="disponible")  # said so, console closed
    available(carla)
    chat = services.chat_start(department=soporte, user=alice.user)
    assert chat.agent == carla
    available(marta)
    client.force_login(carla)
    page = client.get(reverse("chat:console_sidebar", args=[chat.pk])).content.decode()
    assert f'<option value="{marta.pk}">Marta Soporte · disponible</option>' in page
    assert f'<option value="{luis.pk}">Luis Soporte</option>' in page
