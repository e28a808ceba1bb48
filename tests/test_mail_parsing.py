"""The pure parts of the inbound channel: MIME → ParsedEmail, quote
stripping, loop detection, charset decoding and the DMARC reading. No
database."""

from pathlib import Path

import pytest

from ventanilla.mail.parsing import (
    clean_subject,
    decode_bytes,
    decode_header_value,
    html_to_text,
    parse_email,
    safe_filename,
    strip_quoted,
    ticket_number_in,
)
from ventanilla.mail.verification import aligned, dmarc_passed

CORPUS = Path(__file__).parent / "mail_corpus"


def parsed(name: str):
    return parse_email((CORPUS / name).read_bytes())


def message(headers: str, body: str = "Hola.") -> bytes:
    base = "From: Alicia <alice@example.com>\nTo: soporte@example.com\nMessage-ID: <x@example.com>\n"
    return (base + headers.strip() + "\n\n" + body).encode()


# --- Headers --------------------------------------------------------------------


def test_the_headers_of_a_reply_are_read_and_decoded():
    email = parsed("gmail_reply_es.eml")
    assert email.message_id == "<CAJ-gmail-0012@mail.gmail.com>"
    assert email.in_reply_to == "<ventanilla.1@soporte.example.com>"
    assert email.references == ["<ventanilla.0@soporte.example.com>", "<ventanilla.1@soporte.example.com>"]
    assert email.thread_ids() == ["<ventanilla.1@soporte.example.com>", "<ventanilla.0@soporte.example.com>"]
    assert (email.from_name, email.from_address) == ("Alicia Pérez", "alice@example.com")
    assert [a.address for a in email.to] == ["soporte@example.com"]
    assert email.date.isoformat() == "2025-11-10T10:20:00-06:00"


def test_cc_addresses_are_listed_with_decoded_names():
    email = parsed("cc_new_ticket.eml")
    assert [(a.name, a.address) for a in email.cc] == [
        ("Contador de Alicia", "contador@alicia.mx"), ("", "soporte@example.com"),
        ("", "alice@example.com"), ("María Diseño", "maria@alicia.mx"),
    ]


def test_addresses_are_lowercased_and_a_missing_from_is_empty():
    assert parsed("multipart_alternative.eml").from_address == "alice@example.com"
    assert parse_email(b"Subject: hola\n\ncuerpo").from_address == ""


@pytest.mark.parametrize("value, expected", [
    ("=?UTF-8?B?TWlncmFjacOzbg==?= =?ISO-8859-1?Q?_r=E1pida?=", "Migración rápida"),
    ("=?windows-1252?Q?=93Plan=94_=80?=", "“Plan” €"),
    ("=?x-desconocido?Q?caf=C3=A9?=", "café"),
    ("Sin codificar", "Sin codificar"),
    ("Línea\n doblada", "Línea doblada"),
])
def test_encoded_words_are_decoded_in_any_charset(value, expected):
    assert decode_header_value(value) == expected


def test_raw_8bit_headers_are_decoded_as_utf8_or_windows_1252():
    assert parse_email("Subject: Contraseña\n\nx".encode()).subject == "Contraseña"
    assert parse_email("Subject: Contraseña\n\nx".encode("cp1252")).subject == "Contraseña"


@pytest.mark.parametrize("data, charset, expected", [
    ("señal".encode(), "utf-8", "señal"),
    ("señal".encode("latin-1"), "iso-8859-1", "señal"),
    ("“€”".encode("cp1252"), "iso-8859-1", "“€”"),  # labelled Latin-1, really windows-1252
    ("“€”".encode("cp1252"), "windows-1252", "“€”"),
    ("señal".encode(), "x-no-existe", "señal"),
    ("señal".encode("latin-1"), None, "señal"),
    ("señal".encode(), "base64", "señal"),  # a codec that is not a text encoding
    ("señal".encode(), "utf-8\x00", "señal"),
])
def test_bodies_decode_with_their_charset_and_unknown_ones_fall_back(data, charset, expected):
    assert decode_bytes(data, charset) == expected


# --- Bodies and attachments ---------------------------------------------------------


def test_text_plain_is_preferred_over_html():
    email = parsed("multipart_alternative.eml")
    assert email.text.startswith("Hola:\n\nDesde ayer Outlook")
    assert "<b>" in email.html


def test_html_only_mail_becomes_text_and_keeps_a_sanitized_html_view():
    email = parsed("html_only.eml")
    assert "Compré un certificado SSL y no sé cómo instalarlo en cPanel." in email.text
    assert "guía (https://example.org/guia-ssl)" in email.text
    assert "<strong>SSL</strong>" in email.html
    for unsafe in ["<script", "alert(", "onload", "<style", "<img", "tracker.example.net"]:
        assert unsafe not in email.html


