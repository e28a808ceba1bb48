"""Attachments as real mailers send them (issue 21, items 5 and 8): a
message forwarded as an attachment is kept whole as an .eml file that
nobody trims and that people who may see the ticket can open safely; files
without a name, or with a wrong type, are named by what they are; names
are kept as the sender wrote them; an inline text part that is a message's
only text is its body. The messages are written here for these tests,
after the shapes of public corpora (Zammad's, CPython's, flanker's)."""

import base64

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.conftest import make_customer
from ventanilla.mail.ingest import ingest_raw
from ventanilla.mail.models import Mailbox
from ventanilla.mail.parsing import parse_email, strip_quoted
from ventanilla.tickets.attachments import check_upload
from ventanilla.tickets.models import Attachment

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
       b"\x00\x00\x00IEND\xaeB`\x82")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode()


# --- Item 5: a message forwarded as an attachment ---------------------------------------

# What the billing department of another company sent alice: text, HTML with
# a script and a tracking pixel, and a statement as a PNG.
INNER = (
    "Received: from mx.cobranza.example (mx.cobranza.example [192.0.2.8])\n"
    "\tby mail.alicia.mx with ESMTPS id 4Q1; Wed, 5 Nov 2025 09:00:00 -0600\n"
    "From: =?utf-8?q?Cobranza_Hosting_Pl=C3=BAs?= <cobranza@hostingplus.example>\n"
    "To: alice@example.com\n"
    "Subject: Re: factura 123\n"
    "Date: Wed, 5 Nov 2025 09:00:00 -0600\n"
    "Message-ID: <fact-123@hostingplus.example>\n"
    "MIME-Version: 1.0\n"
    'Content-Type: multipart/mixed; boundary="in-1"\n'
    "\n"
    "--in-1\n"
    'Content-Type: multipart/alternative; boundary="in-2"\n'
    "\n"
    "--in-2\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "Content-Transfer-Encoding: 8bit\n"
    "\n"
    "Su factura 123 vence el viernes; el importe es de 1.250,00 MXN.\n"
    "-- \n"
    "Cobranza\n"
    "\n"
    "--in-2\n"
    "Content-Type: text/html; charset=utf-8\n"
    "\n"
    '<p>Su factura <b class="fact">123</b> vence el viernes.</p>'
    '<script>document.title = "pwned"</script>'
    '<img src="http://tracker.example.net/p.gif" onerror="document.title=\'pwned\'">\n'
    "--in-2--\n"
    "\n"
    "--in-1\n"
    "Content-Type: image/png\n"
    'Content-Disposition: attachment; filename="estado de cuenta.png"\n'
    "Content-Transfer-Encoding: base64\n"
    "\n" + b64(PNG) +
    "--in-1\n"
    "Content-Type: application/x-msdownload\n"
    'Content-Disposition: attachment; filename="pagar.exe"\n'
    "Content-Transfer-Encoding: base64\n"
    "\n" + b64(b"MZ\x90\x00" + b"\x00" * 60) +
    "--in-1--\n"
).encode()


def forward(own_text: str, inner: bytes = INNER, *, subject: str = "mira esto") -> bytes:
    """alice forwards a message as an attachment (Outlook, Thunderbird)."""
    return (
        "From: Alicia Pérez <alice@example.com>\n"
        "To: soporte@example.com\n"
        f"Subject: {subject}\n"
        "Date: Thu, 6 Nov 2025 10:00:00 -0600\n"
        "Message-ID: <fwd-att-1@alicia.mx>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="out"\n'
        "\n"
        "--out\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "\n"
        f"{own_text}\n"
        "--out\n"
        "Content-Type: message/rfc822\n"
        'Content-Disposition: attachment; filename="Re: factura 123.eml"\n'
        "\n"
    ).encode() + inner + b"\n--out--\n"


def test_a_forwarded_message_after_a_signature_is_kept_whole_as_an_eml_file():
    email = parse_email(forward("Hola, mira lo que me llegó.\n-- \nAlicia Pérez\nGerente"))
    assert email.new_text == "Hola, mira lo que me llegó."
    (forwarded,) = email.attachments
    assert forwarded.filename == "Re_ factura 123.eml"
    assert forwarded.content_type == "message/rfc822"
    assert forwarded.content == INNER  # the original bytes, folded Received line included


def test_a_forwarded_message_keeps_its_crlf_bytes():
    raw = forward("Reenvío.").replace(b"\n", b"\r\n")
    (forwarded,) = parse_email(raw).attachments
    assert forwarded.content == INNER.replace(b"\n", b"\r\n")


