"""What becomes of each delivery of an email (issue 21, items 1, 2 and 9):
a redelivery is counted on the email it repeats, a different email that
reuses a Message-ID is a message of its own, list and bulk mail opens a
ticket without an automatic answer, and nobody's Cc makes the desk mail
third parties unless the sender is verified or already on the ticket."""

import threading
from concurrent.futures import ThreadPoolExecutor
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.db import connection
from django.urls import reverse

from ventanilla.mail import ingest as ingest_module
from ventanilla.mail import outbound
from ventanilla.mail.fingerprint import SLICE, redelivery_key
from ventanilla.mail.ingest import ingest_raw
from ventanilla.mail.models import (
    InboundMessage,
    Mailbox,
    NotificationOutbox,
    OutboundEmail,
    Participant,
    ThreadId,
)
from ventanilla.mail.parsing import parse_email
from ventanilla.tickets.models import Message, Ticket

CORPUS = Path(__file__).parent / "mail_corpus"
Stored, Ignored = InboundMessage.Status.STORED, InboundMessage.Status.IGNORED
AUTHSERV = "mx.ventanilla.test"


def corpus(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


def email(*, sender="ana@empresa.example", subject="Mi web no carga", message_id="<ana-1@empresa.example>",
          body="Desde esta mañana mi web da error 500.", cc=(), headers="") -> bytes:
    cc_header = "Cc: " + ",\n ".join(cc) + "\n" if cc else ""
    return (
        f"{headers}From: {sender}\nTo: soporte@example.com\n{cc_header}Subject: {subject}\n"
        f"Date: Mon, 24 Nov 2025 10:00:00 -0600\nMessage-ID: {message_id}\nMIME-Version: 1.0\n"
        f"Content-Type: text/plain; charset=utf-8\n\n{body}\n"
    ).encode()


def dmarc_pass(domain: str) -> str:
    """What our own receiving server writes when DMARC passed for `domain`."""
    return f"Authentication-Results: {AUTHSERV}; dkim=pass header.d={domain}; dmarc=pass header.from={domain}\n"


@pytest.fixture
def mailbox():
    return Mailbox.objects.select_related("department").get(name="soporte")


@pytest.fixture
def trusted_mx(settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAIL_TRUSTED_AUTHSERV": [AUTHSERV]}


def acknowledgement(ticket: Ticket) -> OutboundEmail | None:
    """Build the ticket's pending notifications as the job would, and return
    the customer's "ticket created" email, if any was due."""
    for row in NotificationOutbox.objects.filter(ticket=ticket, status=NotificationOutbox.Status.PENDING):
        assert outbound.outbox_build(row.pk).done
    return OutboundEmail.objects.filter(ticket=ticket, kind="created").first()


def recipients(outbound_email: OutboundEmail) -> list[str]:
    return [address.strip() for address in outbound_email.to.split(",")]


# --- 1. Redeliveries and reused Message-IDs -------------------------------------------


def test_a_different_email_reusing_a_message_id_is_stored_as_a_ticket_of_its_own(mailbox):
    first = ingest_raw(corpus("reused_message_id_first.eml"), mailbox=mailbox)
    second = ingest_raw(corpus("reused_message_id_second.eml"), mailbox=mailbox)
    assert first.created_ticket and second.created_ticket and not second.duplicate
    assert first.inbound.ticket != second.inbound.ticket
    assert second.inbound.ticket.subject == "Contacto desde la web: certificado caducado"
    assert "certificado de mi dominio caducó" in second.inbound.ticket_message.body
    assert InboundMessage.objects.filter(message_id="<formulario@localhost.localdomain>").count() == 2
    # The id threads to the ticket that had it first.
    assert ThreadId.objects.get(message_id="<formulario@localhost.localdomain>").ticket == first.inbound.ticket


def test_a_reply_to_a_reused_message_id_threads_into_the_first_ticket(mailbox):
    first = ingest_raw(corpus("reused_message_id_first.eml"), mailbox=mailbox).inbound.ticket
    ingest_raw(corpus("reused_message_id_second.eml"), mailbox=mailbox)
    reply = email(sender="Formulario de la tienda <tienda@formularios.example>",
                  subject="Re: Contacto desde la web: no carga el carrito", message_id="<r-1@formularios.example>",
                  headers="In-Reply-To: <formulario@localhost.localdomain>\n")
    result = ingest_raw(reply, mailbox=mailbox)
    assert result.inbound.ticket == first and not result.created_ticket
    assert Ticket.objects.count() == 2


def test_the_same_email_through_another_mailbox_and_path_is_one_delivery_counted_twice(mailbox):
    raw = corpus("multipart_alternative.eml")
    first = ingest_raw(raw, mailbox=mailbox)
    # The copy for another of our addresses, as an MDA pipes it: an mbox
    # "From " line, its own trace on top, CRLF line ends.
    copy = (b"From alice@example.com  Mon Nov  3 10:05:00 2025\n"
            b"Delivered-To: facturacion@example.com\nX-Original-To: facturacion@example.com\n"
            b"Received: from mx.ventanilla.test by buzones.ventanilla.test with LMTP id Zz9;\n"
            b"\tMon, 3 Nov 2025 10:05:00 -0600\n"
            b"X-Spam-Status: No, score=-0.1\nAuthentication-Results: mx.ventanilla.test; dkim=none\n"
            + raw).replace(b"\n", b"\r\n")
    again = ingest_raw(copy, mailbox=Mailbox.objects.get(name="facturacion"))
    assert again.duplicate and again.inbound is None
    stored = InboundMessage.objects.get()
    assert stored == first.inbound and stored.deliveries == 2 and stored.last_delivered_at is not None
    assert Ticket.objects.count() == 1


def test_a_changed_subject_or_body_under_the_same_message_id_is_a_new_message(mailbox):
    ingest_raw(email(), mailbox=mailbox)
    edited_body = ingest_raw(email(body="Ahora da error 503."), mailbox=mailbox)
    edited_subject = ingest_raw(email(subject="Mi web no carga (otra vez)"), mailbox=mailbox)
    assert not edited_body.duplicate and not edited_subject.duplicate
    assert edited_body.inbound.status == Stored and edited_subject.inbound.status == Stored
    assert InboundMessage.objects.filter(message_id="<ana-1@empresa.example>").count() == 3


@pytest.mark.parametrize("copy", [
    b"Received: from a by b; Mon, 24 Nov 2025 10:00:01 -0600\n",
    b"Return-Path: <bounce+x@empresa.example>\nDelivered-To: soporte@example.com\n",
    b"X-Original-To: ventas@example.com\nEnvelope-To: ventas@example.com\n",
    b"ARC-Seal: i=1; a=rsa-sha256; cv=none; d=relay.example;\n\ts=arc; b=AbCd\n",
    b"X-Spam-Score: 2.1\nX-Spam-Flag: NO\nReceived-SPF: pass (mx: domain of empresa.example)\n",
])
def test_the_fingerprint_ignores_what_servers_add_on_the_way(copy):
    assert redelivery_key(copy + email()) == redelivery_key(email())


def test_the_fingerprint_reads_crlf_as_lf_and_ignores_an_mbox_line_and_final_newlines():
    lf = email(body="x" * SLICE + "\nsigue en el siguiente trozo\n")
    crlf = lf.replace(b"\n", b"\r\n")
    for copy in [crlf, b"From ana@empresa.example Mon Nov 24 10:00:01 2025\n" + lf, lf + b"\n\n",
                 crlf + b"\r\n"]:
        assert redelivery_key(copy) == redelivery_key(lf)


def test_the_fingerprint_keeps_every_crlf_cut_between_two_slices():
    head = b"From: ana@empresa.example\r\n\r\n"
    body = b"x" * (SLICE - 1) + b"\r\n" + b"y" * 10  # the slice ends between CR and LF
    assert redelivery_key(head + body) == redelivery_key(head.replace(b"\r\n", b"\n")
                                                         + body.replace(b"\r\n", b"\n"))
    assert redelivery_key(head + body) != redelivery_key(head + body.replace(b"\r\n", b"\r"))


@pytest.mark.parametrize("changed", [
    email(subject="Otra cosa"),
    email(body="Otro texto."),
    email(cc=["jefe@empresa.example"]),
    b"X-Mailer: Otro\n" + email(),
])
def test_the_fingerprint_changes_with_anything_the_author_wrote(changed):
    assert redelivery_key(changed) != redelivery_key(email())


def test_the_admin_shows_the_deliveries_and_the_other_emails_with_the_same_message_id(
    client, root, mailbox
):
    first = ingest_raw(corpus("reused_message_id_first.eml"), mailbox=mailbox).inbound
    second = ingest_raw(corpus("reused_message_id_second.eml"), mailbox=mailbox).inbound
    ingest_raw(corpus("reused_message_id_first.eml"), mailbox=mailbox)
    client.force_login(root)
    page = client.get(reverse("admin:mail_inboundmessage_change", args=[first.pk])).content.decode()
    assert reverse("admin:mail_inboundmessage_change", args=[second.pk]) in page
    assert "certificado caducado" in page
    first.refresh_from_db()
    assert first.deliveries == 2
    listing = client.get(reverse("admin:mail_inboundmessage_changelist"),
                         {"q": "<formulario@localhost.localdomain>"}).content.decode()
    assert "no carga el carrito" in listing and "certificado caducado" in listing


def test_the_upgrade_rekeys_emails_stored_by_message_id_so_their_redelivery_stays_one(mailbox):
    raw = corpus("multipart_alternative.eml")
    old = InboundMessage(mailbox=mailbox, dedup_key="<CAF3x9+alt-0001@mail.example.com>",
                         message_id="<CAF3x9+alt-0001@mail.example.com>", status=Stored)
    old.raw.save("antiguo.eml", ContentFile(raw), save=True)
    lost = InboundMessage.objects.create(mailbox=mailbox, dedup_key="<sin-archivo@example.com>",
                                         raw="mail/2025/01/no-existe.eml", status=Stored)
    migration = import_module("ventanilla.mail.migrations.0009_inbound_deliveries_and_fingerprints")
    migration.fingerprint_stored_messages(django_apps, None)
    old.refresh_from_db()
    lost.refresh_from_db()
    assert old.dedup_key == redelivery_key(raw)
    assert lost.dedup_key == "<sin-archivo@example.com>"
    assert ingest_raw(corpus("duplicate_message_id.eml"), mailbox=mailbox).duplicate


# --- 2. Lists and bulk mail: a ticket, never an automatic answer ----------------------


@pytest.mark.parametrize("headers", [
    "Precedence: bulk\n", "Precedence: list\n", "Precedence: junk\n",
    "List-Id: Clientes <clientes.listas.example.com>\n",
    "List-Unsubscribe: <mailto:baja@listas.example.com>\n",
])
def test_list_and_bulk_mail_is_read_as_bulk_not_as_an_auto_reply(headers):
    parsed = parse_email(email(headers=headers))
    assert parsed.is_bulk and not parsed.is_auto_reply


def test_ordinary_mail_is_not_bulk():
    assert not parse_email(email(headers="Precedence: first-class\n")).is_bulk
    assert not parse_email(email()).is_bulk


def test_a_persons_reply_on_a_mailing_list_opens_a_ticket_without_acknowledgement(mailbox):
    result = ingest_raw(corpus("mailing_list_reply.eml"), mailbox=mailbox)
    assert result.created_ticket and result.inbound.status == Stored
    ticket = result.inbound.ticket
    assert ticket.customer.email == "ernesto@vidal.example"
    assert "mi buzón ernesto@vidal.example no recibe" in ticket.messages.get().body
    assert result.inbound.unacknowledged == InboundMessage.Unacknowledged.BULK
    assert acknowledgement(ticket) is None
    # The agents are told as usual.
    assert NotificationOutbox.objects.filter(ticket=ticket, kind="agent_new_ticket").exists()


def test_a_customers_newsletter_reply_with_precedence_bulk_is_a_ticket_without_acknowledgement(
    mailbox, alice
):
    result = ingest_raw(corpus("newsletter_reply_bulk.eml"), mailbox=mailbox)
    assert result.created_ticket and result.inbound.ticket.customer == alice
    assert acknowledgement(result.inbound.ticket) is None
    assert not OutboundEmail.objects.filter(kind="created").exists()


def test_an_ordinary_email_is_acknowledged(mailbox, alice):
    result = ingest_raw(corpus("multipart_alternative.eml"), mailbox=mailbox)
    assert result.inbound.unacknowledged == ""
    assert recipients(acknowledgement(result.inbound.ticket)) == ["alice@example.com"]


def test_the_console_says_why_a_ticket_got_no_acknowledgement(client, mailbox, carla):
    ticket = ingest_raw(corpus("mailing_list_reply.eml"), mailbox=mailbox).inbound.ticket
    client.force_login(carla)
    page = client.get(reverse("console:ticket_detail", args=[ticket.number])).content.decode()
    assert "Sin acuse de recibo automático" in page
    assert "correo masivo o de una lista de correo" in page


@pytest.mark.parametrize("headers, expected", [
    ("Auto-Submitted: auto-generated\n", InboundMessage.Unacknowledged.AUTOMATIC),
    ("X-Autorespond: yes\nList-Id: <clientes.listas.example.com>\n", InboundMessage.Unacknowledged.AUTOMATIC),
    ("List-Id: <clientes.listas.example.com>\n", InboundMessage.Unacknowledged.BULK),
    ("", ""),
])
def test_mail_a_program_sent_would_get_no_acknowledgement_even_if_stored(headers, expected):
    """Such mail is ignored before a ticket is made; the rule that decides
    the acknowledgement does not rely on that."""
    assert ingest_module._unacknowledged(parse_email(email(headers=headers))) == expected


@pytest.mark.parametrize("headers, reason", [
    ("Auto-Submitted: auto-replied\n", "Respuesta automática."),
    ("Auto-Submitted: auto-generated\nPrecedence: bulk\n", "Respuesta automática."),
    ("X-Autoreply: yes\nList-Id: <clientes.listas.example.com>\n", "Respuesta automática."),
    ("Precedence: auto_reply\n", "Respuesta automática."),
])
def test_real_auto_replies_are_still_ignored_and_recorded(mailbox, headers, reason):
    result = ingest_raw(email(headers=headers), mailbox=mailbox)
    assert (result.inbound.status, result.inbound.reason) == (Ignored, reason)
    assert Ticket.objects.count() == 0 and InboundMessage.objects.count() == 1


# --- 9. Cc: nobody mails third parties on a stranger's word ---------------------------


def test_a_stranger_copying_a_hundred_people_gets_one_acknowledgement_and_subscribes_nobody(mailbox):
    result = ingest_raw(corpus("hundred_cc_stranger.eml"), mailbox=mailbox)
    ticket = result.inbound.ticket
    assert result.created_ticket and not result.inbound.sender_verified
    assert not Participant.objects.filter(ticket=ticket).exists()
    assert recipients(acknowledgement(ticket)) == ["desconocido@spam.example"]
    # What was not done is on the record, for an agent to add by hand.
    assert len(result.inbound.cc_not_added) == 100
    assert result.inbound.cc_not_added[0] == "persona0@terceros0.example"
    assert result.inbound.cc_not_added_reason == InboundMessage.CcNotAdded.UNVERIFIED


def test_a_verified_sender_adds_cc_people_up_to_the_limit(mailbox, trusted_mx):
    cc = [f"Colega {i} <colega{i}@empresa.example>" for i in range(15)]
    raw = email(cc=cc, headers=dmarc_pass("empresa.example"))
    result = ingest_raw(raw, mailbox=mailbox)
    ticket = result.inbound.ticket
    assert result.inbound.sender_verified
    added = list(Participant.objects.filter(ticket=ticket).order_by("pk").values_list("email", flat=True))
    assert added == [f"colega{i}@empresa.example" for i in range(10)]
    assert result.inbound.cc_not_added == [f"colega{i}@empresa.example" for i in range(10, 15)]
    assert result.inbound.cc_not_added_reason == InboundMessage.CcNotAdded.LIMIT
    assert recipients(acknowledgement(ticket)) == ["ana@empresa.example", *added]


def test_the_participant_limit_is_a_setting_and_counts_those_already_on_the_ticket(
    mailbox, trusted_mx, settings
):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAIL_MAX_PARTICIPANTS": 3}
    first = ingest_raw(email(cc=["a@empresa.example", "b@empresa.example"],
                             headers=dmarc_pass("empresa.example")), mailbox=mailbox).inbound
    reply = email(subject="Re: Mi web no carga", message_id="<ana-2@empresa.example>",
                  cc=["b@empresa.example", "c@empresa.example", "d@empresa.example"],
                  headers=dmarc_pass("empresa.example") + "In-Reply-To: <ana-1@empresa.example>\n")
    second = ingest_raw(reply, mailbox=mailbox).inbound
    assert second.ticket == first.ticket
    assert sorted(Participant.objects.filter(ticket=first.ticket).values_list("email", flat=True)) == [
        "a@empresa.example", "b@empresa.example", "c@empresa.example"]
    assert second.cc_not_added == ["d@empresa.example"]


def test_someone_on_the_ticket_answering_its_message_id_may_copy_a_colleague(
    mailbox, alice, make_ticket
):
    ticket = make_ticket(alice)
    ThreadId.objects.create(ticket=ticket, message_id="<ventanilla.9@soporte.example.com>")
    reply = email(sender="Alicia <alice@example.com>", subject=f"Re: [#{ticket.number}] No puedo enviar",
                  message_id="<alice-r1@example.com>", cc=["Contador <contador@alicia.mx>"],
                  headers="In-Reply-To: <ventanilla.9@soporte.example.com>\n")
    result = ingest_raw(reply, mailbox=mailbox)
    assert result.inbound.ticket == ticket and not result.inbound.sender_verified
    assert list(Participant.objects.filter(ticket=ticket).values_list("email", flat=True)) == [
        "contador@alicia.mx"]


def test_a_forged_customer_quoting_only_the_ticket_number_subscribes_nobody(
    client, mailbox, alice, make_ticket, carla
):
    ticket = make_ticket(alice)
    forged = email(sender="Alicia <alice@example.com>", subject=f"Re: [#{ticket.number}] No puedo enviar",
                   message_id="<forjado-1@spam.example>", cc=["Espía <espia@spam.example>"])
    result = ingest_raw(forged, mailbox=mailbox)
    assert result.inbound.ticket == ticket
    assert not Participant.objects.filter(ticket=ticket).exists()
    assert result.inbound.cc_not_added == ["espia@spam.example"]
    client.force_login(carla)
    page = client.get(reverse("console:ticket_detail", args=[ticket.number])).content.decode()
    assert "En copia, no añadidos como participantes (el remitente no está verificado): espia@spam.example" in page


def test_a_guest_senders_cc_is_not_subscribed_without_verification(mailbox):
    """The old exception for guests let any stranger subscribe third parties."""
    result = ingest_raw(email(cc=["Tercero <tercero@otra.example>"]), mailbox=mailbox)
    assert result.inbound.ticket.customer.user is None
    assert not Participant.objects.exists()
    assert recipients(acknowledgement(result.inbound.ticket)) == ["ana@empresa.example"]
    assert Message.objects.count() == 1


# --- Races: the database's unique key decides --------------------------------------------


def ingest_in_two_threads(monkeypatch, raws: list[bytes]) -> list:
    """Ingest each message on a thread of its own, both past the "already
    stored?" check before either writes: the race an MTA's retry and an
    IMAP poll can run. PostgreSQL runs the writes at once; SQLite's writers
    take turns (in production a file lock queues them; the shared cache of
    the in-memory test database would refuse the second instead)."""
    real_check = ingest_module._already_stored
    barrier = threading.Barrier(len(raws))
    writers_take_turns = threading.Lock() if connection.vendor == "sqlite" else None
    state = threading.local()

    def check_then_wait(key):
        stored = real_check(key)
        if not getattr(state, "checked", False):
            state.checked = True
            barrier.wait(timeout=20)
            if writers_take_turns is not None:
                writers_take_turns.acquire()
                state.turn = True
        return stored

    monkeypatch.setattr(ingest_module, "_already_stored", check_then_wait)
    mailbox = Mailbox.objects.select_related("department").get(name="soporte")

    def run(raw):
        try:
            return ingest_raw(raw, mailbox=mailbox)
        finally:
            connection.close()
            if getattr(state, "turn", False):
                writers_take_turns.release()

    with ThreadPoolExecutor(max_workers=len(raws)) as pool:
        return list(pool.map(run, raws))


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_one_email_racing_are_stored_once_and_both_counted(monkeypatch):
    raw = corpus("multipart_alternative.eml")
    results = ingest_in_two_threads(monkeypatch, [raw, corpus("duplicate_message_id.eml")])
    assert sorted(result.duplicate for result in results) == [False, True]
    stored = InboundMessage.objects.get()
    assert stored.status == Stored and stored.deliveries == 2
    assert Ticket.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_different_emails_with_one_message_id_racing_are_both_stored(monkeypatch):
    results = ingest_in_two_threads(monkeypatch, [corpus("reused_message_id_first.eml"),
                                                  corpus("reused_message_id_second.eml")])
    assert [result.duplicate for result in results] == [False, False]
    assert all(result.inbound.status == Stored for result in results), [r.inbound.error for r in results]
    assert Ticket.objects.count() == 2
    (thread_id,) = ThreadId.objects.filter(message_id="<formulario@localhost.localdomain>")
    assert thread_id.ticket_id in {result.inbound.ticket_id for result in results}
