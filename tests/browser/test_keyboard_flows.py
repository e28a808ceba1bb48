"""The main flows by keyboard only (issue 25): after the first page and the
login, these tests press Tab, Shift+Tab, Enter, Space, arrows and Escape —
nothing else — and after every step that changes the page they check where
focus is and what the live region (#live-status) announced, once."""

import re

import pytest

from tests.browser.test_chat_browser import (
    logged_in,
    server,  # noqa: F401 (the ASGI server fixture)
    visitor_page,
)
from ventanilla.fields.forms import category_fields_form
from ventanilla.fields.models import CategoryField, CategoryGuidance
from ventanilla.fields.seed import seed_category_fields
from ventanilla.fields.services import ticket_values_save
from ventanilla.kb.services import ArticleData, article_save
from ventanilla.status import forms as status_forms
from ventanilla.tickets.models import Category, Priority, Status, Ticket

pytestmark = pytest.mark.browser

# Every text the live region takes, in order, per page (a new page starts empty).
RECORD_ANNOUNCEMENTS = """(() => {
  window.__announced = [];
  document.addEventListener("DOMContentLoaded", () => {
    const region = document.getElementById("live-status");
    if (!region) return;
    new MutationObserver(() => {
      if (region.textContent) window.__announced.push(region.textContent);
    }).observe(region, {childList: true, characterData: true, subtree: true});
  });
})();"""


def record(page):
    page.context.add_init_script(RECORD_ANNOUNCEMENTS)
    return page


def focus_is(page, selector) -> bool:
    return page.evaluate(
        "s => !!document.activeElement && document.activeElement.matches(s)", selector)


def where(page) -> str:
    return page.evaluate("""() => { const e = document.activeElement;
        return e ? e.outerHTML.slice(0, 160) : "(nothing)"; }""")


def expect_focus(page, selector, timeout=10_000):
    """Focus lands on selector (waiting for a swap or a page to arrive)."""
    try:
        page.wait_for_function(
            "s => !!document.activeElement && document.activeElement.matches(s)",
            arg=selector, timeout=timeout)
    except Exception:  # noqa: BLE001 — say where focus is instead
        pytest.fail(f"focus is not on {selector}: it is on {where(page)}")


def tab_to(page, selector, *, back=False, limit=80):
    """Tab (or Shift+Tab) until focus is on selector, as a person would."""
    for _ in range(limit):
        if focus_is(page, selector):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    assert focus_is(page, selector), f"{selector} not reached by keyboard; focus on {where(page)}"


def go(page, key="Enter"):
    """A key that loads another page (a link, a form sent without htmx)."""
    with page.expect_navigation():
        page.keyboard.press(key)


def at_page_start(page):
    """A new page without a marked place: focus at its start; the first Tab
    reaches the skip link."""
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement === document.body"), where(page)


def announced(page, text):
    """The live region said text, and only text, since the last check."""
    page.wait_for_function("t => (window.__announced || []).includes(t)", arg=text)
    page.wait_for_timeout(300)  # nothing else follows
    said = page.evaluate("() => window.__announced.splice(0)")
    assert said == [text], said


def nothing_announced(page):
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.__announced.splice(0)") == []


def type_into(page, selector, text, **kwargs):
    tab_to(page, selector, **kwargs)
    page.keyboard.type(text)


def datetime_local_by_arrows(page):
    """A datetime-local's six parts (day, month, year, hour, minute, a.m./p.m.)
    each set with ArrowUp: 1 January of this year, 1:00 a.m."""
    for _ in range(6):
        page.keyboard.press("ArrowUp")
        page.keyboard.press("ArrowRight")


# --- A customer opens tickets, replies and closes ----------------------------------


