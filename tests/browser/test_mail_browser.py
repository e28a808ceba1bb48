"""The email channel as people see it: a customer adds an extra address for
ticket updates and confirms it from the email; an agent reads a ticket that
came by email."""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from ventanilla.mail.ingest import ingest_raw
from ventanilla.mail.models import Mailbox

pytestmark = pytest.mark.browser
CORPUS = Path(__file__).resolve().parents[1] / "mail_corpus"


def test_a_customer_adds_and_confirms_an_address_for_ticket_updates(open_session, live_server,
                                                                    alice):
    page = open_session(alice.user)
    page.goto(f"{live_server.url}/cuenta/ajustes/")
    page.get_by_role("link", name="Direcciones de notificación").click()
    page.get_by_label("Correo electrónico").fill("sistemas@alicia.mx")
    page.get_by_label("Soporte").check()
    page.get_by_role("button", name="Añadir y enviar confirmación").click()
    expect(page.get_by_text("Sin confirmar", exact=True)).to_be_visible()
    screenshot(page, "mail-notification-addresses")

    confirmation = next(m for m in mail.outbox if m.to == ["sistemas@alicia.mx"])
    link = re.search(r"https?://\S+", confirmation.body).group(0)
    path = "/" + link.split("/", 3)[3]
    other = open_session(alice.user)  # the link works from the other mailbox's browser
    other.goto(f"{live_server.url}{path}")
    other.get_by_role("button", name=re.compile("Confirmar")).click()
    page.reload()
    expect(page.get_by_text("Confirmada", exact=True)).to_be_visible()


def test_an_agent_reads_an_email_ticket_with_its_warning_and_original(open_session,
                                                                     live_server, carla):
    raw = (CORPUS / "html_only.eml").read_bytes()
    ticket = ingest_raw(raw, mailbox=Mailbox.objects.get(name="soporte")).inbound.ticket
    page = open_session(carla)
    page.goto(f"{live_server.url}/consola/tickets/{ticket.number}/")
    expect(page.get_by_role("alert").filter(has_text="Remitente no verificado")).to_be_visible()
    page.get_by_text("Ver la versión HTML (saneada)").click()
    expect(page.locator(".msg__html-body strong", has_text="SSL")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar el original (.eml)").click()
    assert Path(download.value.path()).read_bytes() == raw
    screenshot(page, "console-email-ticket")
    assert not page.js_errors, page.js_errors
