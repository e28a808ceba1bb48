"""Billing events may link their notice only to this site or the provider's
own domains; /cliente/avisos/<id>/ never redirects elsewhere (issue 17 A8)."""

import pytest
from django.urls import reverse

from ventanilla.notifications.links import notice_link_allowed
from ventanilla.notifications.models import Kind, Notification

from ..conftest import PASSWORD
from .conftest import ApiClient


def event(url, event_id="evt_1"):
    return {"id": event_id, "type": "invoice.issued", "customer": {"email": "alice@example.com"},
            "data": {"number": "F-1", "url": url}}


@pytest.fixture
def billing(client, make_key):
    return ApiClient(client, make_key(scopes=["billing_events:write"]))


@pytest.mark.parametrize("url", [
    "https://evil.example.net/login", "//evil.example.net/x", "/\\evil.example.net",
    "javascript:alert(1)", "https://soporte.example.com@evil.example.net/",
    "https://soporte.example.com.evil.net/", "ftp://soporte.example.com/f",
])
def test_the_api_refuses_a_foreign_link_naming_the_field(settings, billing, alice, url):
    settings.SITE_URL = "https://soporte.example.com"
    response = billing.post("/billing-events", event(url))
    assert response.status_code == 422, response.content
    problem = response.json()
    assert problem["code"] == "link_not_allowed"
    assert problem["errors"][0]["field"] == "data.url"
    assert "soporte.example.com" in problem["detail"]
    assert not Notification.objects.exists()


def test_the_old_url_refuses_it_too(settings, client, make_key, alice):
    settings.SITE_URL = "https://soporte.example.com"
    response = client.post("/api/v1/facturacion/eventos/", event("https://evil.example.net/"),
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {make_key()}"})
    assert response.status_code == 422 and "data.url" in response.json()["error"]


def test_by_default_the_site_host_and_its_subdomains_are_allowed(settings, billing, alice):
    settings.SITE_URL = "https://soporte.example.com"
    assert not hasattr(settings, "VENTANILLA_NOTICE_LINK_DOMAINS")
    for n, url in enumerate(["https://soporte.example.com/facturas/1",
                             "https://pagos.soporte.example.com/f/2", "/cliente/servicios/"]):
        assert billing.post("/billing-events", event(url, f"evt_{n}")).status_code == 201
    assert not notice_link_allowed("https://example.com/")


def test_the_setting_lists_the_providers_domains(settings, billing, alice):
    settings.VENTANILLA_NOTICE_LINK_DOMAINS = "hosting.mx, facturas.example.org"
    assert billing.post("/billing-events", event("https://mi.hosting.mx/f/1")).status_code == 201
    assert billing.post("/billing-events", event("https://facturas.example.org/f/1", "e2")
                        ).status_code == 201
    assert billing.post("/billing-events", event("https://example.org/f/1", "e3")).status_code == 422


def test_the_notice_page_does_not_redirect_to_a_stored_foreign_link(settings, client, alice):
    settings.SITE_URL = "https://soporte.example.com"
    # A notice stored before the rule existed, or written by other code.
    bad = Notification.objects.create(customer=alice, kind=Kind.BILLING, title="Factura",
                                      url="https://evil.example.net/login")
    good = Notification.objects.create(customer=alice, kind=Kind.BILLING, title="Factura",
                                       url="https://soporte.example.com/facturas/1")
    client.login(email=alice.email, password=PASSWORD)
    response = client.get(reverse("notifications:open", args=[bad.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
    response = client.get(reverse("notifications:open", args=[good.pk]))
    assert response["Location"] == "https://soporte.example.com/facturas/1"
