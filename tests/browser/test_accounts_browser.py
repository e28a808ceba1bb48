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


def test_remember_me_sits_beside_its_checkbox(browser_context, live_server):
    page = browser_context.new_page()
    page.goto(f"{live_server.url}/cuenta/login/")
    checkbox = page.get_by_label("Recordarme")
    expect(checkbox).to_be_visible()
    box = checkbox.bounding_box()
    text = page.get_by_text("Recordarme", exact=True).bounding_box()
    assert abs((box["y"] + box["height"] / 2) - (text["y"] + text["height"] / 2)) < 8
    # The label's words run on to the right of the box, on the same line.
    assert box["x"] + box["width"] + 40 < text["x"] + text["width"]
    assert text["height"] < 2 * box["height"] + 8
    screenshot(page, "login-remember-me")


def test_sign_up_shows_the_password_rule_and_speaks_as_tu(browser_context, live_server):
    page = browser_context.new_page()
    page.goto(f"{live_server.url}/cuenta/signup/")
    expect(page.get_by_text("¿Ya tienes una cuenta?")).to_be_visible()
    expect(page.get_by_text("Tu contraseña debe tener al menos 12 caracteres.")).to_be_visible()
    page.get_by_label("Correo electrónico").fill("nueva@example.com")
    page.get_by_label("Nombre completo").fill("Nueva Clienta")
    page.get_by_label("Contraseña", exact=True).fill("corta-11-ch")
    page.get_by_label("Contraseña (de nuevo)").fill("corta-11-ch")
    page.get_by_role("button", name="Registrarse").click()
    expect(page.get_by_text("Debe contener por lo menos 12 caracteres")).to_be_visible()
    expect(page.get_by_label("Correo electrónico")).to_have_value("nueva@example.com")
    expect(page.get_by_label("Nombre completo")).to_have_value("Nueva Clienta")
    screenshot(page, "signup-password-rule")


def test_a_customers_account_pages_keep_the_client_area_menu(open_session, alice, live_server):
    page = open_session(alice.user)
    for path in ("/cuenta/ajustes/", "/cuenta/correos/", "/cuenta/password/change/"):
        page.goto(f"{live_server.url}{path}")
        nav = page.get_by_role("navigation", name="Navegación principal")
        expect(nav.get_by_role("link", name="Historial de tickets")).to_be_visible()
        expect(nav.get_by_role("link", name="Abrir ticket")).to_be_visible()
    page.goto(f"{live_server.url}/cuenta/correos/")
    expect(page.get_by_role("heading", name="Direcciones de notificación", level=1)).to_be_visible()
    crumbs = page.get_by_role("navigation", name="Ruta de navegación")
    expect(crumbs.get_by_role("link", name="Mi cuenta")).to_be_visible()
    expect(crumbs.get_by_text("Direcciones de notificación")).to_be_visible()
    screenshot(page, "notification-addresses")


def test_the_time_zone_list_offers_the_likely_zones_first(open_session, alice, live_server):
    page = open_session(alice.user)
    page.goto(f"{live_server.url}/cuenta/ajustes/")
    select = page.get_by_label("Zona horaria")
    first_group = select.locator("optgroup").first
    expect(first_group).to_have_attribute("label", "Frecuentes")
    select.select_option("Europe/Madrid")
    page.get_by_role("button", name="Guardar").click()
    expect(page.get_by_text("Guardamos tus ajustes.")).to_be_visible()
    expect(page.get_by_label("Zona horaria")).to_have_value("Europe/Madrid")
    assert page.locator("option[value='America/Atka']").count() == 0


def test_the_admin_login_is_the_one_login_with_its_second_step(browser_context, live_server,
                                                                root):
    from allauth.account.models import EmailAddress
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.conftest import PASSWORD
    from tests.test_two_factor import hotp_now

    EmailAddress.objects.create(user=root, email=root.email, verified=True, primary=True)
    secret = generate_totp_secret()
    TOTP.activate(root, secret)
    page = browser_context.new_page()
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Iniciar sesión")).to_be_visible()
    assert "/cuenta/login/" in page.url
    page.get_by_label("Correo electrónico").fill(root.email)
    page.get_by_label("Contraseña").fill(PASSWORD)
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_text("Tu cuenta está protegida con la verificación en dos pasos")).to_be_visible()
    screenshot(page, "admin-login-second-step")
    page.get_by_label("Código").fill(hotp_now(secret))
    page.get_by_role("button", name="Iniciar sesión").click()
    expect(page.get_by_role("heading", name="Configuración")).to_be_visible()
    assert page.url.endswith("/admin/")
