"""ingest_raw on the test corpus (tests/mail_corpus): each message ends as
a ticket message, an ignored record or a quarantined one, and never
anywhere it should not be."""

import base64
from pathlib import Path

import pytest
from django.db import OperationalError
from django.urls import reverse

from ventanilla.accounts.models import Customer
from ventanilla.mail import ingest as ingest_module
from ventanilla.mail.ingest import ingest_raw, reprocess
from ventanilla.mail.models import InboundMessage, Mailbox, Participant, ThreadId
from ventanilla.tickets import services
from ventanilla.tickets.models import Attachment, Channel, Message, Status, Ticket
from ventanilla.tickets.status import Role

CORPUS = Path(__file__).parent / "mail_corpus"
NUMBER = "48151623"  # the ticket number the corpus replies quote
SENT_IDS = ["<ventanilla.0@soporte.example.com>", "<ventanilla.1@soporte.example.com>"]

Stored, Ignored, Quarantined = (InboundMessage.Status.STORED, InboundMessage.Status.IGNORED,
                                InboundMessage.Status.QUARANTINED)


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


@pytest.fixture
def mailbox():
    return Mailbox.objects.select_related("department").get(name="soporte")


@pytest.fixture
def conversation(alice, make_ticket):
    """alice's ticket #48151623, to which we sent two notifications."""
    ticket = make_ticket(alice, subject="No puedo enviar correos")
    Ticket.objects.filter(pk=ticket.pk).update(number=NUMBER)
    for message_id in SENT_IDS:
        ThreadId.objects.create(ticket=ticket, message_id=message_id)
    ticket.refresh_from_db()
    return ticket


def ingest(name: str, mailbox, **kwargs):
    return ingest_raw(corpus(name), mailbox=mailbox, **kwargs)


def new_ticket(result) -> Ticket:
    assert result.created_ticket, (result.inbound.status, result.inbound.reason, result.inbound.error)
    return result.inbound.ticket


def body_of(ticket: Ticket) -> str:
    return ticket.messages.order_by("pk").first().body


# --- New tickets -----------------------------------------------------------------


def test_a_multipart_alternative_message_opens_an_email_ticket_for_the_registered_customer(
    mailbox, alice
):
    result = ingest("multipart_alternative.eml", mailbox)
    ticket = new_ticket(result)
    inbound = result.inbound
    assert (ticket.customer, ticket.requester, ticket.channel) == (alice, alice.user, Channel.EMAIL)
    assert ticket.department == mailbox.department
    assert ticket.subject == "No puedo enviar correos desde Outlook"
    message = ticket.messages.get()
    assert message.channel == Channel.EMAIL and message.author == alice.user
    assert 'Outlook me dice "Error 0x800CCC0F"' in message.body and "<p>" not in message.body
    assert inbound.status == Stored and inbound.ticket_message == message
    assert inbound.sender == "alice@example.com" and inbound.message_id == "<CAF3x9+alt-0001@mail.example.com>"
    assert ThreadId.objects.get(message_id="<CAF3x9+alt-0001@mail.example.com>").ticket == ticket
    with inbound.raw.open("rb") as raw:
        assert raw.read() == corpus("multipart_alternative.eml")
    assert inbound.raw.name.endswith(".eml") and "alt-0001" not in inbound.raw.name


def test_an_html_only_message_from_an_unknown_sender_opens_a_guest_ticket_in_plain_text(mailbox):
    ticket = new_ticket(ingest("html_only.eml", mailbox))
    guest = ticket.customer
    assert (guest.email, guest.name, guest.user) == ("mariana@cliente-nuevo.mx", "Mariana López", None)
    assert ticket.requester is None
    assert ticket.subject == "¿Cómo instalo un certificado SSL?"
    body = body_of(ticket)
    assert "Compré un certificado SSL y no sé cómo instalarlo en cPanel." in body
    assert "- Dominio: tienda-mariana.mx" in body
    assert "alert" not in body and "color: red" not in body and "<" not in body


def test_the_same_unknown_sender_reuses_their_guest_customer(mailbox):
    first = new_ticket(ingest("html_only.eml", mailbox))
    raw = corpus("html_only.eml").replace(b"html-only-0002", b"html-only-0002-bis")
    second = new_ticket(ingest_raw(raw, mailbox=mailbox))
    assert first.customer == second.customer
    assert Customer.objects.filter(email="mariana@cliente-nuevo.mx").count() == 1


