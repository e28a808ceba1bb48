"""A customer fills a Correo ticket with its category's fields, the agent sees
them and asks for consent, the customer authorizes with one click."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from ventanilla.fields.models import CategoryField, CategoryGuidance, ConsentAction, ConsentAnswer
from ventanilla.fields.seed import seed_category_fields, seed_consent_actions
from ventanilla.tickets.models import Category, Ticket

pytestmark = pytest.mark.browser

ACTION = "Enviar un correo de prueba desde ventas@alicia.mx a una cuenta de Gmail"


def test_category_fields_and_consent_through_the_browser(open_session, live_server, alice, carla):
    seed_category_fields(Category, CategoryGuidance, CategoryField)  # flushed by live_server
    seed_consent_actions(ConsentAction)

    # The customer picks Correo: its guidance and fields appear.
    customer = open_session(alice.user)
    customer.goto(f"{live_server.url}/cliente/tickets/nuevo/")
    with customer.expect_response(lambda r: "/tickets/nuevo/categorias/" in r.url):
        customer.get_by_label("Soporte técnico").check()
    expect(customer.locator("#category-fields")).not_to_contain_text("Dirección de correo")
    with customer.expect_response(lambda r: "/tickets/nuevo/campos/" in r.url):
        customer.get_by_label("Categoría", exact=True).select_option(label="Correo")
    expect(customer.locator(".fields-guidance")).to_contain_text(
        "Incluye la dirección de correo con la que tienes problemas")
    address = customer.get_by_label("Dirección de correo afectada")
    customer.get_by_label("Asunto").fill("Los correos a Gmail rebotan")
    customer.get_by_label("Mensaje").fill("Rebotan con 550-5.7.26 desde el lunes.")

    # An address outside her domains is refused; nothing typed is lost.
    address.fill("yo@gmail.com")
    customer.get_by_role("button", name="Enviar ticket").click()
    expect(customer.locator(".field .errorlist").get_by_text(
        "no corresponde a ninguno de los dominios de tus servicios")).to_be_visible()
    # The error summary (focused) links the error to the field.
    link = customer.locator(".form-errors").get_by_role("link", name=re.compile(
        "^Dirección de correo afectada: La dirección yo@gmail.com"))
    expect(link).to_have_attribute("href", "#" + address.get_attribute("id"))
    expect(customer.locator(".form-errors")).to_be_focused()
    expect(customer.get_by_label("Asunto")).to_have_value("Los correos a Gmail rebotan")
    customer.get_by_label("Dirección de correo afectada").fill("ventas@alicia.mx")
    screenshot(customer, "fields-portal-new-ticket")
    customer.get_by_role("button", name="Enviar ticket").click()
    expect(customer.locator(".ticket-number")).to_be_visible()
    ticket = Ticket.objects.get(subject="Los correos a Gmail rebotan")
    assert ticket.field_values.get().text == "ventas@alicia.mx"
    assert not customer.js_errors, customer.js_errors

    # The agent sees the value and asks for consent.
    agent = open_session(carla)
    agent.goto(f"{live_server.url}/consola/tickets/{ticket.number}/")
    panel = agent.locator("#datos-categoria")
    expect(panel).to_contain_text("Dirección de correo afectada")
    expect(panel).to_contain_text("ventas@alicia.mx")
    panel.get_by_role("link", name="Editar datos").click()  # opens in place (htmx)
    edit = agent.locator("#datos-categoria")
    edit.get_by_label("Dirección de correo afectada").fill("pedidos@alicia.mx")
    edit.get_by_role("button", name="Guardar datos").click()
    expect(agent.locator("#datos-categoria")).to_contain_text("pedidos@alicia.mx")
    consent = agent.locator("#autorizaciones")
    consent.get_by_role("link", name="Pedir autorización").click()  # opens in place (htmx)
    consent.get_by_label("Tipo de acción").select_option(label="Enviar correos de prueba desde tu cuenta")
    consent.get_by_label("Acción que necesita autorización").fill(ACTION)
    consent.get_by_role("button", name="Enviar solicitud al cliente").click()
    expect(agent.locator("#autorizaciones")).to_contain_text("Esperando respuesta")
    screenshot(agent, "fields-console-sidebar")

    # The customer sees it highlighted on the ticket page and authorizes.
    customer.goto(f"{live_server.url}/cliente/tickets/{ticket.number}/")
    ask = customer.locator(".fields-consent-ask")
    expect(ask).to_contain_text(ACTION)
    screenshot(customer, "fields-portal-consent")
    ask.get_by_role("button", name="Autorizo", exact=True).click()
    expect(customer.get_by_text("registramos tu autorización")).to_be_visible()
    expect(customer.locator(".fields-consent-ask")).to_have_count(0)
    answer = ConsentAnswer.objects.get()
    assert answer.text == ACTION and answer.answered_by == alice.user

    agent.reload()
    expect(agent.locator("#autorizaciones")).to_contain_text(re.compile("Autorizada"))
    # Now the agent may record the test emails as done.
    agent.locator("#autorizaciones").get_by_role("link", name="Acción realizada").click()
    done = agent.locator("#accion-realizada")
    done.get_by_label("Acción realizada").select_option(label="Enviar correos de prueba desde tu cuenta")
    done.get_by_role("button", name="Marcar como realizada").click()
    expect(agent.locator("#autorizaciones")).to_contain_text("Realizada por Carla Soporte")
    assert not agent.js_errors, agent.js_errors


def test_changing_the_department_drops_the_previous_categorys_fields(open_session, live_server,
                                                                      alice):
    seed_category_fields(Category, CategoryGuidance, CategoryField)
    page = open_session(alice.user)
    page.goto(f"{live_server.url}/cliente/tickets/nuevo/")
    with page.expect_response(lambda r: "/tickets/nuevo/categorias/" in r.url):
        page.get_by_label("Facturación").check()
    with page.expect_response(lambda r: "/tickets/nuevo/campos/" in r.url):
        page.get_by_label("Categoría", exact=True).select_option(label="Pagos")
    expect(page.locator("#category-fields")).to_contain_text("Método de pago")
    with page.expect_response(lambda r: "/tickets/nuevo/campos/" in r.url):
        page.get_by_label("Abuso y seguridad").check()
    expect(page.locator("#category-fields")).not_to_contain_text("Método de pago")
    assert not page.js_errors, page.js_errors
