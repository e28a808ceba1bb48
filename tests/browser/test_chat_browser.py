"""A whole chat in two Chromium contexts, a customer and an agent, against a
real `ventanilla serve` (pytest-django's live server is WSGI and cannot
carry WebSockets) on a SQLite database this test prepares."""

import json
import os
import subprocess
import sys

import pytest

from tests.browser.conftest import screenshot
from tests.test_scale_out import answers, start, stop
from tests.test_serve import free_port, wait_for

pytestmark = pytest.mark.browser

PASSWORD = "clave-del-chat-1357"
SETUP = f"""
from allauth.account.models import EmailAddress
from ventanilla.accounts.models import AgentProfile, Customer, Service, User
from ventanilla.core.models import SiteSettings
from ventanilla.tickets.models import Department

site = SiteSettings.load()
site.agents_require_2fa = False
site.save()
for email, name in [("lucia@example.com", "Lucía Cliente"), ("mateo@example.com", "Mateo Agente")]:
    user = User.objects.create_user(email=email, password={PASSWORD!r}, full_name=name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
lucia = Customer.objects.create(user=User.objects.get(email="lucia@example.com"),
                                name="Lucía Cliente", email="lucia@example.com")
Service.objects.create(customer=lucia, type="hosting_negocios", name="Hosting Negocios - lucia.mx",
                       domain="lucia.mx", order_number="777001")
AgentProfile.objects.create(user=User.objects.get(email="mateo@example.com")).departments.add(
    Department.objects.get(slug="soporte"))
from ventanilla.kb.services import ArticleData, article_save
article_save(ArticleData(slug="registros-mx", title="Revisar los registros MX de tu dominio",
                         category="Correo", body="Los registros MX dicen a qué servidor llega el correo."))
"""
TICKETS = """
import json
from ventanilla.tickets.models import Ticket
print(json.dumps([[t.number, t.channel, t.customer.email, t.messages.first().body,
                   t.category.name if t.category else "",
                   {v.label: v.text for v in t.field_values.all()}]
                  for t in Ticket.objects.all()]))
"""