def test_html_blockquotes_become_quoted_lines():
    text = html_to_text("<div>Nuevo</div><blockquote>Viejo<br>texto</blockquote>")
    assert text.splitlines() == ["Nuevo", "", "> Viejo", "> texto", ">"]


def test_attachment_names_are_decoded_from_rfc2231_and_rfc2047():
    email = parsed("non_ascii_attachments.eml")
    assert [(a.filename, a.content_type) for a in email.attachments] == [
        ("factura año 2025.pdf", "application/pdf"), ("captura señal débil.png", "image/png"),
        ("factura.exe", "application/x-msdownload"),  # labelled octet-stream: the content says
    ]
    assert email.attachments[0].content.startswith(b"%PDF-1.4")


def test_inline_images_are_attachments_marked_inline_with_their_content_id():
    (image,) = parsed("inline_image.eml").attachments
    assert image.inline and image.content_id == "pantalla-0008@roberto.com"
    assert image.content.startswith(b"\x89PNG")


@pytest.mark.parametrize("name, expected", [
    ("../../etc/passwd", "passwd"),
    ("C:\\fakepath\\factura.pdf", "factura.pdf"),
    ("", "imagen-3.png"),
    ("\x00\x1fnombre.txt", "nombre.txt"),
])
def test_attachment_file_names_lose_directories_and_control_characters(name, expected):
    assert safe_filename(name, "image/png", 3) == expected


def test_a_message_attached_to_a_message_is_kept_whole_as_an_eml_file():
    email = parsed("forwarded_attachment.eml")
    assert email.is_forward
    assert email.text == "Les reenvío el correo que recibí; yo ya pagué esta factura."
    (forwarded,) = email.attachments
    assert (forwarded.filename, forwarded.content_type) == ("Factura pendiente de pago.eml",
                                                            "message/rfc822")
    assert forwarded.content.startswith(b"From: Cobranza <cobranza@example.com>\n")


def test_seventy_attachments_are_all_listed():
    assert len(parsed("seventy_attachments.eml").attachments) == 70


def test_deep_nesting_and_part_bombs_are_cut_off_without_an_error():
    deep = "".join(f"Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n" for i in range(300))
    deep += "Content-Type: text/plain\n\nhola\n"
    email = parse_email(("From: a@example.com\n" + deep).encode())
    assert "MIME nesting too deep" in email.defects
    many = "".join(f"--b\nContent-Type: text/plain\n\nparte {i}\n" for i in range(600))
    email = parse_email(f"From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n{many}--b--\n"
                        .encode())
    assert "more than 500 MIME parts" in email.defects


# --- Quoted history and signatures -----------------------------------------------------


@pytest.mark.parametrize("text", [
    "Listo, ya funciona.\n\nEl lun, 3 nov 2025 a las 10:15, Soporte <soporte@example.com> escribió:\n> Prueba",
    "Listo, ya funciona.\n\nEl lun, 3 nov 2025 a las 10:15, Soporte técnico (<\nsoporte@example.com>) "
    "escribió:\n\n> Prueba",
    "Listo, ya funciona.\n\nOn Mon, Nov 3, 2025 at 10:15 AM Soporte <soporte@example.com> wrote:\n> Try",
    "Listo, ya funciona.\n\n________________________________\nDe: Soporte <soporte@example.com>\n"
    "Enviado: lunes, 3 de noviembre de 2025 10:15\nPara: Alicia\nAsunto: RE: [#1234] x\n\nPrueba",
    "Listo, ya funciona.\n\nDe: Soporte <soporte@example.com>\nEnviado el: lunes, 3 de noviembre\n"
    "Para: Alicia\n\nPrueba",
    "Listo, ya funciona.\n\nFrom: Soporte <soporte@example.com>\nSent: Monday, November 3, 2025\n\nTry",
    "Listo, ya funciona.\n\n-----Original Message-----\nFrom: Soporte\n\nTry",
    "Listo, ya funciona.\n\n-----Mensaje original-----\nDe: Soporte\n\nPrueba",
    "Listo, ya funciona.\n\n-- \nAlicia Pérez\nGerente",
    "Listo, ya funciona.\n\nEnviado desde mi iPhone",
    "> Prueba con el puerto 587\nListo, ya funciona.\n> ¿Algo más?",
])
def test_quoted_history_and_signatures_are_stripped(text):
    assert strip_quoted(text) == "Listo, ya funciona."


