"""A stranger types alice's domain in "No puedo iniciar sesión": the agent
sees the request flagged "No verificado" with alice as the possible
account; alice opens the link of the email sent to her registered address,
confirms with one click and finds the request in her Historial de tickets
(issue 17, A5)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import make_agent
from ventanilla.status import forms as status_forms
from ventanilla.tickets.models import Department, Ticket

pytestmark = pytest.mark.browser

CONFIRM_LINK = re.compile(r"https?://\S+?(/cliente/solicitudes/confirmar/[^/\s]+/)")


def test_alice_confirms_a_request_made_in_her_name_and_the_agent_saw_it_unverified(
        browser_context, open_session, live_server, monkeypatch, alice):
    monkeypatch.setattr(status_forms, "MIN_SECONDS", 0)  # no need to wait like a person
    mail.outbox.clear()
    visitor = browser_context.new_page()
    visitor.goto(f"{live_server.url}/contacto/no-puedo-iniciar-sesion/")
    visitor.get_by_label("Tu nombre").fill("Alicia")
    visitor.get_by_label("Correo de la cuenta o dominio").fill("alicia.mx")
    visitor.get_by_label("¿Qué ocurre?").fill("Perdí el acceso a mi correo y no puedo entrar.")
    visitor.get_by_role("button", name="Enviar solicitud").click()
    expect(visitor.get_by_text(re.compile(r"#\d{6,}")).first).to_be_visible()
    ticket = Ticket.objects.get()

    # The agent: flagged in the queue and on the page, with the possible account.
    agent = open_session(make_agent("verif@agentes.test", "Agente Verificación",
                                    [Department.objects.get(slug="verificacion")]))
    agent.goto(f"{live_server.url}/consola/")
    row = agent.get_by_role("row").filter(has_text=f"#{ticket.number}")
    expect(row.get_by_text("No verificado")).to_be_visible()
    agent.goto(f"{live_server.url}/consola/tickets/{ticket.number}/")
    flag = agent.locator(".unverified-ticket")
    expect(flag.get_by_text("No verificado")).to_be_visible()
    expect(flag.get_by_text("Posible cuenta:")).to_be_visible()
    expect(flag.get_by_text("alice@example.com")).to_be_visible()
    screenshot(agent, "unverified-console-ticket")
    assert agent.js_errors == []

    # Alice: not in her history; the email to her registered address has the link.
    customer = open_session(alice.user)
    customer.goto(f"{live_server.url}/cliente/tickets/")
    expect(customer.get_by_role("heading", name="Historial de tickets")).to_be_visible()
    assert ticket.number not in customer.content()
    [message] = [m for m in mail.outbox if m.to == ["alice@example.com"]]
    path = CONFIRM_LINK.search(message.body).group(1)
    customer.goto(f"{live_server.url}{path}")
    expect(customer.get_by_role("heading", name="¿Escribiste tú esta solicitud?")).to_be_visible()
    expect(customer.get_by_text("Perdí el acceso a mi correo")).to_be_visible()
    screenshot(customer, "unverified-confirm-page")
    customer.get_by_role("button", name="Sí, fui yo: añadirla a mi historial").click()
    expect(customer.get_by_role("heading", name="Listo: la solicitud es tuya")).to_be_visible()
    customer.get_by_role("link", name="Ver en mi Historial de tickets").click()
    expect(customer.get_by_text("Perdí el acceso a mi correo").first).to_be_visible()
    customer.goto(f"{live_server.url}/cliente/tickets/")
    expect(customer.get_by_role("link", name=re.compile(ticket.number)).first).to_be_visible()
    screenshot(customer, "unverified-confirmed-history")
    assert customer.js_errors == []