def test_a_forward_without_text_of_its_own_shows_the_forwarded_text_untrimmed():
    email = parse_email(forward(""))
    assert email.new_text.startswith("---------- Mensaje reenviado ----------\nDe: Cobranza Hosting")
    assert "Su factura 123 vence el viernes" in email.new_text
    assert "Cobranza\n" in email.new_text + "\n"  # its signature too: it is not the customer's
    assert [a.filename for a in email.attachments] == ["Re_ factura 123.eml"]


def test_a_forwarded_message_without_subject_is_named_by_its_mailer_or_its_position():
    inner = INNER.replace(b"Subject: Re: factura 123\n", b"")
    (forwarded,) = parse_email(forward("Ver adjunto.", inner)).attachments
    assert forwarded.filename == "Re_ factura 123.eml"  # the name the mailer gave it
    raw = forward("Ver adjunto.", inner).replace(b'; filename="Re: factura 123.eml"', b"")
    (forwarded,) = parse_email(raw).attachments
    assert forwarded.filename == "mensaje-reenviado-1.eml"


def test_a_forwarded_message_sent_in_base64_is_decoded_before_it_is_kept():
    # RFC 2046 forbids an encoded message/rfc822; some mailers send one anyway.
    raw = forward("Reenvío.").replace(
        b"Content-Type: message/rfc822\n", b"Content-Type: message/rfc822\n"
        b"Content-Transfer-Encoding: base64\n").replace(INNER, b64(INNER).encode())
    (forwarded,) = parse_email(raw).attachments
    assert forwarded.filename == "Re_ factura 123.eml"
    assert forwarded.content == INNER


def test_an_eml_file_passes_the_attachment_checks_only_when_it_is_a_message():
    checked = check_upload("Re_ factura 123.eml", INNER[:8192], len(INNER))
    assert checked.content_type == "message/rfc822"
    for content in [b"Hola, esto no es un correo.\n", b"MZ\x90\x00" + b"\x00" * 60,
                    b"X-Only: one header\n\nbody\n", PNG]:
        with pytest.raises(ValidationError):
            check_upload("falso.eml", content, len(content))
    long_headers = b"".join(b"Received: from relay%d.example by mx.example\n" % i
                            for i in range(400)) + b"From: a@example.com\n\nhola\n"
    assert check_upload("largo.eml", long_headers[:8192], len(long_headers)).content_type == (
        "message/rfc822")


# --- Item 5: a message forwarded inline -------------------------------------------------


def test_an_inline_forward_below_a_signature_is_not_trimmed_away():
    text = ("Me llegó este aviso, ¿es real?\n-- \nAlicia Pérez\n\n"
            "---------- Forwarded message ---------\n"
            "De: Avisos <avisos@registrador.example>\n"
            "Date: jue, 6 nov 2025 a las 17:40\n"
            "Subject: Suspensión de alicia.mx\n\n"
            "Su dominio será suspendido.\n-- \nEl registrador")
    assert strip_quoted(text) == (
        "Me llegó este aviso, ¿es real?\n\n---------- Forwarded message ---------\n"
        "De: Avisos <avisos@registrador.example>\nDate: jue, 6 nov 2025 a las 17:40\n"
        "Subject: Suspensión de alicia.mx\n\nSu dominio será suspendido.\n-- \nEl registrador")


@pytest.mark.parametrize("marker", [
    "-------- Mensaje reenviado --------", "----- Forwarded Message -----",
    "Begin forwarded message:", "Inicio del mensaje reenviado:",
])
def test_other_mailers_inline_forwards_are_kept(marker):
    text = f"Mira esto.\n\n{marker}\n\nFrom: x@example.com\nSent: hoy\n\nEl texto reenviado."
    assert strip_quoted(text).endswith(f"{marker}\n\nFrom: x@example.com\nSent: hoy\n\nEl texto reenviado.")


def test_a_forward_inside_quoted_history_is_still_history():
    text = ("Gracias, ya quedó.\n\nEl jue, 6 nov 2025 a las 10:00, Soporte <soporte@example.com> "
            "escribió:\n---------- Forwarded message ---------\nDe: x@example.com\n\nviejo")
    assert strip_quoted(text) == "Gracias, ya quedó."


# --- Item 8: names and types --------------------------------------------------------------


def mixed(*parts: str, body: str | None = "Adjunto los archivos.") -> bytes:
    text = ("--b\nContent-Type: text/plain; charset=utf-8\n\n" + body + "\n") if body is not None else ""
    return (
        "From: Roberto Gómez <bob@example.com>\nTo: soporte@example.com\n"
        "Subject: Capturas del error\nMessage-ID: <att-8@roberto.com>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="b"\n\n' + text + "".join(parts) + "--b--\n"
    ).encode("utf-8")


def part(headers: str, data: bytes) -> str:
    return f"--b\n{headers}\nContent-Transfer-Encoding: base64\n\n{b64(data)}"


