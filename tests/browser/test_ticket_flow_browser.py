"""A ticket's whole life through the browser, as a customer and an agent see it."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from ventanilla.tickets.models import Ticket

pytestmark = pytest.mark.browser

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
       b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
       b"\x00\x00\x00IEND\xaeB`\x82")


def test_a_critical_ticket_from_opening_to_closing(open_session, live_server, alice, carla,
                                                   tmp_path):
    capture = tmp_path / "captura.png"
    capture.write_bytes(PNG)

    # The customer opens an Alta ticket with an attachment and sees its number.
    customer = open_session(alice.user)
    customer.goto(f"{live_server.url}/cliente/tickets/nuevo/")
    # Choosing the department reloads the categories (htmx): wait for it.
    with customer.expect_response(
            lambda r: re.search(r"/tickets/nuevo/categorias/\?.*department=\d", r.url)):
        customer.get_by_label("Soporte técnico").check()
    customer.get_by_label("Categoría").select_option(label="Sitio web")
    customer.get_by_label("Asunto").fill("Mi sitio alicia.mx no carga")
    customer.get_by_label("Mensaje").fill("Desde las 9:00 el sitio muestra un error 500.")
    customer.get_by_label("Archivos adjuntos").set_input_files(str(capture))
    customer.get_by_label("Alta").check()
    incident = customer.locator("#incident-fields")
    expect(incident).to_be_visible()
    incident.get_by_label("IP del servidor").fill("192.0.2.10")
    incident.get_by_label("Nombre del servicio").fill("Hosting Negocios - alicia.mx")
    incident.get_by_label("Fecha y hora de inicio").fill("2026-01-15T09:00")
    incident.get_by_label("Datos de diagnóstico").fill("curl -I devuelve 500; ping responde.")
    screenshot(customer, "portal-new-ticket-alta")
    customer.get_by_role("button", name="Enviar ticket").click()
    expect(customer.locator(".ticket-number")).to_be_visible()

    ticket = Ticket.objects.get(subject="Mi sitio alicia.mx no carga")
    expect(customer.locator(".ticket-number")).to_contain_text(ticket.number)
    screenshot(customer, "portal-ticket-created")
    assert ticket.priority == "alta" and ticket.incident_server_ip == "192.0.2.10"
    assert ticket.messages.get().attachments.get().original_name == "captura.png"

    # The agent finds it in the queue, Alta first, and replies.
    agent = open_session(carla)
    agent.goto(f"{live_server.url}/consola/")
    screenshot(agent, "console-queue")
    agent.get_by_role("link", name=re.compile("Mi sitio alicia.mx no carga")).first.click()
    expect(agent.get_by_text("Desde las 9:00 el sitio muestra un error 500.")).to_be_visible()
    agent.get_by_label("Mensaje").fill("Hola Alicia, reiniciamos PHP-FPM. ¿Puedes revisar?")
    agent.get_by_role("button", name="Enviar", exact=True).click()
    expect(agent.get_by_text("reiniciamos PHP-FPM")).to_be_visible()
    screenshot(agent, "console-ticket")

    # The customer sees Pendiente, replies, and the ticket is Abierto again.
    customer.goto(f"{live_server.url}/cliente/tickets/{ticket.number}/")
    expect(customer.locator(".badge--pendiente").first).to_be_visible()
    expect(customer.get_by_text("reiniciamos PHP-FPM")).to_be_visible()
    customer.get_by_label("Tu respuesta").fill("Sigue fallando la página de contacto.")
    customer.get_by_role("button", name="Enviar respuesta").click()
    expect(customer.get_by_text("Sigue fallando la página de contacto.")).to_be_visible()
    expect(customer.locator(".badge--abierto").first).to_be_visible()
    ticket.refresh_from_db()
    assert ticket.status == "abierto"

    # The agent resolves it.
    agent.goto(f"{live_server.url}/consola/tickets/{ticket.number}/")
    agent.get_by_role("button", name="Resolver").click()
    expect(agent.locator(".badge--resuelto").first).to_be_visible()

    # The customer closes it; a closed ticket offers a new, linked one.
    customer.goto(f"{live_server.url}/cliente/tickets/{ticket.number}/")
    expect(customer.locator(".badge--resuelto").first).to_be_visible()
    customer.get_by_text("Cerrar ticket", exact=True).click()
    confirm = customer.get_by_role("button", name="Sí, cerrar el ticket")
    confirm.click()
    expect(customer.locator(".badge--cerrado").first).to_be_visible()
    expect(customer.get_by_role("link", name=re.compile("Abrir un ticket nuevo"))).to_be_visible()
    screenshot(customer, "portal-ticket-closed")
    ticket.refresh_from_db()
    assert ticket.status == "cerrado"
    assert not customer.js_errors, customer.js_errors
    assert not agent.js_errors, agent.js_errors


def test_the_client_area_fits_a_phone(open_session, live_server, alice, alice_ticket):
    page = open_session(alice.user, width=375)
    for path, name in [("/cliente/", "phone-dashboard"), ("/cliente/tickets/", "phone-history"),
                       (f"/cliente/tickets/{alice_ticket.number}/", "phone-ticket"),
                       ("/cliente/tickets/nuevo/", "phone-new-ticket")]:
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
        screenshot(page, name)


UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea, button')]
  .filter(el => el.type !== 'hidden' && !el.closest('[hidden]'))
  .filter(el => {
    if (el.tagName === 'BUTTON') return !el.textContent.trim() && !el.getAttribute('aria-label');
    const byFor = el.id && document.querySelector(`label[for="${el.id}"]`);
    return !(byFor || el.closest('label') || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'));
  })
  .map(el => el.outerHTML.slice(0, 120))"""


def test_every_control_on_the_main_pages_has_a_label(open_session, live_server, alice, carla,
                                                      alice_ticket):
    customer = open_session(alice.user)
    for path in ["/cliente/", "/cliente/tickets/", "/cliente/tickets/nuevo/",
                 f"/cliente/tickets/{alice_ticket.number}/", "/cuenta/ajustes/"]:
        customer.goto(f"{live_server.url}{path}")
        assert customer.evaluate(UNLABELLED) == [], path
    agent = open_session(carla)
    for path in ["/consola/", f"/consola/tickets/{alice_ticket.number}/"]:
        agent.goto(f"{live_server.url}{path}")
        assert agent.evaluate(UNLABELLED) == [], path


def test_the_keyboard_reaches_the_ticket_form_with_a_visible_focus(open_session, live_server,
                                                                    alice):
    page = open_session(alice.user)
    page.goto(f"{live_server.url}/cliente/tickets/nuevo/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Saltar al contenido"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"


def test_a_category_picked_while_the_list_reloads_is_kept(open_session, live_server, alice):
    page = open_session(alice.user)
    page.goto(f"{live_server.url}/cliente/tickets/nuevo/")
    page.wait_for_load_state("networkidle")
    slow = []

    def delay(route):
        slow.append(route.request.url)
        page.wait_for_timeout(400)
        route.continue_()

    page.route("**/tickets/nuevo/categorias/**", delay)
    with page.expect_response(lambda r: "/tickets/nuevo/categorias/" in r.url):
        page.get_by_label("Soporte técnico").check()
        page.get_by_label("Categoría").select_option(label="Sitio web")
    page.wait_for_timeout(200)
    assert slow, "the category list was not reloaded"
    selected = page.get_by_label("Categoría").evaluate("el => el.selectedOptions[0].text")
    assert selected == "Sitio web"
