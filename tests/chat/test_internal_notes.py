"""Internal notes never reach the customer (issue 17, A1).

A sweep: every way a ticket or a message is created from a chat, an email
or the API, by every role, with a note carrying a distinctive marker. The
marker never shows where the customer looks (the portal's ticket page,
their emails, the API's public messages, the chat transcript email, the
CSV export) and is there, as an internal note, for the agents."""

import csv
import io

import pytest

from ventanilla.chat import services as chat_services
from ventanilla.chat.models import ChatMessage
from ventanilla.mail.ingest import ingest_raw
from ventanilla.mail.models import Mailbox, OutboundEmail
from ventanilla.tickets import services as ticket_services
from ventanilla.tickets.models import Message, Ticket

from ..conftest import make_agent
from ..integrations import conftest as integrations
from ..test_mail_ingest import corpus

pytestmark = pytest.mark.django_db

MARKER = "NOTA-SECRETA-7Q4Z"

# The API fixtures: the billing system's key, with alice known as C-ALICE.
whmcs, make_key, api, synced = (integrations.whmcs, integrations.make_key, integrations.api,
                                integrations.synced)


@pytest.fixture
def luis(soporte):
    return make_agent("luis@example.com", "Luis Soporte", [soporte])


class World:
    """The people and helpers a way needs; each way returns the ticket."""

    def __init__(self, request, client, api_client):
        self.request, self.client, self.api = request, client, api_client

    def __getattr__(self, name):
        return self.request.getfixturevalue(name)


def _chat_with_note(alice, carla, soporte, *, transferred_by, to_agent):
    """alice's chat, answered by carla; `transferred_by` hands it to
    `to_agent` leaving the marker as the transfer note."""
    chat = chat_services.chat_start(department=soporte, user=alice.user,
                                    first_message="Mi correo no envía desde ayer")
    chat_services.chat_take(chat, agent=carla)
    chat_services.chat_post(chat, kind=ChatMessage.Kind.AGENT, body="Hola, lo reviso.",
                            author=carla)
    chat_services.chat_transfer(chat, actor=transferred_by, to_agent=to_agent,
                                note=f"Cliente difícil {MARKER}; ya revisé SPF")
    return chat


def chat_converted_by_an_agent(w):
    chat = _chat_with_note(w.alice, w.carla, w.soporte, transferred_by=w.carla, to_agent=w.luis)
    w.client.force_login(w.luis)
    response = w.client.post(f"/consola/chat/{chat.pk}/convertir/", {})
    assert response.status_code == 200
    chat.refresh_from_db()
    return chat.ticket


def chat_converted_by_a_supervisor(w):
    chat = _chat_with_note(w.alice, w.carla, w.soporte, transferred_by=w.sofia, to_agent=w.luis)
    w.client.force_login(w.sofia)
    response = w.client.post(f"/consola/chat/{chat.pk}/convertir/", {})
    assert response.status_code == 200
    chat.refresh_from_db()
    return chat.ticket


def chat_left_as_a_ticket_by_the_customer(w):
    chat = chat_services.chat_start(department=w.soporte, user=w.alice.user,
                                    first_message="¿Me facturan doble?")
    chat_services.chat_take(chat, agent=w.carla)
    chat_services.chat_transfer(chat, actor=w.carla, to_department=w.facturacion,
                                note=f"Facturación: {MARKER}")
    return chat_services.chat_leave_ticket(department=chat.department, user=w.alice.user,
                                           body="Nadie me atiende, lo dejo aquí.", chat=chat)


def chat_left_as_a_ticket_by_a_visitor(w):
    chat = chat_services.chat_start(department=w.soporte, name="Eva Visitante",
                                    email="eva@example.com", first_message="Quiero contratar")
    chat_services.chat_take(chat, agent=w.carla)
    chat_services.chat_transfer(chat, actor=w.carla, to_department=w.facturacion,
                                note=f"Ventas: {MARKER}")
    return chat_services.chat_leave_ticket(department=chat.department, body="Lo dejo aquí.",
                                           chat=chat)


def _reply_publicly(w, ticket, agent):
    """After the note, a public reply: the customer gets an email."""
    w.client.force_login(agent)
    response = w.client.post(f"/consola/tickets/{ticket.number}/responder/",
                             {"mode": "respuesta", "body": "Ya quedó, revisa por favor."})
    assert response.status_code in (200, 302)


def _note_in_console(w, ticket, agent):
    w.client.force_login(agent)
    response = w.client.post(f"/consola/tickets/{ticket.number}/responder/",
                             {"mode": "nota", "body": f"Interno: {MARKER}"})
    assert response.status_code in (200, 302)


def portal_ticket_noted_by_an_agent(w):
    ticket = ticket_services.ticket_create(
        customer=w.alice, requester=w.alice.user, subject="No puedo enviar correos",
        body="Desde ayer falla.", department=w.soporte)
    _note_in_console(w, ticket, w.carla)
    _reply_publicly(w, ticket, w.carla)
    return ticket


def portal_ticket_noted_by_a_supervisor(w):
    ticket = ticket_services.ticket_create(
        customer=w.alice, requester=w.alice.user, subject="No puedo enviar correos",
        body="Desde ayer falla.", department=w.soporte)
    _note_in_console(w, ticket, w.sofia)
    _reply_publicly(w, ticket, w.sofia)
    return ticket