@pytest.fixture
def server(tmp_path, request):
    """The served site; parametrized indirectly with a dict, more of its environment."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_", "REDIS_", "HUEY_", "VENTANILLA_", "EMAIL_", "DJANGO_"))}
    port = free_port()
    env.update(VENTANILLA_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="ventanilla.settings",
               PYTHONUNBUFFERED="1", SITE_URL=f"http://127.0.0.1:{port}")
    env.update(getattr(request, "param", {}))
    run = [sys.executable, "-m", "ventanilla"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, timeout=120)
    subprocess.run([*run, "shell", "-c", SETUP], env=env, check=True, timeout=60)
    log = tmp_path / "serve.log"
    process = start(env, ["serve", "--no-worker", "--port", str(port)], log)
    try:
        assert wait_for(answers(port), 30), log.read_text()

        def tickets():
            out = subprocess.run([*run, "shell", "-c", TICKETS], env=env, check=True, timeout=60,
                                 capture_output=True, text=True).stdout
            return json.loads(out.strip().splitlines()[-1])

        yield f"http://127.0.0.1:{port}", tickets
    finally:
        stop(process)


def logged_in(chromium, base_url, email, *, width=1280, height=900):
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="es-MX")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    page.on("console", lambda msg: page.js_errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{base_url}/cuenta/login/")
    page.get_by_label("Correo electrónico").fill(email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    page.wait_for_load_state()
    return context, page


def test_a_customer_and_an_agent_chat_and_the_chat_ends_as_a_ticket(chromium, server):
    base_url, tickets = server
    agent_context, agent = logged_in(chromium, base_url, "mateo@example.com")
    customer_context, customer = logged_in(chromium, base_url, "lucia@example.com")
    try:
        # Mateo opens the chat console and becomes available.
        agent.goto(f"{base_url}/consola/chat/")
        become_available(agent)

        # Lucía, in her client area, opens the chat and reads its scope first.
        customer.goto(f"{base_url}/cliente/")
        customer.get_by_role("button", name="Chatear con un agente ahora").click()
        panel = customer.locator("[data-chat-panel]")
        panel.get_by_label("¿Con qué área quieres hablar?").select_option(label="Soporte técnico")
        scope = panel.locator("[data-scope-for]:visible")
        assert scope.count() == 1
        assert "Nunca pedimos ni damos credenciales de acceso por chat." in scope.text_content()
        assert "nameservers (DNS)" in scope.inner_text()
        panel.get_by_label("Tu consulta").fill("Mis correos a ventas@lucia.mx rebotan")
        panel.get_by_role("button", name="Iniciar chat").click()
        panel.get_by_text("Te atiende Mateo.").wait_for()

        # The chat opens by itself in Mateo's tabs, with the customer's sidebar.
        pane = agent.locator(".chatc__pane:visible")
        pane.get_by_text("Mis correos a ventas@lucia.mx rebotan").wait_for()
        pane.get_by_text("Hosting Negocios - lucia.mx").wait_for()
        pane.get_by_placeholder("Escribe tu respuesta…").fill("Hola Lucía, reviso tu registro MX")
        pane.get_by_role("button", name="Enviar").click()
        panel.get_by_text("Hola Lucía, reviso tu registro MX").wait_for()

        # Mateo finds a help article from the sidebar and inserts its link;
        # Lucía gets a link to the article, and markup in a message stays text.
        pane.get_by_label("Insertar artículo del centro de ayuda").fill("registros MX")
        pane.get_by_role("button", name="Revisar los registros MX de tu dominio").click()
        composer = pane.get_by_placeholder("Escribe tu respuesta…")
        assert composer.input_value() == (
            f"Revisar los registros MX de tu dominio — {base_url}/ayuda/registros-mx/")
        composer.press("End")
        composer.press_sequentially(" <b>lee esto</b>", delay=5)
        pane.get_by_role("button", name="Enviar").click()
        link = panel.get_by_role("link", name=f"{base_url}/ayuda/registros-mx/")
        link.wait_for()
        assert link.get_attribute("href") == f"{base_url}/ayuda/registros-mx/"
        assert link.get_attribute("target") == "_blank"
        panel.get_by_text("<b>lee esto</b>").wait_for()
        assert panel.locator(".chatw__body b").count() == 0

        # Lucía types (Mateo sees it), then sends a password: it is hidden.
        box = panel.get_by_placeholder("Escribe tu mensaje…")
        box.press_sequentially("Mi contraseña: Gato1234", delay=20)
        pane.get_by_text("Lucía Cliente está escribiendo…").wait_for()
        box.press("Enter")
        panel.get_by_text("nunca compartas credenciales").wait_for()
        pane.get_by_text("Mi contraseña: [dato sensible oculto]").wait_for()
        assert "Gato1234" not in agent.content()

        # Mateo asks Lucía to authorize an action; she answers in the chat.
        consent = pane.locator("[data-chatc-consent-form]")
        consent.get_by_label("Acción que necesita autorización").fill(
            "Cambiar el registro MX de lucia.mx al servidor de correo nuevo")
        consent.get_by_role("button", name="Pedir autorización").click()
        pane.get_by_text("Pedimos la autorización: el cliente la ve destacada en el chat.").wait_for()
        box = panel.locator("[data-chat-consents]")
        box.get_by_text("Cambiar el registro MX de lucia.mx").wait_for()
        box.get_by_role("button", name="Autorizo", exact=True).click()
        pane.get_by_text("Lucía autorizó: «Cambiar el registro MX").wait_for()
        box.wait_for(state="hidden")

        # A reload keeps the conversation.
        customer.reload()
        customer.locator("[data-chat-panel]").get_by_text("Hola Lucía, reviso tu registro MX").wait_for()
        panel = customer.locator("[data-chat-panel]")

        # Mateo turns it into a Correo ticket, with the affected address the
        # category asks for (another domain is refused, nothing typed is
        # lost); Lucía reads its number in the chat.
        convert = pane.locator("[data-chatc-convert-form]")
        convert.get_by_label("Categoría").select_option(label="Correo")
        convert.get_by_text("Incluye la dirección de correo").wait_for()
        address = pane.locator("[data-chatc-convert-form]").get_by_label("Dirección de correo afectada")
        address.fill("ventas@otro.mx")
        pane.get_by_role("button", name="Crear el ticket").click()
        pane.get_by_text("Revisa los datos de la categoría.").wait_for()
        address = pane.locator("[data-chatc-convert-form]").get_by_label("Dirección de correo afectada")
        assert address.input_value() == "ventas@otro.mx"
        address.fill("ventas@lucia.mx")
        pane.get_by_role("button", name="Crear el ticket").click()
        pane.get_by_text("Creado el ticket #").wait_for()
        panel.get_by_text("Creamos el ticket #").wait_for()
        screenshot(customer, "chat-customer")
        screenshot(agent, "chat-agent")

        [[number, channel, email, body, category, values]] = tickets()
        assert (channel, email, category) == ("chat", "lucia@example.com", "Correo")
        assert values == {"Dirección de correo afectada": "ventas@lucia.mx"}
        assert f"Creamos el ticket #{number}" in panel.inner_text()
        assert "Mis correos a ventas@lucia.mx rebotan" in body and "Gato1234" not in body

        # Mateo ends the chat; Lucía rates it.
        pane.get_by_role("button", name="Terminar chat").click()
        panel.get_by_text("El chat terminó.").wait_for()
        panel.get_by_label("5").check()
        panel.get_by_role("button", name="Enviar valoración").click()
        panel.get_by_text("¡Gracias por tu valoración!").wait_for()
        assert customer.js_errors == [] and agent.js_errors == []
    finally:
        agent_context.close()
        customer_context.close()


def visitor_page(chromium, *, width=1280, height=900):
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="es-MX")
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.js_errors = []
    page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
    return context, page


def become_available(agent):
    """Picks «Disponible» and waits until the server has it (its state frame
    says so), so a customer's chat panel opened next counts this agent."""
    agent.get_by_label("Disponibilidad").select_option("disponible")
    agent.locator("[data-chat-console][data-availability=disponible]").wait_for()


