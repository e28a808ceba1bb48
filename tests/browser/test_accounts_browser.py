import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot

pytestmark = pytest.mark.browser


def test_the_login_page_is_in_spanish_whatever_the_browser_language(browser_context, live_server):
    page = browser_context.new_page()
    page.set_extra_http_headers({"Accept-Language": "en-US,en;q=0.9"})
    page.goto(f"{live_server.url}/cuenta/login/")
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    screenshot(page, "login")


def test_a_visitor_can_switch_the_interface_to_english(browser_context, live_server):
    page = browser_context.new_page()
    page.goto(f"{live_server.url}/cuenta/login/")
    page.get_by_label("Idioma").select_option("en")
    expect(page.get_by_role("heading", name="Sign In")).to_be_visible()


def test_a_wrong_password_gets_a_spanish_error_and_keeps_the_email(browser_context, live_server,
                                                                   alice):
    page = browser_context.new_page()
    page.goto(f"{live_server.url}/cuenta/login/")
    page.get_by_label("Correo electrónico").fill("alice@example.com")
    page.get_by_label("Contraseña").fill("incorrecta")
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_text(re.compile("no son correct|incorrect", re.I))).to_be_visible()
    expect(page.get_by_label("Correo electrónico")).to_have_value("alice@example.com")


def test_pages_load_without_csp_violations(open_session, alice, live_server):
    page = open_session(alice.user)
    page.goto(f"{live_server.url}/cuenta/ajustes/")
    expect(page.get_by_role("heading", name="Mi cuenta")).to_be_visible()
    assert not [e for e in page.js_errors if "Content Security Policy" in e], page.js_errors
