"""GET /api/v1/customers and /api/v1/services: what the integration knows,
filtered, oldest change first, with a cursor."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from ventanilla.accounts.models import Customer, Service

from .conftest import ApiClient


@pytest.fixture
def synced(api):
    """Five customers with a service each, changed one day apart."""
    start = timezone.now() - timedelta(days=10)
    for i in range(5):
        with time_machine.travel(start + timedelta(days=i), tick=False):
            r = api.put(f"/customers/C-{i}", {"name": f"Cliente {i}", "email": f"c{i}@example.com"})
            assert r.status_code == 201, r.content
            r = api.put(f"/services/S-{i}", {
                "customer": f"C-{i}", "type": "vps" if i % 2 else "dominio", "name": f"Serv {i}",
                "order_number": f"10{i}", "status": "suspendido" if i == 4 else "activo"})
            assert r.status_code == 201, r.content
    return start


def _all_pages(api, path, **params):
    seen, cursor = [], None
    while True:
        r = api.get(path, **params, **({"cursor": cursor} if cursor else {}))
        assert r.status_code == 200, r.content
        seen += [item["external_id"] for item in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return seen


def test_customers_page_with_a_cursor_oldest_change_first(api, synced):
    assert _all_pages(api, "/customers", limit=2) == [f"C-{i}" for i in range(5)]
    item = api.get("/customers", external_id="C-3").json()["items"]
    assert [(c["external_id"], c["email"]) for c in item] == [("C-3", "c3@example.com")]
    assert api.get("/customers", email="C2@EXAMPLE.com").json()["items"][0]["external_id"] == "C-2"
    since = (synced + timedelta(days=3)).isoformat()
    assert _all_pages(api, "/customers", updated_since=since) == ["C-3", "C-4"]
    # An update moves the customer to the end: the next sync picks it up.
    api.put("/customers/C-0", {"name": "Cliente cero", "email": "c0@example.com"})
    assert _all_pages(api, "/customers", updated_since=since) == ["C-3", "C-4", "C-0"]


def test_services_filter_by_customer_type_status_and_date(api, synced):
    assert _all_pages(api, "/services", limit=3) == [f"S-{i}" for i in range(5)]
    assert _all_pages(api, "/services", type="vps") == ["S-1", "S-3"]
    assert _all_pages(api, "/services", status="suspendido") == ["S-4"]
    assert _all_pages(api, "/services", customer="C-2") == ["S-2"]
    assert _all_pages(api, "/services", external_id="S-0") == ["S-0"]
    items = api.get("/services", customer="C-1").json()["items"]
    assert items[0]["customer"] == "C-1" and items[0]["type"] == "vps"
    since = (synced + timedelta(days=4)).isoformat()
    assert _all_pages(api, "/services", updated_since=since) == ["S-4"]
    assert api.get("/services", type="nave").status_code == 200  # unknown value: nothing
    assert api.get("/services", limit=0).status_code == 422


def test_lists_show_only_what_the_integration_knows(api, synced, client, sofia, alice):
    """alice exists but has no external id here; another integration sees none."""
    assert "alice@example.com" not in [c["email"] for c in api.get("/customers").json()["items"]]
    from ventanilla.integrations.models import Integration
    from ventanilla.integrations.services import api_key_create

    other = Integration.objects.create(name="Blesta", slug="blesta", agent=sofia)
    _key, raw = api_key_create(other, name="k", scopes=["customers:read", "services:read"])
    blesta = ApiClient(client, raw)
    assert blesta.get("/customers").json() == {"items": [], "next_cursor": None}
    assert blesta.get("/services", customer="C-1").json()["items"] == []


def test_lists_need_the_read_scope(client, make_key, synced):
    limited = ApiClient(client, make_key(scopes=["customers:write", "services:write"]))
    for path in ("/customers", "/services"):
        r = limited.get(path)
        assert r.status_code == 403 and r.json()["code"] == "insufficient_scope"


def test_a_tampered_cursor_starts_over(api, synced):
    assert api.get("/customers", cursor="no-es-un-cursor").status_code == 200


def test_a_page_runs_a_bounded_number_of_queries(api, synced, django_assert_max_num_queries):
    for customer in Customer.objects.all():
        customer.notification_addresses.create(kind="facturacion", email=f"f{customer.pk}@example.com",
                                              token=f"t{customer.pk}")
    with django_assert_max_num_queries(10):
        r = api.get("/customers", limit=5)
    assert len(r.json()["items"]) == 5
    assert all(len(c["notification_addresses"]) == 1 for c in r.json()["items"])
    with django_assert_max_num_queries(10):
        assert len(api.get("/services", limit=5).json()["items"]) == Service.objects.count()


@pytest.mark.parametrize("path", ["/customers", "/services"])
def test_updated_since_with_any_iso_offset_is_an_answer_not_an_error(api, synced, path):
    """ISO 8601 allows offsets PostgreSQL refuses (-21:12) and instants that do
    not exist in UTC: the first is converted, the second is a Spanish 422."""
    moment = synced + timedelta(days=3)
    far_offset = moment.astimezone(timezone.get_fixed_timezone(-(21 * 60 + 12)))
    assert len(_all_pages(api, path, updated_since=far_offset.isoformat())) == 2
    assert _all_pages(api, path, updated_since="0114-12-02T13:55:30-21:12") == [
        f"{path[1].upper()}-{i}" for i in range(5)]
    r = api.get(path, updated_since="0001-01-01T00:00:00+23:00")
    assert r.status_code == 422
    assert r.json()["errors"][0]["message"] == "La fecha está fuera del rango admitido."