def agent_at_console(chromium, base_url):
    context, agent = logged_in(chromium, base_url, "mateo@example.com")
    agent.goto(f"{base_url}/consola/chat/")
    become_available(agent)
    return context, agent


# The console's socket is held back (a stand-in that never opens) until the
# test lets it through: what a slow network or a restarting server does.
HOLD_SOCKETS = """(() => {
  const Real = window.WebSocket;
  window.__held = [];
  window.WebSocket = function (url, protocols) {
    if (!window.__letSocketsOpen) {
      const stub = {readyState: 0, send() { throw new Error("not open"); }, close() {}};
      window.__held.push(stub);
      return stub;
    }
    return new Real(url, protocols);
  };
  window.WebSocket.OPEN = Real.OPEN;
  window.__releaseSockets = () => {
    window.__letSocketsOpen = true;
    window.__held.forEach((stub) => stub.onclose && stub.onclose({code: 1006}));
  };
})();"""


def test_availability_chosen_before_the_console_connects_is_kept(chromium, server):
    """An agent who picks «Disponible» before the console's socket opens is
    available once it opens: the choice is sent then, and the server's first
    state frame does not put «Ausente» back in the select."""
    base_url, _tickets = server
    context, agent = logged_in(chromium, base_url, "mateo@example.com")
    try:
        agent.add_init_script(HOLD_SOCKETS)
        agent.goto(f"{base_url}/consola/chat/")
        agent.get_by_label("Disponibilidad").select_option("disponible")
        agent.evaluate("() => window.__releaseSockets()")
        agent.locator("[data-chat-console][data-availability=disponible]").wait_for()
        assert agent.get_by_label("Disponibilidad").input_value() == "disponible"
        agent.reload()  # what the server stored, not what the page remembers
        agent.evaluate("() => window.__releaseSockets()")
        agent.locator("[data-chat-console][data-availability=disponible]").wait_for()
        assert agent.js_errors == []
    finally:
        context.close()


def in_viewport(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return bool(box) and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] \
        and box["x"] >= 0 and box["x"] + box["width"] <= size["width"]


# A live period long enough for a loaded machine's heartbeats (one every
# third of it), short enough to wait out.
@pytest.mark.parametrize("server", [{"VENTANILLA_CHAT_ANSWER_SECONDS": "4",
                                     "VENTANILLA_CHAT_CONSOLE_LIVE_SECONDS": "15"}], indirect=True)