def test_prose_that_looks_a_little_like_a_header_is_kept():
    text = "El servidor dejó de responder.\nEl cliente escribió: nada.\nDe: parte del equipo, gracias."
    assert strip_quoted(text) == text


def test_a_forward_keeps_the_forwarded_message():
    email = parsed("forwarded_inline.eml")
    assert email.new_text == email.text
    assert "Su dominio alicia.mx será suspendido" in email.new_text


# --- Loops and noise -------------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    "Auto-Submitted: auto-replied\nSubject: Re: hola",
    "Auto-Submitted: auto-generated; owner-email=x@example.com\nSubject: hola",
    "X-Autoreply: yes\nSubject: hola",
    "X-Autorespond: 1\nSubject: hola",
    "Precedence: auto_reply\nSubject: hola",
    "Subject: =?UTF-8?Q?Respuesta_autom=C3=A1tica:_No_puedo_enviar?=",
    "Subject: Fuera de la oficina",
    "Subject: Out of office: Re: hola",
    "Subject: Automatic reply: hola",
    "Content-Type: multipart/report; report-type=disposition-notification; boundary=x\nSubject: Leído",
])
def test_auto_replies_are_recognised(headers):
    assert parse_email(message(headers)).is_auto_reply


@pytest.mark.parametrize("headers", [
    "Auto-Submitted: no\nSubject: hola",
    "Subject: Las respuestas automáticas de cPanel no se envían",
    "Subject: ¿Cómo configuro una respuesta automática: fuera de la oficina?",
    "Precedence: first-class\nSubject: hola",
])
def test_people_writing_about_auto_replies_are_not_auto_replies(headers):
    assert not parse_email(message(headers)).is_auto_reply


def test_bounces_are_recognised_by_report_type_or_mailer_daemon():
    assert parsed("bounce.eml").is_bounce
    daemon = parse_email(b"From: MAILER-DAEMON@mx.example.net\nSubject: Undeliverable\n\nx")
    assert daemon.is_bounce
    assert not parsed("multipart_alternative.eml").is_bounce


def test_authentication_results_headers_are_kept_in_order():
    results = parsed("spoofed_registered_from.eml").authentication_results
    assert [r.split(";")[0] for r in results] == ["mx.evil.example", "mx.ventanilla.test"]


# --- Subjects and tokens -----------------------------------------------------------------


@pytest.mark.parametrize("subject, expected", [
    ("RE: [#48151623] No puedo enviar correos", "No puedo enviar correos"),
    ("Re: RE: Fwd: RV: asunto", "asunto"),
    ("FW: [#123456] Re: factura", "factura"),
    ("Aw: Sv: Tr: hola", "hola"),
    ("Reunión del lunes", "Reunión del lunes"),
    ("[#12345678]", ""),
])
def test_new_ticket_subjects_lose_tokens_and_reply_prefixes(subject, expected):
    assert clean_subject(subject) == expected


def test_the_ticket_token_is_found_in_the_subject():
    assert ticket_number_in("Re: [#48151623] x") == "48151623"
    assert ticket_number_in("Re: [# 48151623 ] x") == "48151623"
    assert ticket_number_in("Pedido #48151623") is None


# --- DMARC reading -----------------------------------------------------------------------


def test_dmarc_pass_counts_only_from_a_trusted_host_and_for_the_from_domain():
    header = "mx.ventanilla.test 1; spf=pass; dmarc=pass (p=none) header.from=example.com"
    assert dmarc_passed([header], "example.com", {"mx.ventanilla.test"})
    assert not dmarc_passed([header], "example.com", {"mx.otro.example"})
    assert not dmarc_passed([header], "example.com", set())
    assert not dmarc_passed([header], "evil.example", {"mx.ventanilla.test"})
    failed = "mx.ventanilla.test; dmarc=fail header.from=example.com"
    assert not dmarc_passed([failed, header], "example.com", {"mx.ventanilla.test"})


def test_dkim_alignment_is_relaxed():
    assert aligned("example.com", "example.com")
    assert aligned("example.com", "mail.example.com")
    assert not aligned("example.com", "notexample.com")
    assert not aligned("", "example.com")


def test_nesting_deeper_than_the_standard_parser_can_follow_keeps_the_headers():
    deep = "".join(f"Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n" for i in range(3000))
    email = parse_email(("From: a@example.com\nMessage-ID: <hondo@example.com>\n" + deep).encode())
    assert (email.from_address, email.message_id, email.text) == ("a@example.com", "<hondo@example.com>", "")
    assert email.defects == ["MIME nesting too deep"]