def test_a_customer_opens_a_ticket_replies_and_closes_it_by_keyboard(open_session, live_server,
                                                                     alice):
    page = record(open_session(alice.user))
    page.goto(f"{live_server.url}/cliente/tickets/nuevo/")
    at_page_start(page)

    # Sent empty: the page comes back with focus on the error summary, which
    # lists each error as a link to its field.
    tab_to(page, "#main button[type=submit]")
    go(page)
    expect_focus(page, ".form-errors[role=alert]")
    summary = page.locator(".form-errors")
    assert "Departamento" in summary.inner_text() and "Asunto" in summary.inner_text()
    department_group = page.locator("fieldset.step").first
    assert "id_department_error" in department_group.get_attribute("aria-describedby")
    page.keyboard.press("Tab")
    assert focus_is(page, '.form-errors a[href="#id_department_0"]'), where(page)
    page.keyboard.press("Enter")
    expect_focus(page, "#id_department_0")

    # Space picks the department; the categories reload without taking focus.
    with page.expect_response(lambda r: "/tickets/nuevo/categorias/" in r.url):
        page.keyboard.press("Space")
    assert page.locator("#id_department_0").is_checked()
    page.wait_for_function("() => document.querySelectorAll('#id_category option').length > 2")
    assert focus_is(page, "#id_department_0"), where(page)
    tab_to(page, "#id_category")
    page.keyboard.type("Sitio web")
    assert page.locator("#id_category option:checked").inner_text().strip().endswith("Sitio web")
    type_into(page, "#id_subject", "El sitio tarda en cargar")
    type_into(page, "#id_body", "Desde ayer la portada tarda 20 segundos.")
    tab_to(page, "#main button[type=submit]")
    go(page)
    expect_focus(page, "#created-title")
    ticket = Ticket.objects.get(subject="El sitio tarda en cargar")
    assert ticket.priority == Priority.REGULAR

    # To the ticket, a reply: focus goes to the new message, announced once.
    tab_to(page, f'#main a[href$="/cliente/tickets/{ticket.number}/"]')
    go(page)
    at_page_start(page)
    type_into(page, "#responder textarea", "Adjunto el tiempo de carga: 20,3 s.")
    tab_to(page, "#responder button[type=submit]")
    page.keyboard.press("Enter")
    expect_focus(page, "li.msg[data-focus]")
    assert "20,3 s" in page.evaluate("document.activeElement.textContent")
    announced(page, "Mensaje enviado")
    page.keyboard.press("Tab")  # the place is kept: onwards from the message
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")
    assert ticket.messages.count() == 2

    # Closing: the confirmation opens with Enter; afterwards focus starts at
    # what happened (the flash message).
    tab_to(page, "details.portal-confirm > summary", back=True)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert focus_is(page, ".portal-confirm button[type=submit]"), where(page)
    go(page)
    expect_focus(page, ".flash-list")
    assert "Cerraste el ticket" in page.evaluate("document.activeElement.textContent")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED

    # An Alta ticket: the arrows pick the priority, its incident fields appear.
    tab_to(page, '.topnav a[href$="/cliente/tickets/nuevo/"]', back=True)
    go(page)
    at_page_start(page)
    tab_to(page, "#id_department_0")
    with page.expect_response(lambda r: "/tickets/nuevo/categorias/" in r.url):
        page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelectorAll('#id_category option').length > 2")
    tab_to(page, "#id_category")
    page.keyboard.type("Sitio web")
    type_into(page, "#id_subject", "Mi sitio no carga")
    type_into(page, "#id_body", "Error 500 en todas las páginas.")
    tab_to(page, "input[name=priority]:checked")
    page.keyboard.press("ArrowRight")
    assert focus_is(page, "input[name=priority][value=alta]:checked"), where(page)
    assert page.locator("#incident-fields").is_visible()
    type_into(page, "#id_incident_server_ip", "192.0.2.10")
    type_into(page, "#id_incident_service_name", "Hosting Negocios - alicia.mx")
    tab_to(page, "#id_incident_started_at")
    datetime_local_by_arrows(page)
    type_into(page, "#id_incident_diagnostics", "curl -I devuelve 500.")
    tab_to(page, "#main button[type=submit]")
    go(page)
    expect_focus(page, "#created-title")
    alta = Ticket.objects.get(subject="Mi sitio no carga")
    assert alta.priority == Priority.HIGH and alta.incident_server_ip == "192.0.2.10"
    assert not page.js_errors, page.js_errors


# --- A visitor in the help centre and the contact form -------------------------------


