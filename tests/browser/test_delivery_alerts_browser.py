"""A notification the mail server refuses: the supervisor sees it in the
console, finds the ticket that shows its customer was not notified, and
sends it again once the address is fixed (issue 17, B3). Real SMTP server
(aiosmtpd on loopback), real commits."""

import pytest
from playwright.sync_api import expect

from tests import test_mail_outbound
from tests.browser.conftest import screenshot
from ventanilla.mail.models import OutboundEmail
from ventanilla.tickets import services

pytestmark = pytest.mark.browser

smtp = test_mail_outbound.smtp


def test_a_supervisor_sees_a_failed_notification_and_retries_it(
        open_session, live_server, smtp, alice, carla, sofia, make_ticket):
    smtp.refuse = True  # 550 for every recipient: fails for good at once
    ticket = make_ticket(alice, subject="No llegan mis correos")
    services.ticket_agent_reply(ticket, agent=carla, body="Revisa el registro MX, por favor.")
    assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"fallido"}

    page = open_session(sofia)
    page.goto(f"{live_server.url}/consola/")
    banner = page.get_by_role("alert").filter(has_text="notificaciones no se pudieron enviar")
    expect(banner).to_contain_text("2 notificaciones")
    banner.get_by_role("link", name="Ver los envíos fallidos").click()
    expect(page.get_by_role("heading", name="Envíos fallidos")).to_be_visible()
    rows = page.locator("table.failed-deliveries tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("alice@example.com")
    expect(rows.first).to_contain_text("5.1.1 No such user")
    screenshot(page, "console-failed-deliveries")

    # The ticket says which email its customer did not get, and links the message.
    rows.first.get_by_role("link", name=f"#{ticket.number}").click()
    warning = page.get_by_role("alert").filter(has_text="No se pudo avisar a alice@example.com")
    expect(warning).to_have_count(2)  # the receipt and the reply
    reply_warning = warning.filter(has_text="Respuesta")
    reply_warning.get_by_role("link", name="Ver el mensaje").click()
    expect(page.locator(":target")).to_contain_text("Revisa el registro MX")
    screenshot(page, "console-ticket-not-notified")

    # The address works again: "Reintentar todos" sends both, once.
    smtp.refuse = False
    page.goto(f"{live_server.url}/consola/envios-fallidos/")
    page.get_by_role("button", name="Reintentar todos").click()
    expect(page.get_by_text("2 notificaciones vuelven a la cola de envío.")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="no se pudieron enviar")).to_have_count(0)
    assert sorted(m["Subject"].split(":")[0] for m in smtp.messages) == sorted(
        [f"[#{ticket.number}] Recibimos tu ticket", f"[#{ticket.number}] Respuesta a tu ticket"])
    page.goto(f"{live_server.url}/consola/tickets/{ticket.number}/")
    expect(page.get_by_text("No se pudo avisar")).to_have_count(0)
    assert not page.js_errors, page.js_errors
