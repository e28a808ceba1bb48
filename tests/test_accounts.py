import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.urls import reverse

import ventanilla
from tests.conftest import PASSWORD
from tests.test_mail_outbound import (  # noqa: F401  (fixtures)
    START,
    _empty_job_schedule,
    run_due_jobs,
    smtp_down,
)
from ventanilla.accounts.models import Customer, User
from ventanilla.mail.models import OutboundEmail


def test_signing_up_creates_a_customer_account_after_email_verification(
        client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_signup"), {
            "email": "nuevo@example.com", "full_name": "Nuevo Cliente",
            "password1": "una-clave-larga-9", "password2": "una-clave-larga-9",
        })
    assert response.status_code == 302
    user = User.objects.get(email="nuevo@example.com")
    assert user.full_name == "Nuevo Cliente"
    customer = Customer.objects.get(email="nuevo@example.com")
    assert customer.user == user
    # Mandatory verification: the user cannot log in before confirming.
    assert not EmailAddress.objects.get(user=user).verified
    link = re.search(r"https?://\S+/cuenta/confirm-email/\S+/", mailoutbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]
    client.post(path)
    assert EmailAddress.objects.get(user=user).verified


def test_signing_up_links_the_customer_the_billing_system_already_had(client):
    Customer.objects.create(name="Sincronizado", email="sync@example.com")
    client.post(reverse("account_signup"), {
        "email": "sync@example.com", "full_name": "Sin Cronizado",
        "password1": "una-clave-larga-9", "password2": "una-clave-larga-9",
    })
    assert Customer.objects.get(email="sync@example.com").user.email == "sync@example.com"
    assert Customer.objects.count() == 1


def test_the_signup_form_keeps_what_was_typed_on_error(client):
    response = client.post(reverse("account_signup"), {
        "email": "otro@example.com", "full_name": "Otra Persona",
        "password1": "una-clave-larga-9", "password2": "distinta-clave-10",
    })
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="otro@example.com"' in content
    assert 'value="Otra Persona"' in content


