"""The Django admin: every page loads, tickets are read-only, the site
settings are a singleton and users are handled by email."""

import pytest
from django.contrib import admin
from django.urls import reverse

from ventanilla.accounts.models import AgentProfile, Customer, User
from ventanilla.core.models import SiteSettings
from ventanilla.tickets import services
from ventanilla.tickets.models import CannedResponse, Category, Status, Ticket

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
OURS = [model for model in REGISTERED if model._meta.app_label in {"accounts", "core", "tickets"}]


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def admin_client(client, root):
    client.force_login(root)
    return client


@pytest.fixture
def data(alice_ticket, billing_ticket, carla, diego, sofia, soporte):
    CannedResponse.objects.create(title="Saludo", body="Hola", department=soporte)
    return alice_ticket


def test_the_admin_is_in_spanish(admin_client):
    response = admin_client.get("/admin/")
    assert response.status_code == 200
    assert "Administración de Ventanilla" in response.text
    assert "Departamentos" in response.text


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_every_list_loads(admin_client, data, model):
    response = admin_client.get(admin_url(model, "changelist"), follow=True)
    assert response.status_code == 200


@pytest.mark.parametrize("model", OURS, ids=lambda m: m._meta.label)
def test_every_change_page_loads(admin_client, data, model):
    obj = model.objects.first()
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("search", ["alice@example.com", "No puedo", "alicia.mx"])
def test_searches_work(admin_client, data, search):
    response = admin_client.get(admin_url(Ticket, "changelist"), {"q": search})
    assert response.status_code == 200
    response = admin_client.get(admin_url(Customer, "changelist"), {"q": search})
    assert response.status_code == 200


def test_the_ticket_list_finds_a_ticket_by_number(admin_client, data):
    response = admin_client.get(admin_url(Ticket, "changelist"), {"q": data.number})
    assert data.subject in response.text


def test_a_ticket_is_read_only_above_all_its_status(admin_client, data):
    url = admin_url(Ticket, "change", data.pk)
    page = admin_client.get(url).text
    assert 'name="status"' not in page
    assert 'name="subject"' not in page
    response = admin_client.post(url, {"status": Status.CLOSED, "subject": "cambiado"})
    assert response.status_code == 403
    data.refresh_from_db()
    assert (data.status, data.subject) == (Status.OPEN, "No puedo enviar correos")


def test_tickets_cannot_be_added_in_the_admin(admin_client):
    assert admin_client.get(admin_url(Ticket, "add")).status_code == 403


def test_the_ticket_page_shows_its_conversation(admin_client, data, carla):
    services.ticket_agent_reply(data, agent=carla, body="Nota secreta", internal=True)
    page = admin_client.get(admin_url(Ticket, "change", data.pk)).text
    assert "Desde ayer falla el envío." in page
    assert "Nota secreta" in page


def test_the_site_settings_are_a_singleton(admin_client):
    site = SiteSettings.load()
    response = admin_client.get(admin_url(SiteSettings, "changelist"))
    assert response.status_code == 302
    assert response["Location"] == admin_url(SiteSettings, "change", site.pk)
    assert admin_client.get(admin_url(SiteSettings, "add")).status_code == 403
    assert admin_client.get(admin_url(SiteSettings, "delete", site.pk)).status_code == 403


def test_the_site_settings_change_the_auto_close_days(admin_client):
    site = SiteSettings.load()
    response = admin_client.post(admin_url(SiteSettings, "change", site.pk), {
        "site_name": "HostMX Soporte", "logo_url": "", "primary_colour": "#1f5fbf",
        "accent_colour": "#0f7b6c", "auto_close_days": "5", "agents_require_2fa": "on",
    })
    assert response.status_code == 302
    site.refresh_from_db()
    assert (site.site_name, site.auto_close_days, site.agents_require_2fa) == (
        "HostMX Soporte", 5, True)


def test_a_user_is_created_with_email_and_password(admin_client):
    response = admin_client.post(admin_url(User, "add"), {
        "email": "Nuevo.Agente@Example.com", "full_name": "Nuevo Agente",
        "usable_password": "true", "password1": "una-clave-muy-segura-9",
        "password2": "una-clave-muy-segura-9",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="nuevo.agente@example.com")
    assert user.check_password("una-clave-muy-segura-9")
    assert not user.is_staff


def test_a_duplicate_email_is_refused(admin_client, alice):
    response = admin_client.post(admin_url(User, "add"), {
        "email": "ALICE@example.com", "usable_password": "true",
        "password1": "una-clave-muy-segura-9", "password2": "una-clave-muy-segura-9",
    })
    assert response.status_code == 200
    assert "Ya existe un usuario con ese correo." in response.text


def test_the_user_page_never_shows_the_password(admin_client, carla):
    page = admin_client.get(admin_url(User, "change", carla.pk)).text
    assert carla.password not in page
    assert carla.password.split("$")[-1] not in page
    assert 'name="password"' not in page


def test_an_agent_profile_is_edited_inline_with_departments(admin_client, alice, soporte,
                                                            facturacion):
    user = alice.user
    response = admin_client.post(admin_url(User, "change", user.pk), {
        "email": user.email, "full_name": user.full_name, "time_zone": user.time_zone,
        "language": user.language, "is_active": "on",
        "agent-TOTAL_FORMS": "1", "agent-INITIAL_FORMS": "0", "agent-MIN_NUM_FORMS": "0",
        "agent-MAX_NUM_FORMS": "1", "agent-0-is_active": "on",
        "agent-0-departments": [str(soporte.pk), str(facturacion.pk)], "agent-0-signature": "",
    })
    assert response.status_code == 302
    profile = AgentProfile.objects.get(user=user)
    assert set(profile.departments.all()) == {soporte, facturacion}
    assert not profile.is_supervisor


def test_categories_can_be_marked_unused_without_deleting_them(admin_client, soporte):
    category = Category.objects.get(department=soporte, name="cPanel")
    response = admin_client.post(admin_url(Category, "changelist"), {
        "action": "mark_unused", "_selected_action": [category.pk],
    })
    assert response.status_code == 302
    category.refresh_from_db()
    assert category.is_active is False


def test_agents_and_customers_cannot_enter_the_admin(client, carla, alice):
    for user in (carla, alice.user):
        client.force_login(user)
        response = client.get("/admin/")
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
