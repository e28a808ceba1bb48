"""Two-factor authentication for agents: when SiteSettings requires it, an
agent without a TOTP authenticator can only reach the pages that set one up."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

from tests.conftest import PASSWORD
from ventanilla.core.models import SiteSettings

ACTIVATE = reverse("mfa_activate_totp")


@pytest.fixture
def require_2fa():
    site = SiteSettings.load()
    site.agents_require_2fa = True
    site.save()


def get_console(client, user):
    client.force_login(user)
    return client.get("/consola/")


def sent_to_2fa_setup(response) -> bool:
    return response.status_code == 302 and response["Location"] == ACTIVATE


@pytest.mark.usefixtures("require_2fa")
def test_an_agent_without_totp_is_sent_to_set_it_up(client, carla):
    assert sent_to_2fa_setup(get_console(client, carla))


@pytest.mark.usefixtures("require_2fa")
@pytest.mark.parametrize("person", ["sofia", "root"])
def test_supervisors_and_admins_without_totp_are_sent_to_set_it_up(client, person, request):
    assert sent_to_2fa_setup(get_console(client, request.getfixturevalue(person)))


@pytest.mark.usefixtures("require_2fa")
def test_an_agent_without_totp_cannot_reach_the_admin_or_the_portal_either(client, carla):
    client.force_login(carla)
    assert sent_to_2fa_setup(client.get("/admin/"))
    assert sent_to_2fa_setup(client.get("/cliente/"))


@pytest.mark.usefixtures("require_2fa")
def test_the_setup_pages_stay_reachable(client, carla):
    client.force_login(carla)
    response = client.get(ACTIVATE)
    assert not sent_to_2fa_setup(response)
    assert response.status_code in (200, 302)
    if response.status_code == 302:  # allauth may ask to re-enter the password first
        assert response["Location"].startswith("/cuenta/")


@pytest.mark.usefixtures("require_2fa")
def test_a_customer_is_never_asked_for_totp(client, alice):
    assert not sent_to_2fa_setup(get_console(client, alice.user))
    assert not sent_to_2fa_setup(client.get("/cliente/"))


@pytest.mark.usefixtures("require_2fa")
def test_an_agent_with_totp_is_let_through(client, carla):
    TOTP.activate(carla, generate_totp_secret())
    response = get_console(client, carla)
    assert not sent_to_2fa_setup(response)
    assert response.status_code == 200


def test_without_the_requirement_an_agent_reaches_the_console(client, carla):
    assert SiteSettings.load().agents_require_2fa is False
    response = get_console(client, carla)
    assert not sent_to_2fa_setup(response)
    assert response.status_code == 200


def test_two_factor_is_required_by_default():
    assert SiteSettings().agents_require_2fa is True


# --- One login: the admin's login page is allauth's ------------------------------

ADMIN_LOGIN = "/admin/login/"


def verified(user):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.get_or_create(user=user, email=user.email,
                                       defaults={"verified": True, "primary": True})
    return user


def test_the_admin_login_page_sends_to_the_one_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2F"


def test_the_admin_login_form_never_logs_in_with_a_password_alone(client, root):
    verified(root)
    TOTP.activate(root, generate_totp_secret())
    response = client.post(f"{ADMIN_LOGIN}?next=/admin/",
                           {"username": root.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_an_admin_with_totp_is_asked_for_the_code_before_the_admin_opens(client, root):
    verified(root)
    secret = generate_totp_secret()
    TOTP.activate(root, secret)
    response = client.post(f"{reverse('account_login')}?next=/admin/",
                           {"login": root.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302  # still logged out

    response = client.post(reverse("mfa_authenticate"), {"code": hotp_now(secret)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_form_cannot_be_brute_forced_and_the_login_limit_holds(client, root):
    verified(root)
    # 25 guesses at the admin's form, then the right password: none is checked.
    for _ in range(25):
        client.post(ADMIN_LOGIN, {"username": root.email, "password": "mala"})
    client.post(ADMIN_LOGIN, {"username": root.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    # The one login counts failures per account.
    for _ in range(5):
        client.post(f"{reverse('account_login')}?next=/admin/",
                    {"login": root.email, "password": "mala"})
    response = client.post(f"{reverse('account_login')}?next=/admin/",
                           {"login": root.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "Demasiados intentos" in response.content.decode()
    assert client.get("/admin/").status_code == 302


def test_a_logged_in_customer_is_refused_the_admin(client, alice):
    client.force_login(alice.user)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403


def hotp_now(secret: str) -> str:
    """The code an authenticator app shows now."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // app_settings.TOTP_PERIOD))


# --- The admin speaks Spanish about two-factor authentication -------------------

def test_the_admin_names_two_factor_authenticators_in_spanish(client, root, carla):
    TOTP.activate(carla, generate_totp_secret())
    client.force_login(root)
    index = client.get("/admin/").text
    assert "Autenticadores (verificación en dos pasos)" in index
    assert "Authenticators" not in index
    changelist = client.get(reverse("admin:mfa_authenticator_changelist")).text
    for header in ("Usuario", "Tipo", "Creado", "Último uso"):
        assert f">{header}<" in changelist, header
    assert "Autenticador TOTP" in changelist and "Carla Soporte" in changelist
    app = client.get(reverse("admin:app_list", args=["mfa"])).text
    assert "Verificación en dos pasos" in app and ">MFA<" not in app