NAMELESS = [
    part("Content-Type: image/jpeg\nContent-Disposition: inline", JPEG),
    part("Content-Type: application/others", JPEG),
    part("Content-Type: application/octet-stream", PDF),
    part("Content-Type: application/octet-stream\nContent-ID: <img1@roberto.com>", PNG),
]


def test_nameless_files_and_wrong_types_are_named_by_their_content():
    email = parse_email(mixed(*NAMELESS))
    assert [(a.filename, a.content_type) for a in email.attachments] == [
        ("imagen-1.jpg", "image/jpeg"), ("imagen-2.jpg", "image/jpeg"),
        ("documento-3.pdf", "application/pdf"), ("imagen-4.png", "image/png"),
    ]
    assert email.attachments[3].content_id == "img1@roberto.com"


def test_file_names_are_kept_as_the_sender_wrote_them():
    raw = mixed(
        part('Content-Type: image/jpeg; name="image001.jpg"', JPEG),
        part('Content-Type: application/pdf\nContent-Disposition: attachment; '
             'filename="factura  marzo  2025.pdf"', PDF),
        part("Content-Type: application/pdf\nContent-Disposition: attachment; "
             "filename*=utf-8''informe%20%20t%C3%A9cnico.pdf", PDF),
        part("Content-Type: image/png\nContent-Disposition: attachment; "
             'filename="=?utf-8?q?captura__se=C3=B1al.png?="', PNG),
        part('Content-Type: image/png\nContent-Disposition: attachment; filename="../../capturas/año.png"',
             PNG),
    )
    names = [a.filename for a in parse_email(raw).attachments]
    assert names == ["image001.jpg", "factura  marzo  2025.pdf", "informe  técnico.pdf",
                     "captura  señal.png", "año.png"]


def test_a_raw_utf8_file_name_is_not_replacement_characters():
    raw = mixed(part('Content-Type: application/pdf; name="presupuesto año 2026.pdf"', PDF))
    assert b"a\xc3\xb1o" in raw  # raw 8-bit, no encoding at all
    (attachment,) = parse_email(raw).attachments
    assert attachment.filename == "presupuesto año 2026.pdf"


def test_an_inline_named_text_part_that_is_the_only_text_is_the_body():
    text = b"Mi sitio roberto.com muestra un error 500 desde las 9:00."
    only = mixed(part('Content-Type: text/plain; charset=utf-8; name="mensaje.txt"\n'
                      "Content-Disposition: inline", text), body=None)
    email = parse_email(only)
    assert email.text == "Mi sitio roberto.com muestra un error 500 desde las 9:00."
    assert email.attachments == []
    with_body = mixed(part('Content-Type: text/plain; charset=utf-8; name="error.log"\n'
                           "Content-Disposition: inline", text))
    email = parse_email(with_body)
    assert email.text == "Adjunto los archivos."
    assert [a.filename for a in email.attachments] == ["error.log"]


# --- Ingest: the ticket message and its stored files ---------------------------------------


@pytest.fixture
def mailbox():
    return Mailbox.objects.select_related("department").get(name="soporte")


def stored(result):
    assert result.created_ticket, (result.inbound.status, result.inbound.reason)
    message = result.inbound.ticket.messages.order_by("pk").first()
    return message, {a.original_name: a for a in message.attachments.all()}


def test_ingest_keeps_the_forwarding_text_as_body_and_the_forward_as_a_stored_eml(mailbox, alice):
    message, files = stored(ingest_raw(
        forward("Hola, mira lo que me llegó.\n-- \nAlicia Pérez"), mailbox=mailbox))
    assert message.body == "Hola, mira lo que me llegó."
    assert list(files) == ["Re_ factura 123.eml"]
    eml = files["Re_ factura 123.eml"]
    assert eml.content_type == "message/rfc822" and eml.size == len(INNER)
    with eml.file.open("rb") as handle:
        assert handle.read() == INNER


