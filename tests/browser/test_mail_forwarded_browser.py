"""An agent opens a message the customer forwarded as an attachment: its
text and its sanitized HTML show in the console, and nothing in it runs."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.test_mail_attachments_realworld import forward
from ventanilla.mail.ingest import ingest_raw
from ventanilla.mail.models import Mailbox

pytestmark = pytest.mark.browser


def test_an_agent_opens_a_forwarded_message_and_nothing_in_it_runs(open_session, live_server,
                                                                  alice, carla):
    raw = forward("Hola, mira lo que me llegó.\n-- \nAlicia Pérez")
    ticket = ingest_raw(raw, mailbox=Mailbox.objects.get(name="soporte")).inbound.ticket
    page = open_session(carla)
    page.goto(f"{live_server.url}/consola/tickets/{ticket.number}/")
    expect(page.locator(".msg__body").first).to_have_text("Hola, mira lo que me llegó.")
    page.get_by_role("link", name="Re_ factura 123.eml").click()

    expect(page.get_by_role("heading", name="Re: factura 123")).to_be_visible()
    expect(page.locator(".forwarded__text")).to_contain_text(
        "Su factura 123 vence el viernes; el importe es de 1.250,00 MXN.")
    expect(page.get_by_text("Cobranza Hosting Plús <cobranza@hostingplus.example>")).to_be_visible()
    page.get_by_text("Ver la versión HTML (saneada)").click()
    expect(page.locator(".msg__html-body b", has_text="123")).to_be_visible()
    expect(page.locator(".msg__html-body script, .msg__html-body img")).to_have_count(0)
    assert "pwned" not in page.title()
    expect(page.get_by_role("link", name="estado de cuenta.png")).to_be_visible()
    expect(page.get_by_role("link", name="pagar.exe")).to_have_count(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="estado de cuenta.png").click()
    assert download.value.suggested_filename == "estado de cuenta.png"
    screenshot(page, "console-forwarded-message")
    assert not page.js_errors, page.js_errors