def test_a_visitor_uses_the_help_centre_and_the_contact_form_by_keyboard(browser_context,
                                                                         live_server, monkeypatch):
    article_save(ArticleData(slug="registros-mx", title="Revisar los registros MX de tu dominio",
                             category="Correo",
                             body="Los registros MX dicen a qué servidor llega el correo."))
    monkeypatch.setattr(status_forms, "MIN_SECONDS", 0)  # no need to wait like a person
    page = record(browser_context.new_page())
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/ayuda/")
    at_page_start(page)

    # A search: the answers appear under the box, which keeps focus.
    type_into(page, "input[type=search][name=q]", "registros MX")
    page.keyboard.press("Enter")
    page.locator('[data-kb-results] a[href*="/ayuda/registros-mx/"]').wait_for()
    assert focus_is(page, "input[type=search][name=q]"), where(page)
    tab_to(page, '[data-kb-results] a[href*="/ayuda/registros-mx/"]')
    go(page)
    at_page_start(page)

    # «No»: focus goes to the comment field; «Enviar comentario»: to what was saved.
    tab_to(page, "#valoracion button[value=no]")
    page.keyboard.press("Enter")
    expect_focus(page, "#valoracion textarea")
    announced(page, "¡Gracias por tu opinión!")
    page.keyboard.type("Faltan capturas del panel.")
    page.keyboard.press("Tab")
    assert focus_is(page, "#valoracion button[type=submit]"), where(page)
    page.keyboard.press("Enter")
    expect_focus(page, "#valoracion p[data-focus]")
    announced(page, "Guardamos tu comentario.")

    # The contact form: sent incomplete, then corrected from the error summary.
    tab_to(page, '.footer__links a[href$="/contacto/"]')
    go(page)
    at_page_start(page)
    tab_to(page, '#main a[href$="/contacto/ventas/"]')
    go(page)
    at_page_start(page)
    type_into(page, "#id_name", "Fran Ortega")
    tab_to(page, "#main button[type=submit]")
    go(page)
    expect_focus(page, ".form-errors[role=alert]")
    tab_to(page, '.form-errors a[href="#id_email"]')
    page.keyboard.press("Enter")
    expect_focus(page, "#id_email")
    assert page.locator("#id_email").get_attribute("aria-describedby") == "id_email_error"
    page.keyboard.type("fran@example.org")
    type_into(page, "#id_body", "¿Tienen planes con correo para 20 buzones?")
    tab_to(page, "#main button[type=submit]")
    go(page)
    page.wait_for_url(re.compile("/contacto/recibido/"))
    at_page_start(page)
    assert Ticket.objects.filter(customer__email="fran@example.org").count() == 1
    assert errors == []


# --- An agent works the queue ----------------------------------------------------------


def test_an_agent_works_the_queue_by_keyboard(open_session, live_server, alice, carla,
                                             correo_category, make_ticket):
    seed_category_fields(Category, CategoryGuidance, CategoryField)  # flushed by live_server
    field = correo_category.custom_fields.get()
    ticket = make_ticket(alice, subject="Rebotan los correos a ventas@", category=correo_category)
    ticket_values_save(ticket, category_fields_form(
        correo_category, customer=alice, data={f"campos-f{field.pk}": "ventas@alicia.mx"}))
    page = record(open_session(carla))
    page.goto(f"{live_server.url}/consola/")
    at_page_start(page)

    # A search swaps the results in: focus stays in the search box, the
    # results are announced once.
    type_into(page, "#queue-q", ticket.number)
    page.keyboard.press("Enter")
    announced(page, f"Resultados para «{ticket.number}»")
    assert focus_is(page, "#queue-q"), where(page)
    tab_to(page, f'#queue-results a.subject-link[href$="/consola/tickets/{ticket.number}/"]')
    go(page)
    at_page_start(page)

    # A reply: the page comes back starting at what happened.
    type_into(page, "#reply-body", "Hola Alicia, revisamos el registro MX.")
    tab_to(page, "#composer button[type=submit]")
    go(page)
    expect_focus(page, ".flash-list")
    assert "Respuesta enviada al cliente." in page.evaluate("document.activeElement.textContent")

    # «Editar datos»: the form's first field, then the saved card, announced once.
    tab_to(page, "#datos-categoria a")
    page.keyboard.press("Enter")
    expect_focus(page, "#datos-categoria input:not([type=hidden])")
    page.keyboard.press("Control+a")
    page.keyboard.type("info@alicia.mx")
    tab_to(page, "#datos-categoria button[type=submit]")
    page.keyboard.press("Enter")
    expect_focus(page, "#datos-categoria[data-focus]")
    announced(page, "Datos guardados")
    assert "info@alicia.mx" in page.locator("#datos-categoria").inner_text()

    # Classification: the priority by typing its name, then «Guardar cambios».
    tab_to(page, "#id_priority")
    page.keyboard.type("Alta")
    tab_to(page, 'form[action$="/campos/"] button[type=submit]')
    go(page)
    expect_focus(page, ".flash-list")
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH

    # Status: «Resolver».
    tab_to(page, 'form[action$="/estado/"] button[value=resuelto]')
    go(page)
    expect_focus(page, ".flash-list")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    assert not page.js_errors, page.js_errors