def test_a_forwarded_message_too_large_to_keep_leaves_a_note_and_its_text(mailbox, alice,
                                                                         settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAX_FILE_BYTES": 1024}
    message, files = stored(ingest_raw(forward("Hola, mira lo que me llegó."), mailbox=mailbox))
    assert files == {}
    assert message.body.startswith(
        "Hola, mira lo que me llegó.\n\n[Adjunto no aceptado: Re_ factura 123.eml — supera el máximo")
    assert "---------- Mensaje reenviado ----------\nDe: Cobranza Hosting Plús" in message.body
    assert "Su factura 123 vence el viernes" in message.body


def test_ingest_stores_nameless_and_mislabelled_files_instead_of_refusing_them(mailbox, bob):
    message, files = stored(ingest_raw(mixed(*NAMELESS), mailbox=mailbox))
    assert "[Adjunto no aceptado" not in message.body
    assert {name: a.content_type for name, a in files.items()} == {
        "imagen-1.jpg": "image/jpeg", "imagen-2.jpg": "image/jpeg",
        "documento-3.pdf": "application/pdf", "imagen-4.png": "image/png",
    }


def test_ingest_makes_an_inline_named_text_the_body(mailbox, bob):
    raw = mixed(part('Content-Type: text/plain; charset=utf-8; name="mensaje.txt"\n'
                     "Content-Disposition: inline", b"El correo no sale desde ayer."),
                body=None)
    message, files = stored(ingest_raw(raw, mailbox=mailbox))
    assert message.body == "El correo no sale desde ayer."
    assert files == {}


# --- Who may open the forwarded message ---------------------------------------------------


@pytest.fixture
def forwarded(mailbox, alice):
    """The .eml attachment of alice's ticket (department soporte)."""
    result = ingest_raw(forward("Hola, mira lo que me llegó."), mailbox=mailbox)
    return Attachment.objects.get(message__ticket=result.inbound.ticket)


def view_url(attachment):
    return reverse("forwarded:message", args=[attachment.pk])


def file_url(attachment, number):
    return reverse("forwarded:file", args=[attachment.pk, number])


def test_the_customer_of_the_ticket_reads_the_forwarded_message_safely(client, forwarded, alice):
    client.force_login(alice.user)
    response = client.get(view_url(forwarded))
    assert response.status_code == 200
    page = response.content.decode()
    page = page[page.index('<article class="forwarded'):page.index("</article>")]
    for shown in ["Re: factura 123", "Cobranza Hosting Plús", "cobranza@hostingplus.example",
                  "alice@example.com", "Su factura 123 vence el viernes", "estado de cuenta.png",
                  "pagar.exe"]:
        assert shown in page, shown
    assert "<b>123</b>" in page  # the HTML, sanitized
    for unsafe in ["<script", "pwned", "tracker.example.net", "onerror", "<img"]:
        assert unsafe not in page, unsafe
    assert file_url(forwarded, 1) in page and file_url(forwarded, 2) not in page


def test_the_forwarded_message_s_files_download_through_the_same_check(client, forwarded, alice):
    client.force_login(alice.user)
    response = client.get(file_url(forwarded, 1))
    assert response.status_code == 200
    assert response.content == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(file_url(forwarded, 2)).status_code == 404  # an .exe is never handed out
    assert client.get(file_url(forwarded, 3)).status_code == 404


def test_a_file_of_the_forwarded_message_over_the_size_limit_is_listed_not_handed_out(
        client, forwarded, alice, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAX_FILE_BYTES": 32}
    client.force_login(alice.user)
    page = client.get(view_url(forwarded)).content.decode()
    assert "estado de cuenta.png" in page and file_url(forwarded, 1) not in page
    assert "supera el máximo por archivo" in page
    assert client.get(file_url(forwarded, 1)).status_code == 404


def test_the_ticket_page_links_the_eml_to_its_view(client, forwarded, alice):
    client.force_login(alice.user)
    ticket = forwarded.message.ticket
    page = client.get(reverse("portal:ticket_detail", args=[ticket.number])).content.decode()
    assert view_url(forwarded) in page


def test_another_customer_gets_404(client, forwarded, bob):
    client.force_login(bob.user)
    assert client.get(view_url(forwarded)).status_code == 404
    assert client.get(file_url(forwarded, 1)).status_code == 404


def test_a_stranger_is_sent_to_log_in(client, forwarded):
    for url in [view_url(forwarded), file_url(forwarded, 1)]:
        response = client.get(url)
        assert response.status_code == 302 and "/cuenta/login/" in response["Location"]


def test_an_agent_of_another_department_gets_404_and_one_of_its_department_reads_it(
        client, forwarded, diego, carla):
    client.force_login(diego)
    assert client.get(view_url(forwarded)).status_code == 404
    assert client.get(file_url(forwarded, 1)).status_code == 404
    client.force_login(carla)
    response = client.get(view_url(forwarded))
    assert response.status_code == 200
    assert reverse("console:ticket_detail", args=[forwarded.message.ticket.number]) in (
        response.content.decode())


def test_an_attachment_that_is_not_a_message_has_no_message_view(client, forwarded, alice, mailbox):
    image = ingest_raw(mixed(NAMELESS[0]).replace(b"<att-8@roberto.com>", b"<att-9@alicia.mx>")
                       .replace(b"bob@example.com", b"alice@example.com"), mailbox=mailbox)
    attachment = Attachment.objects.get(message__ticket=image.inbound.ticket)
    client.force_login(alice.user)
    assert client.get(view_url(attachment)).status_code == 404


def test_a_customer_without_the_ticket_but_with_an_account_gets_404(client, forwarded):
    other = make_customer("carmen@example.com", "Carmen")
    client.force_login(other.user)
    assert client.get(view_url(forwarded)).status_code == 404