def test_a_customer_nobody_answers_is_told_and_leaves_a_ticket_and_a_closed_console_routes_nothing(
        chromium, server):
    """Issue 17, C1, on a phone: the agent is available only while their
    console is open; "X se unió" only once it opened the chat; with no
    answer in time the customer is told and offered the ticket."""
    base_url, tickets = server
    agent_context, agent = agent_at_console(chromium, base_url)
    customer_context, customer = logged_in(chromium, base_url, "lucia@example.com",
                                           width=390, height=844)
    try:
        customer.goto(f"{base_url}/chat/")
        panel = customer.locator("[data-chat-panel]")
        panel.get_by_label("¿Con qué área quieres hablar?").select_option(label="Soporte técnico")
        panel.get_by_text("1 agente disponible").wait_for()
        panel.get_by_label("Tu consulta").fill("Mi sitio lucia.mx no carga")
        assert in_viewport(customer, panel.get_by_role("button", name="Iniciar chat"))
        panel.get_by_role("button", name="Iniciar chat").click()
        panel.get_by_text("Mateo se unió al chat.").wait_for()
        panel.get_by_text("Te atiende Mateo.").wait_for()
        # On the phone the conversation's buttons are in view without scrolling.
        for name in ("Enviar", "Terminar chat"):
            assert in_viewport(customer, panel.get_by_role("button", name=name)), name

        # Mateo reads it but never answers: the customer is told, not left waiting.
        offer = panel.locator("[data-chat-offer]")
        offer.get_by_text("Nadie ha podido atenderte todavía.").wait_for(timeout=15_000)
        leave = offer.get_by_role("button", name="Dejar como ticket")
        assert in_viewport(customer, leave)
        screenshot(customer, "chat-nobody-answered-phone")
        leave.click()
        panel.get_by_text("Creamos el ticket #").first.wait_for()
        [[number, channel, email, body, _category, _values]] = tickets()
        assert (channel, email) == ("chat", "lucia@example.com")
        assert "Mi sitio lucia.mx no carga" in body

        # Mateo closes his browser: after the live period nobody is offered.
        agent_context.close()
        visitor_context, visitor = visitor_page(chromium, width=390, height=844)
        try:
            visitor.wait_for_timeout(16_000)
            visitor.goto(f"{base_url}/chat/")
            panel = visitor.locator("[data-chat-panel]")
            panel.get_by_label("¿Con qué área quieres hablar?").select_option(label="Soporte técnico")
            panel.locator("[data-scope-for]:visible").get_by_text(
                "Ahora no hay agentes disponibles.").wait_for()
            assert panel.get_by_role("button", name="Dejar como ticket").is_visible()
            # The visitor's name box is as tall as the other fields (was 21 px).
            heights = [panel.get_by_label(label).bounding_box()["height"]
                       for label in ("Tu nombre", "Tu correo")]
            assert heights[0] >= 40 and abs(heights[0] - heights[1]) < 1, heights
            assert visitor.js_errors == []
        finally:
            visitor_context.close()
        assert customer.js_errors == []
    finally:
        customer_context.close()
        agent_context.close()


def test_two_chats_of_one_customer_are_told_apart_and_share_no_element_id(chromium, server):
    """Issue 17, C4: two tabs of «Lucía Cliente» say which is which; the two
    panes' forms (consent, conversion with a category's fields) keep their
    ids unique and each label points at the field beside it."""
    base_url, _tickets = server
    agent_context, agent = agent_at_console(chromium, base_url)
    contexts = [agent_context]
    try:
        for question in ("Mis correos rebotan", "No puedo entrar al cPanel"):
            context, customer = logged_in(chromium, base_url, "lucia@example.com")
            contexts.append(context)
            customer.goto(f"{base_url}/chat/")
            panel = customer.locator("[data-chat-panel]")
            panel.get_by_label("¿Con qué área quieres hablar?").select_option(label="Soporte técnico")
            panel.get_by_label("Tu consulta").fill(question)
            panel.get_by_role("button", name="Iniciar chat").click()
            panel.get_by_text("Te atiende Mateo.").wait_for()

        tabs = agent.locator(".chatc__tab")
        tabs.nth(1).wait_for()
        labels = [tabs.nth(n).inner_text() for n in range(tabs.count())]
        assert len(labels) == 2 and labels[0] != labels[1], labels
        assert all("Lucía Cliente" in label and "#" in label and "Soporte técnico" in label
                   for label in labels), labels
        # Both panes with their forms: the conversion's category fields too.
        for n in range(2):
            tabs.nth(n).click()
            pane = agent.locator(".chatc__pane:visible")
            pane.locator("[data-chatc-consent-form]").wait_for()
            pane.locator("[data-chatc-convert-form]").get_by_label("Categoría").select_option(
                label="Correo")
            pane.locator("[data-chatc-convert-form]").get_by_label(
                "Dirección de correo afectada").wait_for()
        duplicates = agent.evaluate("""() => {
            const seen = {}, dup = [];
            document.querySelectorAll('[id]').forEach((el) => {
                if (seen[el.id]) dup.push(el.id); seen[el.id] = true; });
            return dup; }""")
        assert duplicates == []
        stray = agent.evaluate("""() => Array.from(document.querySelectorAll('label[for]'))
            .filter((label) => {
                const target = document.getElementById(label.htmlFor);
                return !target || label.closest('.chatc__pane') !== target.closest('.chatc__pane');
            }).map((label) => label.htmlFor)""")
        assert stray == []
        # Clicking a label in the second pane focuses that pane's field.
        pane = agent.locator(".chatc__pane:visible")
        pane.locator("[data-chatc-consent-form]").get_by_text(
            "Acción que necesita autorización").click()
        assert agent.evaluate("() => document.activeElement.closest('.chatc__pane').dataset.chat") \
            == pane.get_attribute("data-chat")
        screenshot(agent, "chat-two-tabs")
        assert agent.js_errors == []
    finally:
        for context in contexts:
            context.close()