def email_ticket_noted_by_an_agent(w):
    mailbox = Mailbox.objects.get(name="soporte")
    result = ingest_raw(corpus("multipart_alternative.eml"), mailbox=mailbox)
    ticket = result.inbound.ticket
    assert ticket is not None
    _note_in_console(w, ticket, w.carla)
    # The agent answers by email, in the ticket's thread (an agent's From
    # alone is not enough to post as the agent).
    thread = result.inbound.message_id.encode()
    raw = corpus("agent_reply.eml").replace(b"48151623", ticket.number.encode())
    raw = raw.replace(b"<ventanilla.1@soporte.example.com>", thread)
    ingest_raw(raw, mailbox=mailbox)
    assert ticket.messages.filter(kind=Message.Kind.REPLY).exists()
    return ticket


def api_ticket_noted_by_an_api_key(w):
    response = w.api.post("/tickets", {"customer": "C-ALICE", "subject": "El correo no sale",
                                       "body": "Desde ayer.", "department": "soporte"})
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    for kind, body in (("note", f"Desde facturación: {MARKER}"), ("reply", "Listo, revisa.")):
        response = w.api.post(f"/tickets/{number}/messages", {"kind": kind, "body": body})
        assert response.status_code == 201, response.content
    return Ticket.objects.get(number=number)


WAYS = [
    chat_converted_by_an_agent,
    chat_converted_by_a_supervisor,
    chat_left_as_a_ticket_by_the_customer,
    chat_left_as_a_ticket_by_a_visitor,
    portal_ticket_noted_by_an_agent,
    portal_ticket_noted_by_a_supervisor,
    email_ticket_noted_by_an_agent,
    api_ticket_noted_by_an_api_key,
]


def emails_to(mailoutbox, address: str) -> list[str]:
    """Every text of every email sent to the address (subject, bodies)."""
    texts = []
    for message in mailoutbox:
        if address in [*message.to, *message.cc, *message.bcc]:
            texts += [message.subject, message.body,
                      *[content for content, _type in getattr(message, "alternatives", [])]]
    texts += [f"{row.subject}\n{row.text_body}\n{row.html_body}"
              for row in OutboundEmail.objects.filter(to__icontains=address)]
    return texts


@pytest.mark.parametrize("way", WAYS, ids=[way.__name__ for way in WAYS])
def test_a_note_never_reaches_the_customer(way, request, client, synced, alice, carla, luis,
                                           sofia, soporte, facturacion, mailoutbox,
                                           django_capture_on_commit_callbacks):
    w = World(request, client, synced)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = way(w)
    ticket.refresh_from_db()
    customer = ticket.customer

    # The agents have it, as an internal note.
    assert ticket.messages.filter(kind=Message.Kind.NOTE, body__contains=MARKER).exists()
    assert not ticket.messages.exclude(kind=Message.Kind.NOTE).filter(
        body__contains=MARKER).exists()
    assert MARKER not in ticket.subject
    client.force_login(sofia)
    assert MARKER in client.get(f"/consola/tickets/{ticket.number}/").content.decode()

    # The customer's page.
    if customer.user_id:
        client.force_login(customer.user)
        page = client.get(f"/cliente/tickets/{ticket.number}/")
        assert page.status_code == 200
        assert ticket.number in page.content.decode()
        assert MARKER not in page.content.decode()

    # The customer's emails (there is at least one for the ways with a
    # public reply or a receipt).
    texts = emails_to(mailoutbox, customer.email)
    assert texts, "the customer got no email: nothing was checked"
    assert not [text for text in texts if MARKER in text]

    # The API as the customer would see it: the public messages.
    detail = synced.get(f"/tickets/{ticket.number}").json()
    public = [m for m in detail["messages"] if m["kind"] != Message.Kind.NOTE]
    assert public and not [m for m in public if MARKER in m["body"]]
    assert MARKER not in detail["subject"]

    # The CSV export.
    client.force_login(sofia)
    exported = client.get("/consola/exportar.csv", {"vista": "abiertos"}).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported)))
    assert ticket.number in [row[0] for row in rows]
    assert MARKER not in exported


def test_the_chat_transcript_email_leaves_out_the_notes(alice, carla, luis, soporte, mailoutbox,
                                                       django_capture_on_commit_callbacks):
    chat = chat_services.chat_start(department=soporte, user=alice.user,
                                    first_message="Mi correo no envía")
    chat_services.chat_take(chat, agent=carla)
    chat_services.chat_post(chat, kind=ChatMessage.Kind.AGENT, body="Lo reviso.", author=carla)
    chat_services.chat_transfer(chat, actor=carla, to_agent=luis, note=f"Nota {MARKER}")
    chat_services.chat_close(chat, actor=luis)
    with django_capture_on_commit_callbacks(execute=True):
        chat_services.chat_transcript_send(chat)
    texts = emails_to(mailoutbox, alice.email)
    assert [text for text in texts if "Lo reviso." in text]
    assert not [text for text in texts if MARKER in text]


def test_a_converted_chat_keeps_what_the_customer_saw_and_its_notes_as_internal_notes(
        alice, carla, luis, soporte):
    chat = _chat_with_note(alice, carla, soporte, transferred_by=carla, to_agent=luis)
    ticket = chat_services.chat_convert_to_ticket(chat, agent=luis)
    first = ticket.messages.order_by("created_at", "pk").first()
    assert first.kind == Message.Kind.CUSTOMER
    assert "Mi correo no envía desde ayer" in first.body and "Hola, lo reviso." in first.body
    assert MARKER not in first.body and "[nota]" not in first.body
    note = ticket.messages.get(kind=Message.Kind.NOTE)
    assert MARKER in note.body and note.author == carla
