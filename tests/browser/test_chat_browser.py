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
def server(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_", "REDIS_", "HUEY_", "VENTANILLA_", "EMAIL_", "DJANGO_"))}
    port = free_port()
    env.update(VENTANILLA_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="ventanilla.settings",
               PYTHONUNBUFFERED="1", SITE_URL=f"http://127.0.0.1:{port}")
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


def logged_in(chromium, base_url, email):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="es-MX")
    context.set_default_timeout(10_000)
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
        agent.get_by_label("Disponibilidad").select_option("disponible")

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