def test_repeated_failed_logins_are_rate_limited(client, alice):
    EmailAddress.objects.create(user=alice.user, email=alice.email, verified=True, primary=True)
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "alice@example.com", "password": "mala"})
    # Even the right password is refused until the window passes.
    response = client.post(reverse("account_login"),
                           {"login": "alice@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Demasiados intentos" in response.content.decode()


def test_account_settings_change_name_time_zone_and_language(client, alice):
    client.force_login(alice.user)
    response = client.post(reverse("account_settings"), {
        "full_name": "Alicia P.", "time_zone": "Europe/Madrid", "language": "en",
    })
    assert response.status_code == 302
    alice.user.refresh_from_db()
    assert (alice.user.full_name, alice.user.time_zone, alice.user.language) == (
        "Alicia P.", "Europe/Madrid", "en")
    page = client.get(reverse("account_settings"))
    assert page["Content-Language"] == "en"


def test_account_settings_reject_an_unknown_time_zone_in_spanish(client, alice):
    client.force_login(alice.user)
    response = client.post(reverse("account_settings"), {
        "full_name": "Alicia", "time_zone": "Marte/Olympus", "language": "es",
    })
    assert response.status_code == 200
    assert "Elige una opción válida" in response.content.decode()


def test_pages_are_spanish_even_when_the_browser_asks_for_english(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "es"
    assert "Iniciar sesión" in response.content.decode()


def test_every_page_sends_a_strict_content_security_policy(client):
    response = client.get(reverse("account_login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"


def test_forms_are_csrf_protected(alice):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("account_login"),
                           {"login": "alice@example.com", "password": "x"})
    assert response.status_code == 403


def test_the_health_page_is_public_and_trivial(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200 and response.content == b"ok"


def test_a_verified_customer_logs_in_by_email(client, alice):
    EmailAddress.objects.create(user=alice.user, email=alice.email, verified=True, primary=True)
    client.post(reverse("account_login"), {"login": "ALICE@example.com", "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(alice.user.pk)


# --- allauth's emails go through the outbound queue ------------------------------

def test_signing_up_while_the_mail_server_is_down_answers_and_the_email_follows(
        client, smtp_down, django_capture_on_commit_callbacks):  # noqa: F811
    with time_machine.travel(START, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("account_signup"), {
                "email": "nuevo@example.com", "full_name": "Nuevo Cliente",
                "password1": "una-clave-larga-9", "password2": "una-clave-larga-9",
            })
        assert response.status_code == 302
        user = User.objects.get(email="nuevo@example.com")
        email = OutboundEmail.objects.get(to="nuevo@example.com")
        assert (email.kind, email.status, email.attempts) == (
            "auth:email_confirmation_signup", "pendiente", 1)
        assert "Connection refused" in email.last_error or "ConnectionRefused" in email.last_error

        recorder = smtp_down.start()
        clock.shift(timedelta(seconds=60))
        assert run_due_jobs() == 1
        email.refresh_from_db()
        assert email.status == "enviado"
        [message] = recorder.messages
        assert message.recipients == ["nuevo@example.com"]
        assert message["Auto-Submitted"] == "auto-generated"
        body = message.get_body(("plain",)).get_content()
        link = re.search(r"https?://\S+/cuenta/confirm-email/\S+/", body).group(0)
        client.post(link.split("testserver", 1)[-1])  # within the link's 3 days
    assert EmailAddress.objects.get(user=user).verified


def test_a_password_reset_while_the_mail_server_is_down_answers_and_the_email_follows(
        client, smtp_down, alice, django_capture_on_commit_callbacks):  # noqa: F811
    EmailAddress.objects.create(user=alice.user, email=alice.email, verified=True, primary=True)
    with time_machine.travel(START, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("account_reset_password"), {"email": alice.email})
        assert response.status_code == 302
        email = OutboundEmail.objects.get(to=alice.email)
        assert (email.kind, email.status) == ("auth:password_reset_key", "pendiente")

        recorder = smtp_down.start()
        clock.shift(timedelta(seconds=60))
        assert run_due_jobs() == 1
        clock.shift(timedelta(seconds=120))
        assert run_due_jobs() == 0  # sent once, nothing left to retry
    [message] = recorder.messages
    assert message["Message-ID"] == email.message_id
    assert "/cuenta/password/reset/key/" in message.get_body(("plain",)).get_content()


def test_the_admin_does_not_show_the_text_of_account_emails(
        client, root, alice, mailoutbox, django_capture_on_commit_callbacks):
    EmailAddress.objects.create(user=alice.user, email=alice.email, verified=True, primary=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": alice.email})
    email = OutboundEmail.objects.get(to=alice.email)
    assert email.status == "enviado"
    key_link = re.search(r"/cuenta/password/reset/key/\S+/", mailoutbox[0].body).group(0)
    client.force_login(root)
    page = client.get(reverse("admin:mail_outboundemail_change", args=[email.pk]))
    assert page.status_code == 200
    assert alice.email in page.text
    assert key_link not in page.text


# --- Tú everywhere, allauth's pages and emails included ---------------------------

# Words that only the «usted» form uses on these pages.
USTED = re.compile(
    r"\b(usted|ustedes|su|sus|desea|ingrese|introduzca|escriba|confirme|verifique|siga|haga|"
    r"compruebe|póngase|contáctenos|regístrese|inicie|solicite|emita|vuelva|reconoce|escanee|"
    r"inténtelo|utilice|escoja|elija|seleccione|asegúrese|olvidó|ha olvidado|le hemos)\b", re.I)


def visible_text(response) -> str:
    main = response.content.decode().split("<main", 1)[-1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_allauth_pages_speak_as_tu(client, alice):
    EmailAddress.objects.create(user=alice.user, email=alice.email, verified=True, primary=True)
    anonymous = ["account_login", "account_signup", "account_reset_password",
                 "account_reset_password_done", "account_email_verification_sent"]
    pages = {name: client.get(reverse(name)) for name in anonymous}
    pages["confirm-email (expired)"] = client.get(reverse("account_confirm_email", args=["x"]))
    client.force_login(alice.user)
    for name in ["account_email", "account_change_password", "mfa_index", "account_reauthenticate"]:
        pages[name] = client.get(reverse(name))
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert not USTED.findall(visible_text(response)), (name, USTED.findall(visible_text(response)))
    assert "¿Olvidaste tu contraseña?" in visible_text(pages["account_login"])
    assert "¿Ya tienes una cuenta?" in visible_text(pages["account_signup"])


def test_a_wrong_password_is_told_as_tu(client, alice):
    EmailAddress.objects.create(user=alice.user, email=alice.email, verified=True, primary=True)
    response = client.post(reverse("account_login"), {"login": alice.email, "password": "mala"})
    assert "El correo electrónico o la contraseña que escribiste no son correctos." in response.text


def test_allauth_emails_speak_as_tu(client, alice, mailoutbox, django_capture_on_commit_callbacks):
    EmailAddress.objects.create(user=alice.user, email=alice.email, verified=True, primary=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": alice.email})
        client.post(reverse("account_signup"), {
            "email": "nuevo@example.com", "full_name": "Nuevo Cliente",
            "password1": "una-clave-larga-9", "password2": "una-clave-larga-9"})
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert not USTED.findall(message.subject + " " + message.body), USTED.findall(message.body)
    assert "Recibes este correo porque tú u otra persona" in mailoutbox[0].body


def test_allauth_pages_stay_english_for_who_chose_english(client):
    client.cookies["django_language"] = "en"
    page = client.get(reverse("account_login"))
    assert "Forgot your password?" in page.text and "Olvidaste" not in page.text


# --- One password rule: 12 characters, shown at sign-up -------------------------

def test_sign_up_shows_the_password_rule_the_help_centre_gives(client):
    page = visible_text(client.get(reverse("account_signup")))
    assert "Tu contraseña debe tener al menos 12 caracteres." in page
    article = Path(ventanilla.__file__).parent / "kb/demo_articles/no-puedo-iniciar-sesion.md"
    assert "al menos 12 caracteres" in article.read_text(encoding="utf-8")


def test_a_password_shorter_than_12_is_refused_in_spanish_keeping_what_was_typed(client):
    response = client.post(reverse("account_signup"), {
        "email": "corta@example.com", "full_name": "Clave Corta",
        "password1": "clave-11-ch", "password2": "clave-11-ch",
    })
    assert response.status_code == 200
    assert not User.objects.filter(email="corta@example.com").exists()
    assert "La contraseña es demasiado corta. Debe contener por lo menos 12 caracteres." in response.text
    assert 'value="corta@example.com"' in response.text and 'value="Clave Corta"' in response.text


# --- The account pages keep the client area's (or the console's) menu -----------

ACCOUNT_PAGES = ["account_settings", "mail:addresses", "account_email", "account_change_password",
                 "mfa_index", "chat:start"]


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_a_customers_account_pages_keep_the_client_area_menu(client, alice, name):
    client.force_login(alice.user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    nav = response.text.split('class="topnav"', 1)[1].split("</nav>", 1)[0]
    for link in ("portal:dashboard", "portal:ticket_new", "portal:ticket_list"):
        assert f'href="{reverse(link)}"' in nav, link
    assert "Área de cliente" in response.text


@pytest.mark.parametrize("name", ["account_settings", "account_change_password", "mfa_index"])
def test_an_agents_account_pages_keep_the_console_menu(client, carla, name):
    client.force_login(carla)
    response = client.get(reverse(name))
    nav = response.text.split('class="topnav"', 1)[1].split("</nav>", 1)[0]
    assert f'href="{reverse("console:queue")}"' in nav
    assert 'href="/cliente/"' not in nav


def test_a_visitor_sees_the_login_in_the_public_frame(client):
    response = client.get(reverse("account_login"))
    nav = response.text.split('class="topnav"', 1)[1].split("</nav>", 1)[0]
    assert "/cliente/" not in nav and "/consola/" not in nav


# --- One time-zone list: likely zones first, canonical names only -----------------

def select_options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.findall(r'<option value="([^"]*)"', select)


def test_the_time_zone_list_starts_with_our_customers_zones_and_has_no_aliases(client, alice):
    client.force_login(alice.user)
    html = client.get(reverse("account_settings")).text
    zones = select_options(html, "time_zone")
    likely = zones[:zones.index("Etc/UTC")]
    for zone in ("America/Mexico_City", "Europe/Madrid", "America/Bogota",
                 "America/Argentina/Buenos_Aires", "America/Santiago", "America/Lima",
                 "America/New_York"):
        assert zone in likely
    assert 'label="Frecuentes"' in html and "México (centro) · America/Mexico_City" in html
    for alias in ("Africa/Asmera", "America/Atka", "US/Eastern", "America/Buenos_Aires",
                  "Asia/Calcutta", "Europe/Kiev", "Mexico/General"):
        assert alias not in zones
    assert len(zones) == len(set(zones)) and 300 < len(zones) < 450


def test_the_alta_form_uses_the_same_time_zone_list(client, alice):
    client.force_login(alice.user)
    settings_zones = select_options(client.get(reverse("account_settings")).text, "time_zone")
    alta_zones = select_options(client.get(reverse("portal:ticket_new")).text,
                                "incident_time_zone")
    assert alta_zones == settings_zones


def test_a_zone_saved_under_an_old_alias_shows_as_its_zone_and_saves(client, alice):
    alice.user.time_zone = "America/Buenos_Aires"
    alice.user.save(update_fields=["time_zone"])
    client.force_login(alice.user)
    html = client.get(reverse("account_settings")).text
    assert '<option value="America/Argentina/Buenos_Aires" selected>' in html
    response = client.post(reverse("account_settings"), {
        "full_name": "Alicia", "time_zone": "America/Argentina/Buenos_Aires", "language": "es"})
    assert response.status_code == 302
    alice.user.refresh_from_db()
    assert alice.user.time_zone == "America/Argentina/Buenos_Aires"


def test_the_admin_picks_time_zones_from_the_same_list(client, root, alice):
    client.force_login(root)
    html = client.get(reverse("admin:accounts_customer_change", args=[alice.pk])).text
    zones = [zone for zone in select_options(html, "time_zone") if zone]
    assert "America/Atka" not in zones and zones[0] == "America/Mexico_City"


def test_allauth_emails_carry_the_sites_name_not_the_request_host(
        client, alice, mailoutbox, django_capture_on_commit_callbacks, settings):
    from ventanilla.core.models import SiteSettings

    site = SiteSettings.load()
    site.site_name = "Hosting Ejemplo"
    site.save()
    settings.SITE_URL = "https://soporte.hosting.test"
    EmailAddress.objects.create(user=alice.user, email=alice.email, verified=True, primary=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": alice.email})
    [message] = mailoutbox
    assert message.subject.startswith("[Hosting Ejemplo] ")
    assert "Te escribimos desde Hosting Ejemplo." in message.body
    assert "soporte.hosting.test" in message.body and "testserver\n" not in message.body
