"""Two forms as people use them: a visitor reports abuse through the public
form (seeing what to include, getting a report number) and the abuse agent
finds the report's URL and evidence as the category's fields; an agent
turns off the agents' emails in "Mi cuenta"."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.conftest import make_agent
from ventanilla.accounts.models import AgentProfile
from ventanilla.fields.models import CategoryField, CategoryGuidance
from ventanilla.fields.seed import seed_category_fields
from ventanilla.status import forms as status_forms
from ventanilla.tickets.models import Category, Department, Ticket

pytestmark = pytest.mark.browser


def test_a_visitor_reports_abuse_and_the_agent_sees_its_fields(
        browser_context, open_session, live_server, monkeypatch):
    seed_category_fields(Category, CategoryGuidance, CategoryField)  # flushed by live_server
    monkeypatch.setattr(status_forms, "MIN_SECONDS", 0)  # no need to wait like a person
    page = browser_context.new_page()
    page.goto(f"{live_server.url}/contacto/abuso/")
    expect(page.get_by_text("Incluye la URL o la IP del contenido abusivo")).to_be_visible()
    page.get_by_label("Phishing").check()
    page.get_by_label("URL o IP").fill("https://alicia.mx/banco/login")
    page.get_by_label("Pruebas").fill("Página que imita a un banco y pide la clave de la tarjeta.")
    page.get_by_label("Tu correo").fill("fran@example.org")
    page.get_by_role("button", name="Enviar reporte").click()
    expect(page.get_by_text(re.compile(r"#\d{6,}"))).to_be_visible()
    screenshot(page, "contact-abuse-received")
    ticket = Ticket.objects.get()
    assert ticket.number in page.content()

    abuso = Department.objects.get(slug="abuso")
    agent = open_session(make_agent("abuso@agentes.test", "Agente Abuso", [abuso]))
    agent.goto(f"{live_server.url}/consola/tickets/{ticket.number}/")
    expect(agent.get_by_text("URL reportada")).to_be_visible()
    expect(agent.get_by_text("https://alicia.mx/banco/login").first).to_be_visible()
    expect(agent.get_by_text("Página que imita a un banco").first).to_be_visible()
    assert agent.js_errors == []


def test_an_agent_turns_off_the_agents_emails_in_my_account(open_session, live_server, soporte):
    agent_user = make_agent("lucia@agentes.test", "Lucía Soporte", [soporte],
                            email_notifications=True)
    page = open_session(agent_user)
    page.goto(f"{live_server.url}/cuenta/ajustes/")
    box = page.get_by_label(re.compile("Avisarme por correo de los tickets nuevos"))
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Guardamos tus ajustes.")).to_be_visible()
    expect(page.get_by_label(re.compile("Avisarme por correo de los tickets nuevos"))).not_to_be_checked()
    assert AgentProfile.objects.get(user=agent_user).email_notifications is False
    assert page.js_errors == []
