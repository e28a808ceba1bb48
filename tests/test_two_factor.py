"""Two-factor authentication for agents: when SiteSettings requires it, an
agent without a TOTP authenticator can only reach the pages that set one up."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.urls import reverse

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