# --- A customer chats, an agent answers, a chat left as a ticket -----------------------


@pytest.mark.parametrize("server", [{"VENTANILLA_CHAT_ANSWER_SECONDS": "4",
                                     "VENTANILLA_CHAT_CONSOLE_LIVE_SECONDS": "15"}], indirect=True)
def test_a_chat_by_keyboard_on_both_sides(chromium, server):  # noqa: F811
    base_url, tickets = server
    agent_context, agent = chat_login(chromium, base_url, "mateo@example.com")
    customer_context, customer = chat_login(chromium, base_url, "lucia@example.com")
    other_context, other = chat_login(chromium, base_url, "lucia@example.com")
    visitor_context, visitor = visitor_page(chromium)
    try:
        # Nobody available yet: a visitor leaves the question as a ticket from
        # the chat's form; its confirmation takes focus.
        visitor.goto(f"{base_url}/chat/")
        tab_to(visitor, "[data-chat-open-widget]")
        visitor.keyboard.press("Enter")
        visitor.locator("[data-chat-start]").wait_for()
        type_into(visitor, "#chatw-name", "Fran Ortega")
        type_into(visitor, "#chatw-email", "fran@example.org")
        type_into(visitor, "#chatw-message", "¿Puedo pasar mi dominio a ustedes?")
        tab_to(visitor, "[data-chat-submit]")
        assert visitor.evaluate("document.activeElement.textContent.trim()") == "Dejar como ticket"
        visitor.keyboard.press("Enter")
        expect_focus(visitor, "[data-chat-intro] .callout--ok")
        assert "Creamos el ticket #" in visitor.evaluate("document.activeElement.textContent")

        # Mateo: no tablist before a chat opens, an h1; «Disponible» by typing.
        agent.goto(f"{base_url}/consola/chat/")
        assert agent.locator("h1").count() == 1
        assert agent.locator("[role=tablist]").count() == 0
        tab_to(agent, "#chatc-availability")
        agent.keyboard.type("Disponible")
        agent.locator("[data-chat-console][data-availability=disponible]").wait_for()

        # Lucía opens the chat panel from its button; Escape and ✕ close it
        # and focus goes back to the button.
        customer.goto(f"{base_url}/cliente/")
        launcher = ".chatw__button"
        tab_to(customer, launcher)
        customer.keyboard.press("Enter")
        customer.locator("[data-chat-start]").wait_for()
        customer.keyboard.press("Tab")
        assert focus_is(customer, ".chatw__head button"), where(customer)
        customer.keyboard.press("Escape")
        expect_focus(customer, launcher)
        assert customer.locator("[data-chat-panel]").is_hidden()
        customer.keyboard.press("Enter")
        customer.keyboard.press("Tab")
        customer.keyboard.press("Enter")  # ✕
        expect_focus(customer, launcher)
        customer.keyboard.press("Enter")

        # «Iniciar chat»: focus goes to the message box.
        type_into(customer, "#chatw-message", "Mis correos a ventas@lucia.mx rebotan")
        tab_to(customer, "[data-chat-submit]")
        customer.keyboard.press("Enter")
        expect_focus(customer, "#chatw-input")
        customer.get_by_text("Te atiende Mateo.").wait_for()
        # Joining is read once, from the log; the status line is no second live region.
        customer.locator(".chatw__log").get_by_text("Mateo se unió al chat.").wait_for()
        assert customer.locator("[data-chat-status]").get_attribute("role") is None
        assert customer.evaluate("() => window.__announced.splice(0)") == []
        log = customer.locator(".chatw__log")
        assert (log.get_attribute("role"), log.get_attribute("tabindex")) == ("log", "0")
        assert log.get_attribute("aria-label") == "Mensajes"

        # Mateo's chat opened by itself without taking his focus; he reaches
        # the reply box and answers with Enter.
        pane = agent.locator(".chatc__pane:visible")
        pane.get_by_text("Mis correos a ventas@lucia.mx rebotan").wait_for()
        assert focus_is(agent, "#chatc-availability"), where(agent)
        type_into(agent, ".chatc__pane:not([hidden]) [data-chat-send] textarea",
                  "Hola Lucía, reviso tu registro MX")
        agent.keyboard.press("Enter")
        customer.locator(".chatw__log").get_by_text("Hola Lucía, reviso tu registro MX").wait_for()
        assert focus_is(agent, ".chatc__pane:not([hidden]) [data-chat-send] textarea")

        # A second chat of Lucía's (another browser) that Mateo does not answer:
        # she is offered a ticket and «Dejar como ticket» focuses the confirmation.
        other.goto(f"{base_url}/cliente/")
        tab_to(other, launcher)
        other.keyboard.press("Enter")
        other.locator("[data-chat-start]").wait_for()
        type_into(other, "#chatw-message", "Quiero cambiar de plan")
        tab_to(other, "[data-chat-submit]")
        other.keyboard.press("Enter")
        expect_focus(other, "#chatw-input")
        offer = other.locator("[data-chat-offer]")
        offer.get_by_text("Nadie ha podido atenderte todavía.").wait_for(timeout=20_000)
        tab_to(other, "[data-chat-leave-ticket]", back=True)
        other.keyboard.press("Enter")
        expect_focus(other, "[data-chat-notice]")
        assert "Creamos el ticket #" in other.evaluate("document.activeElement.textContent")

        # Two tabs now: the arrows, Home and End move between them (roving
        # tabindex); each tab controls its named panel.
        tabs = agent.locator("[role=tablist] [role=tab]")
        tabs.nth(1).wait_for()
        assert agent.locator("[role=tablist]").get_attribute("aria-label") == "Chats abiertos"
        tab_to(agent, "[role=tab][aria-selected=true]", back=True)
        first = agent.evaluate("document.activeElement.id")
        assert agent.locator("[role=tab][tabindex='0']").count() == 1
        agent.keyboard.press("ArrowRight")
        second = agent.evaluate("document.activeElement.id")
        assert second != first and focus_is(agent, "[role=tab][aria-selected=true]")
        panel_id = agent.locator(f"#{second}").get_attribute("aria-controls")
        panel = agent.locator(f"#{panel_id}")
        assert panel.is_visible() and panel.get_attribute("role") == "tabpanel"
        assert panel.get_attribute("aria-labelledby") == second
        agent.keyboard.press("Home")
        assert agent.evaluate("document.activeElement.id") == first
        agent.keyboard.press("End")
        assert agent.evaluate("document.activeElement.id") == second
        agent.keyboard.press("ArrowLeft")
        assert agent.evaluate("document.activeElement.id") == first
        log = agent.locator(".chatc__pane:not([hidden]) .chatc__log")
        assert (log.get_attribute("role"), log.get_attribute("tabindex")) == ("log", "0")

        assert len(tickets()) == 2  # the visitor's and the one left from the chat
        assert customer.js_errors == [] and other.js_errors == [] and agent.js_errors == []
        assert visitor.js_errors == []
    finally:
        for context in (agent_context, customer_context, other_context, visitor_context):
            context.close()


def chat_login(chromium, base_url, email):
    """A logged-in page of its own context on the served site, recording
    what its live region announces."""
    context, page = logged_in(chromium, base_url, email)
    page.context.add_init_script(RECORD_ANNOUNCEMENTS)
    return context, page