def test_the_help_centres_question_opens_the_chat_already_written(chromium, server):
    """Issue 17, C3: «Chatear con un agente ahora» from the help centre's
    widget carries the question, as «Crear un ticket» does."""
    base_url, _tickets = server
    context, page = visitor_page(chromium)
    try:
        page.goto(f"{base_url}/ayuda/")
        widget = page.locator("[data-kb-widget]")
        widget.get_by_label("Escribe tu pregunta").fill("registros MX de mi dominio")
        widget.get_by_role("link", name="Revisar los registros MX de tu dominio").wait_for()
        widget.get_by_role("button", name="No", exact=True).click()
        widget.get_by_role("link", name="Chatear con un agente ahora").click()
        page.wait_for_url("**/chat/?pregunta=*")
        box = page.locator("[data-chat-panel]").get_by_label("Tu consulta")
        box.wait_for()
        assert box.input_value() == "registros MX de mi dominio"
        assert page.js_errors == []
    finally:
        context.close()


COVERED = """(scope) => {
    const launcher = document.querySelector('.chatw__button').getBoundingClientRect();
    const meets = (r) => r.width > 1 && r.height > 1 && !(r.right <= launcher.left
        || r.left >= launcher.right || r.bottom <= launcher.top || r.top >= launcher.bottom);
    const shown = (el) => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden';
    const root = document.querySelector(scope), hits = [];
    root.querySelectorAll('a, button, input, select, textarea, summary').forEach((el) => {
        if (!el.closest('.chatw') && shown(el) && meets(el.getBoundingClientRect()))
            hits.push(el.outerHTML.slice(0, 80));
    });
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, parent = node.parentElement;
        if (!node.textContent.trim() || !parent || parent.closest('.chatw, script, style, template')
            || !shown(parent)) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        if (Array.from(range.getClientRects()).some(meets)) hits.push(node.textContent.trim().slice(0, 60));
    }
    return hits;
}"""


def scrolled(page, where: str):
    page.evaluate("""(where) => window.scrollTo(0, where === 'top' ? 0 : where === 'bottom'
        ? document.documentElement.scrollHeight
        : (document.documentElement.scrollHeight - innerHeight) / 2)""", where)
    page.wait_for_timeout(100)


def test_the_chat_launcher_covers_no_text_or_control(chromium, server):
    """Issue 17, D: at 1366x768 the launcher sits in the page's margin
    («¿Regular o Alta?» on «Abrir ticket» was under it); on a phone it never
    covers the header, and the end of every page is clear of it."""
    base_url, _tickets = server
    context, page = logged_in(chromium, base_url, "lucia@example.com", width=1366, height=768)
    try:
        for path in ("/cliente/tickets/nuevo/", "/cliente/", "/ayuda/"):
            page.goto(base_url + path)
            for where in ("top", "middle", "bottom"):
                scrolled(page, where)
                assert page.evaluate(COVERED, "body") == [], (path, where)
        page.goto(base_url + "/cliente/tickets/nuevo/")
        page.get_by_text("¿Regular o Alta?").scroll_into_view_if_needed()
        assert page.evaluate(COVERED, "body") == []
        screenshot(page, "chat-launcher-1366")
        page.set_viewport_size({"width": 390, "height": 844})
        for path in ("/cliente/tickets/nuevo/", "/cliente/", "/ayuda/", "/chat/"):
            page.goto(base_url + path)
            if path == "/chat/":  # the panel opens there: minimized, the launcher stays
                page.locator("[data-chat-panel]").get_by_role("button", name="Minimizar el chat").click()
            scrolled(page, "top")
            assert page.evaluate(COVERED, "header") == [], path
            scrolled(page, "bottom")
            assert page.evaluate(COVERED, "body") == [], path
        screenshot(page, "chat-launcher-390")
        assert page.js_errors == []
    finally:
        context.close()