@pytest.mark.parametrize("name, expected_subject, expected_text", [
    ("iso_8859_1_body.eml", "Mi pagina muestra caracteres raros",
     "aparecen símbolos extraños en lugar de las tildes. ¿Podrían revisar la codificación"),
    ("windows_1252_body.eml", "Cobro de € en la factura",
     "un cargo de 120 € por el “Plan Negocios”.\n¿Es correcto? Ya lo pagué"),
    ("unknown_charset.eml", "Juego de caracteres desconocido",
     "La migración del dominio sigue pendiente desde el miércoles."),
])
def test_every_charset_is_decoded(mailbox, alice, name, expected_subject, expected_text):
    ticket = new_ticket(ingest(name, mailbox))
    assert ticket.customer == alice
    assert ticket.subject == expected_subject
    assert expected_text in body_of(ticket)


def test_encoded_word_subject_and_sender_name_are_decoded(mailbox):
    ticket = new_ticket(ingest("encoded_word_subject.eml", mailbox))
    assert ticket.subject == "Migración de dominio ¿cuánto tarda?"
    assert ticket.customer.name == "José Muñoz"


def test_attachments_with_non_ascii_names_are_kept_and_a_refused_one_leaves_a_note(mailbox, alice):
    ticket = new_ticket(ingest("non_ascii_attachments.eml", mailbox))
    message = ticket.messages.get()
    names = sorted(message.attachments.values_list("original_name", "content_type"))
    assert names == [("captura señal débil.png", "image/png"),
                     ("factura año 2025.pdf", "application/pdf")]
    assert "[Adjunto no aceptado: factura.exe — tipo no permitido]" in message.body
    assert message.body.startswith("Adjunto la factura de diciembre")


