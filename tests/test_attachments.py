"""Attachments: sizes, the allowlist by content and extension, storage under
random names and the access-checked download."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from ventanilla.tickets import services
from ventanilla.tickets.attachments import check_upload, check_uploads
from ventanilla.tickets.models import Attachment, Ticket

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 20
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 24
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 16
LOG = "[error] 2025-03-03 10:00:01 PHP Fatal error: memoria agotada en índice.php\n".encode()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def error_codes(error: ValidationError) -> list[str]:
    return [e.code for e in error.error_list]


@pytest.fixture
def small_limits(settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAX_FILE_BYTES": 100, "MAX_MESSAGE_BYTES": 150}


# --- check_upload / check_uploads -----------------------------------------


@pytest.mark.parametrize(("name", "content", "content_type"), [
    ("captura.png", PNG, "image/png"),
    ("foto.jpg", JPEG, "image/jpeg"),
    ("FOTO.JPEG", JPEG, "image/jpeg"),
    ("factura.pdf", PDF, "application/pdf"),
    ("notas.txt", "Hola, adjunto los pasos que seguí.".encode(), "text/plain"),
    ("error_log.log", LOG, "text/plain"),
    ("respaldo.zip", ZIP, "application/zip"),
])
def test_it_accepts_allowed_files(name, content, content_type):
    checked = check_upload(name, content, len(content))
    assert (checked.name, checked.content_type, checked.size) == (name, content_type, len(content))


def test_it_refuses_a_file_over_the_size_limit(small_limits):
    with pytest.raises(ValidationError) as error:
        check_upload("grande.txt", b"a" * 101, 101)
    assert error.value.code == "file_too_large"
    assert "máximo por archivo" in error.value.message


def test_it_accepts_a_file_at_the_size_limit(small_limits):
    check_upload("justo.txt", b"a" * 100, 100)


def test_it_refuses_attachments_that_together_exceed_the_message_cap(small_limits):
    files = [upload("uno.txt", b"a" * 80), upload("dos.txt", b"b" * 80)]
    with pytest.raises(ValidationError) as error:
        check_uploads(files)
    assert error_codes(error.value) == ["message_too_large"]
    assert "máximo por mensaje" in error.value.messages[0]


def test_it_reports_every_bad_file_of_a_message():
    files = [upload("virus.exe", MZ), upload("bien.txt", b"hola"), upload("vacio.txt", b"")]
    with pytest.raises(ValidationError) as error:
        check_uploads(files)
    assert error_codes(error.value) == ["type_not_allowed", "empty"]


def test_it_rewinds_the_files_it_reads():
    file = upload("notas.txt", b"contenido")
    check_uploads([file])
    assert file.read() == b"contenido"


@pytest.mark.parametrize(("name", "content"), [
    ("programa.exe", MZ),
    ("shell.php", b"<?php system($_GET['c']); ?>"),
    ("pagina.html", b"<html><script>alert(1)</script></html>"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("sin_extension", b"hola"),
])
def test_it_refuses_disallowed_extensions(name, content):
    with pytest.raises(ValidationError) as error:
        check_upload(name, content, len(content))
    assert error.value.code == "type_not_allowed"
    assert "No se admiten" in error.value.message


@pytest.mark.parametrize(("name", "content"), [
    ("captura.png", PDF),
    ("documento.pdf", PNG),
    ("foto.jpg", PNG),
    ("notas.txt", ELF),
    ("notas.txt", MZ),
    ("error.log", PDF),
    ("respaldo.zip", b"esto no es un zip"),
])
def test_it_refuses_a_spoofed_extension(name, content):
    with pytest.raises(ValidationError) as error:
        check_upload(name, content, len(content))
    assert error.value.code == "content_mismatch"


def test_it_refuses_an_empty_file():
    with pytest.raises(ValidationError) as error:
        check_upload("vacio.txt", b"", 0)
    assert error.value.code == "empty"


# --- storage and download ----------------------------------------------------


@pytest.fixture
def ticket_with_file(alice, make_ticket):
    return make_ticket(alice, files=[upload("Captura de pantalla.png", PNG)])


@pytest.fixture
def attachment(ticket_with_file):
    return Attachment.objects.get(message__ticket=ticket_with_file)


def test_it_stores_the_file_under_a_random_name_in_the_media_root(attachment, settings):
    assert attachment.original_name == "Captura de pantalla.png"
    assert attachment.content_type == "image/png"
    assert attachment.size == len(PNG)
    stored = Path(attachment.file.path)
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert "Captura" not in stored.name
    assert stored.suffix == ".png"
    assert stored.read_bytes() == PNG


def test_a_bad_file_stops_the_ticket_from_being_created(alice, make_ticket, settings):
    with pytest.raises(ValidationError):
        make_ticket(alice, files=[upload("factura.pdf", PNG)])
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


def download(client, user, attachment):
    if user is not None:
        client.force_login(user)
    return client.get(f"/adjuntos/{attachment.pk}/")


def assert_downloaded(response):
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert "Captura" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.content == PNG


def test_the_customer_downloads_their_attachment(client, alice, attachment):
    assert_downloaded(download(client, alice.user, attachment))


def test_an_agent_of_the_department_downloads_it(client, carla, attachment):
    assert_downloaded(download(client, carla, attachment))


def test_a_supervisor_downloads_it(client, sofia, attachment):
    assert_downloaded(download(client, sofia, attachment))


def test_another_customer_gets_404(client, bob, attachment):
    assert download(client, bob.user, attachment).status_code == 404


def test_an_agent_of_another_department_gets_404(client, diego, attachment):
    assert download(client, diego, attachment).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, attachment):
    response = download(client, None, attachment)
    assert response.status_code == 302
    assert "/cuenta/" in response["Location"]


def test_an_unknown_attachment_is_404(client, alice, attachment):
    client.force_login(alice.user)
    assert client.get(f"/adjuntos/{attachment.pk + 1000}/").status_code == 404


def test_the_customer_never_gets_the_attachment_of_an_internal_note(
    client, alice, carla, alice_ticket
):
    note = services.ticket_agent_reply(alice_ticket, agent=carla, body="Registro del servidor",
                                       internal=True, files=[upload("servidor.log", LOG)])
    attachment = note.attachments.get()
    assert download(client, alice.user, attachment).status_code == 404
    client.logout()
    response = download(client, carla, attachment)
    assert response.status_code == 200
    assert response.content == LOG
