"""A password written in natural phrasing in the chat is hidden in the
sender's own bubble at once, not only after a reload, and in the agent's
console (issue 17, C2). Against a real `ventanilla serve` (WebSockets)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_chat_browser import become_available, logged_in, server  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser


def test_the_customers_own_bubble_shows_the_password_hidden_at_once(chromium, server):  # noqa: F811
    base_url, _tickets = server
    agent_context, agent = logged_in(chromium, base_url, "mateo@example.com")
    customer_context, customer = logged_in(chromium, base_url, "lucia@example.com")
    try:
        agent.goto(f"{base_url}/consola/chat/")
        become_available(agent)
        customer.goto(f"{base_url}/cliente/")
        customer.get_by_role("button", name="Chatear con un agente ahora").click()
        panel = customer.locator("[data-chat-panel]")
        panel.get_by_label("¿Con qué área quieres hablar?").select_option(label="Soporte técnico")
        panel.get_by_label("Tu consulta").fill("No puedo entrar a cPanel")
        panel.get_by_role("button", name="Iniciar chat").click()
        panel.get_by_text("Te atiende Mateo.").wait_for()

        box = panel.get_by_placeholder("Escribe tu mensaje…")
        box.fill("Mi contraseña es Hunter2Pass!")
        box.press("Enter")
        panel.get_by_text("nunca compartas credenciales").wait_for()
        own = panel.locator(".chatw__msg--own .chatw__body").last
        own.get_by_text("Mi contraseña es [dato sensible oculto]").wait_for()
        # Acknowledged, it reads «Tú · 15:57» like every other bubble, not a bare «Tú».
        who = panel.locator(".chatw__msg--own .chatw__who").last
        expect(who).to_have_text(re.compile(r"^Tú · \d"))
        assert "Hunter2Pass" not in panel.inner_text()
        assert "Hunter2Pass" not in customer.evaluate("JSON.stringify(sessionStorage)")
        pane = agent.locator(".chatc__pane:visible")
        pane.get_by_text("Mi contraseña es [dato sensible oculto]").wait_for()
        assert "Hunter2Pass" not in agent.content()
        screenshot(customer, "chat-password-hidden-at-once")
        assert customer.js_errors == [] and agent.js_errors == []
    finally:
        agent_context.close()
        customer_context.close()