def test_an_oversize_attachment_leaves_a_note_instead_of_vanishing(mailbox, alice, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAX_FILE_BYTES": 50}
    ticket = new_ticket(ingest("non_ascii_attachments.eml", mailbox))
    message = ticket.messages.get()
    assert list(message.attachments.values_list("original_name", flat=True)) == ["factura año 2025.pdf"]
    assert "[Adjunto no aceptado: captura señal débil.png — supera el máximo de 50" in message.body


def test_an_inline_image_is_stored_as_an_attachment(mailbox, bob):
    ticket = new_ticket(ingest("inline_image.eml", mailbox))
    assert ticket.customer == bob
    attachment = Attachment.objects.get(message__ticket=ticket)
    assert attachment.content_type == "image/png"
    assert attachment.original_name.endswith(".png")
    assert "Al entrar al panel del VPS veo esto:" in body_of(ticket)


def test_a_forwarded_message_keeps_the_forwarded_text_and_loses_the_prefix(mailbox, alice):
    ticket = new_ticket(ingest("forwarded_inline.eml", mailbox))
    assert ticket.subject == "Aviso de suspensión de alicia.mx"
    body = body_of(ticket)
    assert body.startswith("Me llegó este aviso, ¿es real?")
    assert "Su dominio alicia.mx será suspendido en 48 horas" in body


def test_a_message_forwarded_as_attachment_is_kept_as_an_eml_attachment(mailbox, alice):
    ticket = new_ticket(ingest("forwarded_attachment.eml", mailbox))
    assert ticket.subject == "Factura pendiente de pago"
    assert body_of(ticket) == "Les reenvío el correo que recibí; yo ya pagué esta factura."
    attachment = Attachment.objects.get(message__ticket=ticket)
    assert (attachment.original_name, attachment.content_type) == (
        "Factura pendiente de pago.eml", "message/rfc822")
    with attachment.file.open("rb") as handle:
        assert b"La factura 2025-1187 por $1,250.00 MXN sigue pendiente." in handle.read()


def test_malformed_mime_still_opens_a_ticket_with_what_could_be_read(mailbox, bob):
    ticket = new_ticket(ingest("malformed_mime.eml", mailbox))
    assert ticket.customer == bob
    body = body_of(ticket)
    assert "Mi sitio roberto.com da error 500 desde esta mañana. Adjunto el log." in body
    assert "Preamble" not in body
    assert "[Adjunto no aceptado: adjunto-2.bin — tipo no permitido]" in body


def test_cc_addresses_become_participants_but_not_our_mailboxes_or_the_sender(
    mailbox, alice, settings
):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAIL_TRUSTED_AUTHSERV": ["mx.ventanilla.test"]}
    result = ingest("cc_new_ticket.eml", mailbox)
    ticket = new_ticket(result)
    assert result.inbound.sender_verified
    assert sorted(Participant.objects.filter(ticket=ticket).values_list("email", "name")) == [
        ("contador@alicia.mx", "Contador de Alicia"), ("maria@alicia.mx", "María Diseño"),
    ]


# --- Threading -----------------------------------------------------------------------


def test_an_outlook_reply_in_spanish_threads_by_the_subject_token_without_the_quote(
    mailbox, alice, carla, conversation
):
    services.ticket_agent_reply(conversation, agent=carla, body="Prueba el puerto 587.")
    result = ingest("outlook_reply_es.eml", mailbox)
    assert not result.created_ticket and result.inbound.ticket == conversation
    message = result.inbound.ticket_message
    assert (message.kind, message.author, message.channel) == (Message.Kind.CUSTOMER, alice.user,
                                                               Channel.EMAIL)
    assert message.body.startswith("Ya cambié el puerto a 587")
    assert "Alicia Diseño" in message.body
    assert "Enviado:" not in message.body and "prueba con el puerto 587" not in message.body
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN  # the customer answered: back to the agents
    assert ThreadId.objects.get(message_id="<DM6PR01MB-outlook-0011@mail.example.com>").ticket == conversation


def test_a_gmail_reply_in_spanish_threads_by_in_reply_to_without_quote_or_signature(
    mailbox, alice, conversation
):
    result = ingest("gmail_reply_es.eml", mailbox)
    assert result.inbound.ticket == conversation and not result.created_ticket
    assert result.inbound.ticket_message.body == (
        'Sigue fallando: ahora el error es "535 Incorrect authentication data".'
    )
    assert Ticket.objects.count() == 1


def test_a_stranger_quoting_a_ticket_number_opens_a_new_ticket_of_their_own(
    mailbox, alice, conversation
):
    result = ingest("stranger_quoting_number.eml", mailbox)
    ticket = new_ticket(result)
    assert ticket != conversation and ticket.follow_up_of is None
    assert ticket.customer.email == "curioso@otro.example" and ticket.customer != alice
    assert ticket.subject == "No puedo enviar correos"
    assert conversation.messages.count() == 1


def test_a_participants_reply_threads_into_the_ticket_instead_of_opening_a_duplicate(
    mailbox, alice, conversation
):
    Participant.objects.create(ticket=conversation, email="contador@alicia.mx", name="Contador")
    result = ingest("participant_reply.eml", mailbox)
    assert result.inbound.ticket == conversation and not result.created_ticket
    message = result.inbound.ticket_message
    assert message.author is None
    assert message.body == ("[Escrito por Contador de Alicia <contador@alicia.mx>]\n\n"
                            "Confirmo que tampoco salen los correos de facturación.")


def test_cc_people_of_a_new_ticket_can_then_reply_into_it(mailbox, alice, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAIL_TRUSTED_AUTHSERV": ["mx.ventanilla.test"]}
    ticket = new_ticket(ingest("cc_new_ticket.eml", mailbox))
    Ticket.objects.filter(pk=ticket.pk).update(number=NUMBER)
    result = ingest("participant_reply.eml", mailbox)
    assert result.inbound.ticket == ticket and Ticket.objects.count() == 1


def test_a_reply_to_a_closed_ticket_opens_a_new_ticket_linked_to_it(mailbox, alice, conversation):
    services.ticket_status_set(conversation, actor=alice.user, role=Role.CUSTOMER, status=Status.CLOSED)
    result = ingest("gmail_reply_es.eml", mailbox)
    ticket = new_ticket(result)
    assert ticket != conversation and ticket.follow_up_of == conversation
    assert (ticket.customer, ticket.requester) == (alice, alice.user)
    assert ticket.subject == "No puedo enviar correos"
    assert ThreadId.objects.get(message_id="<CAJ-gmail-0012@mail.gmail.com>").ticket == ticket
    assert conversation.messages.count() == 1


def test_an_agents_email_reply_becomes_a_public_reply_and_the_ticket_waits_for_the_customer(
    mailbox, carla, conversation
):
    result = ingest("agent_reply.eml", mailbox)
    message = result.inbound.ticket_message
    assert result.inbound.ticket == conversation
    assert (message.kind, message.author, message.channel) == (Message.Kind.REPLY, carla, Channel.EMAIL)
    assert message.body == "Alicia, revisa que el usuario SMTP sea la dirección completa ventas@alicia.mx."
    conversation.refresh_from_db()
    assert conversation.status == Status.PENDING


def test_an_agents_address_in_from_alone_does_not_post_as_the_agent(mailbox, carla, conversation):
    """Anyone can write carla@ in From and quote the ticket's number: with no
    verification and no reply to one of the ticket's emails, the message is
    quarantined, not shown to the customer as the desk's answer; an admin who
    reads it may let it through («Reprocesar»)."""
    raw = corpus("stranger_quoting_number.eml").replace(b"Curioso <curioso@otro.example>",
                                                        b"Carla Soporte <carla@example.com>")
    result = ingest_raw(raw, mailbox=mailbox)
    assert result.inbound.status == InboundMessage.Status.QUARANTINED
    assert "Respuesta como agente sin verificar" in result.inbound.reason
    assert conversation.messages.count() == 1 and not result.created_ticket
    again = reprocess(result.inbound)
    assert again.inbound.status == InboundMessage.Status.STORED
    assert again.inbound.ticket == conversation
    assert again.inbound.ticket_message.author == carla


def test_an_agent_of_another_department_cannot_thread_by_quoting_the_number(
    mailbox, diego, conversation
):
    raw = corpus("stranger_quoting_number.eml").replace(b"Curioso <curioso@otro.example>",
                                                        b"Diego <diego@example.com>")
    result = ingest_raw(raw, mailbox=mailbox)
    assert result.created_ticket and result.inbound.ticket != conversation


def test_a_reply_to_a_merged_ticket_lands_in_the_ticket_it_was_merged_into(
    mailbox, alice, carla, conversation, make_ticket
):
    target = make_ticket(alice, subject="Correo caído")
    services.ticket_merge(conversation, agent=carla, target=target)
    result = ingest("gmail_reply_es.eml", mailbox)
    assert result.inbound.ticket == target


# --- Ignored ---------------------------------------------------------------------------


@pytest.mark.parametrize("name, reason", [
    ("auto_reply.eml", "Respuesta automática."),
    ("out_of_office.eml", "Respuesta automática."),
    ("bounce.eml", "Rebote: aviso de entrega fallida."),
    ("own_address.eml", "Enviado desde una dirección del propio sistema."),
])
def test_auto_replies_bounces_and_our_own_mail_are_ignored_and_kept(
    mailbox, alice, bob, conversation, name, reason
):
    result = ingest(name, mailbox)
    inbound = result.inbound
    assert (inbound.status, inbound.reason) == (Ignored, reason)
    assert inbound.ticket is None and not result.created_ticket
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1
    assert inbound.raw.size == len(corpus(name))


# --- Exactly once -------------------------------------------------------------------------


def test_a_redelivered_message_is_stored_once_and_every_delivery_counted(mailbox, alice):
    first = ingest("multipart_alternative.eml", mailbox)
    # The same email relayed by a backup MX: other trace headers, same message.
    second = ingest("duplicate_message_id.eml", mailbox)
    again = ingest("multipart_alternative.eml", Mailbox.objects.get(name="facturacion"))
    assert second.duplicate and again.duplicate and second.inbound is None
    assert InboundMessage.objects.get() == first.inbound
    assert InboundMessage.objects.get().deliveries == 3
    assert Ticket.objects.count() == 1


def test_a_message_without_message_id_is_deduplicated_by_its_content(mailbox, alice):
    raw = corpus("iso_8859_1_body.eml").replace(b"Message-ID: <latin1-0003@mail.example.com>\n", b"")
    first = ingest_raw(raw, mailbox=mailbox)
    second = ingest_raw(raw, mailbox=mailbox)
    assert first.inbound.dedup_key.startswith("sha256:") and second.duplicate
    assert Ticket.objects.count() == 1


def test_a_copy_that_loses_the_race_is_a_duplicate_not_an_error(mailbox, alice, monkeypatch):
    first = ingest("multipart_alternative.eml", mailbox)
    # The second copy passed the early check before the first one committed.
    answers = iter([False, True])
    monkeypatch.setattr(ingest_module, "_already_stored", lambda key: next(answers))
    second = ingest("duplicate_message_id.eml", mailbox)
    assert second.duplicate
    assert InboundMessage.objects.get() == first.inbound and Ticket.objects.count() == 1


# --- Quarantine ------------------------------------------------------------------------------


def test_seventy_attachments_quarantine_the_message_without_a_ticket(mailbox, bob):
    result = ingest("seventy_attachments.eml", mailbox)
    assert (result.inbound.status, result.inbound.reason) == (
        Quarantined, "Demasiados adjuntos: 70 (máximo 50).")
    assert result.inbound.ticket is None and Ticket.objects.count() == 0


def test_an_unparseable_message_is_quarantined_raw(mailbox):
    result = ingest("unparseable.eml", mailbox)
    assert result.inbound.status == Quarantined
    assert result.inbound.reason == "El mensaje no tiene un remitente válido."
    with result.inbound.raw.open("rb") as raw:
        assert raw.read() == corpus("unparseable.eml")


def test_a_flooding_sender_is_quarantined_past_the_rate_limit(mailbox, alice, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAIL_SENDER_RATE": "2/h"}
    results = [
        ingest_raw(corpus("iso_8859_1_body.eml").replace(b"latin1-0003", f"flood-{i}".encode()),
                   mailbox=mailbox)
        for i in range(3)
    ]
    assert [r.inbound.status for r in results] == [Stored, Stored, Quarantined]
    assert results[2].inbound.reason == "Demasiados mensajes de este remitente en poco tiempo."
    assert Ticket.objects.count() == 2


def test_an_error_inside_ingest_quarantines_the_message_with_its_traceback(mailbox, alice, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "ticket_create", broken)
    result = ingest("multipart_alternative.eml", mailbox)
    assert result.inbound.status == Quarantined and not result.created_ticket
    assert "RuntimeError: disk full" in result.inbound.error
    assert Ticket.objects.count() == 0 and InboundMessage.objects.count() == 1


def test_a_database_outage_propagates_and_stores_nothing(mailbox, alice, monkeypatch):
    def down(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services, "ticket_create", down)
    with pytest.raises(OperationalError):
        ingest("multipart_alternative.eml", mailbox)
    assert InboundMessage.objects.count() == 0


def test_reprocess_turns_a_quarantined_message_into_a_ticket_once(mailbox, alice, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAIL_SENDER_RATE": "0/h"}
    inbound = ingest("multipart_alternative.eml", mailbox).inbound
    assert inbound.status == Quarantined
    result = reprocess(inbound)
    assert result.created_ticket and result.inbound.status == Stored
    assert result.inbound.ticket.customer == alice
    assert not reprocess(InboundMessage.objects.get(pk=inbound.pk)).created_ticket
    assert Ticket.objects.count() == 1 and InboundMessage.objects.count() == 1


def test_reprocess_of_a_message_that_still_breaks_a_limit_keeps_it_in_quarantine(mailbox, bob):
    inbound = ingest("seventy_attachments.eml", mailbox).inbound
    result = reprocess(inbound)
    assert result.inbound.status == Quarantined and Ticket.objects.count() == 0


def test_ingest_never_opens_a_ticket_for_an_ignored_sender_even_when_quoting_a_number(
    mailbox, conversation
):
    assert ingest("own_address.eml", mailbox).inbound.status == Ignored
    assert conversation.messages.count() == 1


# --- Sender verification ------------------------------------------------------------------

WARNING = "Remitente no verificado: no compartas datos de la cuenta hasta confirmar su identidad."


@pytest.fixture(scope="module")
def dkim_key():
    """A throwaway RSA key and the DNS TXT record that publishes it."""
    from .test_mail_memory import dkim_key as new_dkim_key

    return new_dkim_key()


def console_url(number: str) -> str:
    return reverse("console:ticket_detail", args=[number])


def dkim_signed(raw: bytes, private: bytes, domain: bytes = b"example.com") -> bytes:
    import dkim

    signature = dkim.sign(raw, b"prueba", domain, private,
                          include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    return signature + raw


def dns_for(record: bytes, domain: str = "example.com"):
    def lookup(name, timeout=5):
        return record if name == f"prueba._domainkey.{domain}.".encode() else None

    return lookup


def test_a_spoofed_registered_from_is_linked_to_the_customer_but_not_verified(
    client, mailbox, alice, carla
):
    result = ingest("spoofed_registered_from.eml", mailbox)
    ticket = new_ticket(result)
    assert ticket.customer == alice
    assert result.inbound.sender_verified is False
    # A forged From with a Cc must not subscribe a stranger to alice's tickets.
    assert not Participant.objects.filter(ticket=ticket).exists()
    client.force_login(carla)
    page = client.get(console_url(ticket.number))
    assert WARNING in page.content.decode()


def test_a_dkim_signed_message_of_the_from_domain_is_verified(client, mailbox, alice, carla, dkim_key):
    private, record = dkim_key
    raw = dkim_signed(corpus("multipart_alternative.eml"), private)
    result = ingest_raw(raw, mailbox=mailbox, dnsfunc=dns_for(record))
    assert result.inbound.sender_verified is True
    client.force_login(carla)
    page = client.get(console_url(result.inbound.ticket.number))
    assert WARNING not in page.content.decode()


def test_a_dkim_signature_broken_in_transit_does_not_verify(mailbox, alice, dkim_key):
    private, record = dkim_key
    raw = dkim_signed(corpus("multipart_alternative.eml"), private).replace(b"Gracias,", b"Saludos,")
    result = ingest_raw(raw, mailbox=mailbox, dnsfunc=dns_for(record))
    assert result.inbound.sender_verified is False


def test_a_valid_dkim_signature_of_another_domain_does_not_verify_the_from(mailbox, alice, dkim_key):
    private, record = dkim_key
    raw = dkim_signed(corpus("multipart_alternative.eml"), private, domain=b"evil.example")
    result = ingest_raw(raw, mailbox=mailbox, dnsfunc=dns_for(record, "evil.example"))
    assert result.inbound.sender_verified is False


def test_trusted_authentication_results_with_dmarc_pass_verify_the_sender(mailbox, alice, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAIL_TRUSTED_AUTHSERV": ["mx.ventanilla.test"]}
    assert ingest("dmarc_pass.eml", mailbox).inbound.sender_verified is True


def test_authentication_results_from_an_untrusted_host_verify_nothing(mailbox, alice, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAIL_TRUSTED_AUTHSERV": ["mx.otro.example"]}
    assert ingest("dmarc_pass.eml", mailbox).inbound.sender_verified is False


def test_a_forged_dmarc_pass_below_the_trusted_servers_own_verdict_is_ignored(mailbox, alice, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAIL_TRUSTED_AUTHSERV": ["mx.ventanilla.test"]}
    # The sender wrote a "pass" with our server's id; our server's own
    # verdict (fail), prepended on arrival, sits above it and is the one read.
    raw = corpus("spoofed_registered_from.eml").replace(
        b"From: Alicia",
        b"Authentication-Results: mx.ventanilla.test; dmarc=pass header.from=example.com\nFrom: Alicia",
    )
    assert ingest_raw(raw, mailbox=mailbox).inbound.sender_verified is False


def test_the_warning_follows_the_latest_email_of_the_ticket(client, mailbox, alice, carla, settings):
    ticket = new_ticket(ingest("spoofed_registered_from.eml", mailbox))
    Ticket.objects.filter(pk=ticket.pk).update(number=NUMBER)
    settings.VENTANILLA = {**settings.VENTANILLA, "MAIL_TRUSTED_AUTHSERV": ["mx.ventanilla.test"]}
    raw = corpus("dmarc_pass.eml").replace(b"Subject: Cambiar", b"Subject: [#48151623] Cambiar")
    assert ingest_raw(raw, mailbox=mailbox).inbound.ticket == ticket
    client.force_login(carla)
    assert WARNING not in client.get(console_url(NUMBER)).content.decode()


def test_a_portal_ticket_shows_no_sender_warning(client, carla, alice_ticket):
    client.force_login(carla)
    assert WARNING not in client.get(console_url(alice_ticket.number)).content.decode()


# --- Admin ------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


def test_the_admin_lists_inbound_mail_by_status_and_finds_it_by_sender(admin_client, mailbox, bob):
    ingest("seventy_attachments.eml", mailbox)
    ingest("inline_image.eml", mailbox)
    url = reverse("admin:mail_inboundmessage_changelist")
    quarantined = admin_client.get(url, {"status__exact": Quarantined}).content.decode()
    assert "Todos los logs del servidor" in quarantined and "Pantalla en blanco" not in quarantined
    found = admin_client.get(url, {"q": "<inline-0008@roberto.com>"}).content.decode()
    assert "Pantalla en blanco" in found and "Todos los logs" not in found


def test_the_original_eml_downloads_only_through_the_admin(admin_client, client, mailbox, alice, carla):
    inbound = ingest("multipart_alternative.eml", mailbox).inbound
    page = admin_client.get(reverse("admin:mail_inboundmessage_change", args=[inbound.pk]))
    download = reverse("admin:mail_inboundmessage_eml", args=[inbound.pk])
    assert download in page.content.decode()
    response = admin_client.get(download)
    assert response["Content-Type"] == "message/rfc822"
    assert b"".join(response.streaming_content) == corpus("multipart_alternative.eml")
    client.force_login(carla)  # an agent, not an admin
    assert client.get(download).status_code == 302


def test_the_reprocess_action_turns_quarantined_mail_into_tickets(admin_client, mailbox, alice, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAIL_SENDER_RATE": "0/h"}
    inbound = ingest("multipart_alternative.eml", mailbox).inbound
    response = admin_client.post(reverse("admin:mail_inboundmessage_changelist"), {
        "action": "reprocess", "_selected_action": [inbound.pk]}, follow=True)
    assert "Se procesó 1 mensaje." in response.content.decode()
    inbound.refresh_from_db()
    assert inbound.status == Stored and inbound.ticket.customer == alice


def test_the_mailbox_admin_never_shows_the_imap_password_and_keeps_it_when_left_empty(
    admin_client, mailbox
):
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_host="imap.example.com",
                                                 imap_password="secreto-imap-42")
    url = reverse("admin:mail_mailbox_change", args=[mailbox.pk])
    assert "secreto-imap-42" not in admin_client.get(url).content.decode()
    assert "secreto-imap-42" not in admin_client.get(
        reverse("admin:mail_mailbox_changelist")).content.decode()
    response = admin_client.post(url, {
        "name": "soporte", "address": "soporte@example.com", "department": mailbox.department_id,
        "is_active": "on", "imap_host": "imap.example.com", "imap_port": 993,
        "imap_security": "ssl", "imap_username": "soporte", "imap_password": "",
        "imap_folder": "INBOX", "processed_folder": "", "poll_every_seconds": 60,
    })
    assert response.status_code == 302
    mailbox.refresh_from_db()
    assert (mailbox.imap_password, mailbox.imap_username) == ("secreto-imap-42", "soporte")


# --- Hostile bytes ---------------------------------------------------------------


def test_nul_characters_and_undecodable_bytes_in_headers_still_open_the_ticket(mailbox, alice):
    """PostgreSQL refuses NUL in text: every header and name that reaches a
    column is cleaned; nothing of the message is lost."""
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    raw = (
        b"From: =?utf-8?q?Alicia=00_P=C3=A9rez?= <alice@example.com>\r\n"
        b"To: soporte@example.com\r\n"
        b"Subject: =?utf-8?q?Correo=00_ca=C3=ADdo?= \xff\xfe roto\r\n"
        b"Message-ID: <nul.1@example.com>\r\n"
        b"MIME-Version: 1.0\r\n"
        b"Content-Type: multipart/mixed; boundary=XYZ\r\n\r\n"
        b"--XYZ\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        b"No llegan los correos\x00 desde ayer.\r\n"
        b"--XYZ\r\nContent-Type: application/pdf\r\n"
        b"Content-Disposition: attachment; filename=\"=?utf-8?q?fac=00tura.pdf?=\"\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\n" + base64.b64encode(pdf) + b"\r\n--XYZ--\r\n"
    )
    result = ingest_raw(raw, mailbox=mailbox)
    ticket = new_ticket(result)
    message = ticket.messages.get()
    assert "\x00" not in ticket.subject and "Correo" in ticket.subject
    assert "\x00" not in message.body and "No llegan los correos" in message.body
    attachment = Attachment.objects.get(message=message)
    assert "\x00" not in attachment.original_name and attachment.original_name.endswith(".pdf")
    inbound = result.inbound
    assert "\x00" not in inbound.subject + inbound.sender
