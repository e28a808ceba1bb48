"""What people see of issue 17's chat security fixes (A1, A4): a chat's
internal note is not in the customer's ticket page but is in the agents'
as an internal note; a console ticket page whose ticket moves to another
department says so and shows nothing more of it."""

import os
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_chat_browser import logged_in
from tests.conftest import make_agent
from tests.test_scale_out import answers, start, stop
from tests.test_serve import free_port, wait_for
from ventanilla.chat import services as chat_services
from ventanilla.chat.models import ChatMessage

pytestmark = pytest.mark.browser

MARKER = "NOTA-SECRETA-7Q4Z"


def test_a_chat_made_a_ticket_shows_the_customer_what_they_saw_and_the_agents_its_note(
        open_session, live_server, alice, carla, soporte):
    luis = make_agent("luis@example.com", "Luis Soporte", [soporte])
    chat = chat_services.chat_start(department=soporte, user=alice.user,
                                    first_message="Mi correo no envía desde ayer")
    chat_services.chat_take(chat, agent=carla)
    chat_services.chat_post(chat, kind=ChatMessage.Kind.AGENT, body="Hola, lo reviso.",
                            author=carla)
    chat_services.chat_transfer(chat, actor=carla, to_agent=luis,
                                note=f"Cliente difícil {MARKER}; ya revisé SPF")
    ticket = chat_services.chat_convert_to_ticket(chat, agent=luis)

    customer = open_session(alice.user)
    customer.goto(f"{live_server.url}/cliente/tickets/{ticket.number}/")
    conversation = customer.locator("#conversation")
    expect(conversation).to_contain_text("Mi correo no envía desde ayer")
    expect(conversation).to_contain_text("Hola, lo reviso.")
    assert MARKER not in customer.content()
    screenshot(customer, "chat-ticket-customer-without-note")

    agent = open_session(luis)
    agent.goto(f"{live_server.url}/consola/tickets/{ticket.number}/")
    note = agent.locator(".msg--nota")
    expect(note).to_contain_text(MARKER)
    expect(note).to_contain_text("Nota interna — el cliente no la ve")
    expect(agent.locator(".msg--cliente")).not_to_contain_text(MARKER)
    screenshot(agent, "chat-ticket-agent-with-note")
    assert customer.js_errors == [] and agent.js_errors == []


PASSWORD = "clave-del-chat-1357"  # test_chat_browser.logged_in's
SETUP = f"""
from allauth.account.models import EmailAddress
from ventanilla.accounts.models import AgentProfile, Customer, User
from ventanilla.core.models import SiteSettings
from ventanilla.tickets.models import Department
from ventanilla.tickets.services import ticket_create

site = SiteSettings.load()
site.agents_require_2fa = False
site.save()
for email, name in [("lucia@example.com", "Lucía Cliente"), ("mateo@example.com", "Mateo Agente"),
                    ("sofia@example.com", "Sofía Supervisora")]:
    user = User.objects.create_user(email=email, password={PASSWORD!r}, full_name=name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
lucia = Customer.objects.create(user=User.objects.get(email="lucia@example.com"),
                                name="Lucía Cliente", email="lucia@example.com")
AgentProfile.objects.create(user=User.objects.get(email="mateo@example.com")).departments.add(
    Department.objects.get(slug="soporte"))
AgentProfile.objects.create(user=User.objects.get(email="sofia@example.com"), is_supervisor=True)
ticket = ticket_create(customer=lucia, requester=lucia.user, subject="El correo no sale",
                       body="Desde ayer.", department=Department.objects.get(slug="soporte"))
print("NUMBER", ticket.number)
"""
@pytest.fixture
def served(tmp_path):
    """`ventanilla serve` (WebSockets) on a database of its own: (url, number)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_", "REDIS_", "HUEY_", "VENTANILLA_", "EMAIL_", "DJANGO_"))}
    port = free_port()
    env.update(VENTANILLA_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="ventanilla.settings",
               PYTHONUNBUFFERED="1", SITE_URL=f"http://127.0.0.1:{port}")
    run = [sys.executable, "-m", "ventanilla"]

    def shell(code: str) -> str:
        return subprocess.run([*run, "shell", "-c", code], env=env, check=True, timeout=60,
                              capture_output=True, text=True).stdout

    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, timeout=120)
    number = shell(SETUP).split("NUMBER ")[1].split()[0]
    log = tmp_path / "serve.log"
    process = start(env, ["serve", "--no-worker", "--port", str(port)], log)
    try:
        assert wait_for(answers(port), 30), log.read_text()
        yield f"http://127.0.0.1:{port}", number
    finally:
        stop(process)


def test_a_console_ticket_page_says_when_the_ticket_moves_away_and_shows_no_more_of_it(
        chromium, served):
    base_url, number = served
    supervisor_context, supervisor = logged_in(chromium, base_url, "sofia@example.com")
    agent_context, agent = logged_in(chromium, base_url, "mateo@example.com")
    try:
        supervisor.goto(f"{base_url}/consola/tickets/{number}/")
        agent.goto(f"{base_url}/consola/tickets/{number}/")
        # Both pages' sockets are live: each sees the other.
        expect(agent.locator("[data-presence-list]")).to_contain_text("Sofía")
        expect(supervisor.locator("[data-presence-list]")).to_contain_text("Mateo")

        # Sofía moves it to Facturación, which Mateo does not work.
        fields = supervisor.locator("form", has=supervisor.get_by_role("button", name="Guardar cambios"))
        fields.get_by_label("Departamento").select_option(label="Facturación")
        fields.get_by_role("button", name="Guardar cambios").click()
        expect(agent.locator("[data-presence-lost]")).to_have_text(
            "Ya no tienes acceso a este ticket: no verás sus mensajes nuevos.")

        # Her internal note afterwards never reaches Mateo's open page.
        supervisor.get_by_label("Nota interna").check()
        supervisor.get_by_label("Mensaje").fill("NOTA-DESPUES del cambio")
        supervisor.get_by_role("button", name="Enviar", exact=True).click()
        expect(supervisor.locator(".msg--nota")).to_contain_text("NOTA-DESPUES del cambio")
        agent.wait_for_timeout(1000)
        assert "NOTA-DESPUES" not in agent.content()
        screenshot(agent, "console-ticket-moved-away")
        assert agent.js_errors == [] and supervisor.js_errors == []
    finally:
        agent_context.close()
        supervisor_context.close()
