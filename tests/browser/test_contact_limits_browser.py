"""An office behind one address sends several "Todavía no soy cliente"
questions; one person who sends too many is told so and keeps what they
wrote (issue 17, A7)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from ventanilla.status import forms as status_forms
from ventanilla.status.models import ContactRequest

pytestmark = pytest.mark.browser


def test_an_office_keeps_working_and_one_email_is_limited(browser_context, live_server,
                                                          monkeypatch, settings):
    monkeypatch.setattr(status_forms, "MIN_SECONDS", 0)  # no need to wait like a person
    settings.VENTANILLA_STATUS = {**settings.VENTANILLA_STATUS, "CONTACT_EMAIL_RATE": "2/h"}
    page = browser_context.new_page()

    def ask(name, email, body):
        page.goto(f"{live_server.url}/contacto/ventas/")
        page.get_by_label("Tu nombre").fill(name)
        page.get_by_label("Tu correo").fill(email)
        page.get_by_label("¿En qué te podemos ayudar?").fill(body)
        page.get_by_role("button", name="Enviar consulta").click()
        page.wait_for_load_state()

    # Eight colleagues, one office address: every question is received.
    for person in range(8):
        ask(f"Colega {person}", f"colega{person}@oficina.mx", "¿Tienen hosting con PHP 8.3?")
        expect(page.get_by_text(re.compile(r"#\d{6,}"))).to_be_visible()
    # One of them asks a third time within the hour.
    ask("Colega 0", "colega0@oficina.mx", "Segunda duda")
    ask("Colega 0", "colega0@oficina.mx", "Tercera duda, con todo el detalle")
    expect(page.get_by_text("Recibimos demasiadas solicitudes con este correo")).to_be_visible()
    expect(page.get_by_label("¿En qué te podemos ayudar?")).to_have_value(
        "Tercera duda, con todo el detalle")
    screenshot(page, "contact-one-email-limited")
    assert ContactRequest.objects.count() == 9
