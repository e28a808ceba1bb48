"""Billing events as a REST API resource (/api/v1/billing-events), the older
/api/v1/facturacion/eventos/ with the same keys, and notifications 0002,
which turned the old billing keys into integrations API keys."""

import hashlib
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from ventanilla.integrations.models import ApiCall, ApiKey, ExternalRef, Integration
from ventanilla.notifications.models import BillingEvent, Kind, Notification

from .conftest import ApiClient

EVENT = {"id": "evt_1", "type": "invoice.issued", "customer": {"email": "ALICE@example.com"},
         "data": {"number": "F-2025-001", "amount": "499.00", "currency": "MXN",
                  "url": "https://facturacion.example.com/f/1"}}
LEGACY = "/api/v1/facturacion/eventos/"


@pytest.fixture(autouse=True)
def _billing_site_is_ours(settings):
    # The fixtures' billing system lives at facturacion.example.com: one of
    # the provider's domains (notice links are limited to them).
    settings.VENTANILLA_NOTICE_LINK_DOMAINS = "example.com"


@pytest.fixture
def billing(client, make_key):
    return ApiClient(client, make_key(scopes=["billing_events:write", "billing_events:read"]))


def test_an_event_becomes_one_billing_notification(billing, alice, mailoutbox,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = billing.post("/billing-events", EVENT)
    assert r.status_code == 201, r.content
    assert r.json()["id"] == "evt_1" and r.json()["created"] is True
    notification = Notification.objects.get()
    assert notification.customer == alice and notification.kind == Kind.BILLING
    assert notification.title == "Nueva factura F-2025-001"
    assert "499.00 MXN" in notification.body
    assert notification.url == "https://facturacion.example.com/f/1"
    assert mailoutbox[0].to == ["alice@example.com"]
    # The billing system's retry (same event id, no Idempotency-Key): stored once.
    again = billing.post("/billing-events", EVENT)
    assert again.status_code == 200 and again.json()["created"] is False
    assert Notification.objects.count() == 1 and BillingEvent.objects.count() == 1
    assert billing.get("/billing-events/evt_1").json()["type"] == "invoice.issued"


def test_the_same_notification_through_the_old_url_and_the_new_one(billing, client, alice):
    r_old = client.post(LEGACY, json.dumps(EVENT), content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {billing.key}")
    assert r_old.status_code == 201 and r_old.json() == {"id": "evt_1", "created": True}
    r_new = billing.post("/billing-events", {**EVENT, "id": "evt_2"})
    assert r_new.status_code == 201
    old, new = Notification.objects.order_by("id")
    assert (old.kind, old.title, old.body, old.url) == (new.kind, new.title, new.body, new.url)
    # The old URL dedups against events received by the new one, and both are logged.
    r = client.post(LEGACY, json.dumps({**EVENT, "id": "evt_2"}), content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {billing.key}")
    assert r.status_code == 200 and r.json() == {"id": "evt_2", "created": False}
    routes = list(ApiCall.objects.order_by("id").values_list("route", "status"))
    assert routes == [("/api/v1/facturacion/eventos/", 201), ("/api/v1/billing-events", 201),
                      ("/api/v1/facturacion/eventos/", 200)]


def test_an_idempotent_retry_replays_the_first_answer(billing, alice):
    headers = {"Idempotency-Key": "factura-1"}
    first = billing.post("/billing-events", EVENT, headers=headers)
    retry = billing.post("/billing-events", EVENT, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert first.json() == retry.json()
    assert Notification.objects.count() == 1
    other = billing.post("/billing-events", {**EVENT, "id": "evt_9"}, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


@pytest.mark.parametrize("body,field", [
    ({**EVENT, "type": "invoice.paid"}, "type"),
    ({**EVENT, "id": ""}, "id"),
    ({**EVENT, "customer": {"email": "nadie@example.com"}}, "customer"),
    ({**EVENT, "customer": {}}, "customer"),
    ({**EVENT, "data": [1]}, "data"),
])
def test_a_bad_event_is_a_problem_naming_the_field(billing, alice, body, field):
    r = billing.post("/billing-events", body)
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert field in [e["field"].split(".")[0] for e in r.json()["errors"]], r.json()
    assert not Notification.objects.exists()


def test_the_customer_is_found_by_the_integrations_external_id(billing, alice, bob, whmcs):
    ExternalRef.objects.create(integration=whmcs, kind=ExternalRef.Kind.CUSTOMER,
                               external_id="C-7", object_id=bob.pk)
    r = billing.post("/billing-events", {**EVENT, "customer": {"external_id": "C-7"}})
    assert r.status_code == 201
    assert Notification.objects.get().customer == bob


def test_keys_need_the_billing_scope_on_both_urls(client, make_key, alice):
    other = ApiClient(client, make_key(scopes=["tickets:write", "customers:write"]))
    r = other.post("/billing-events", EVENT)
    assert r.status_code == 403 and r.json()["code"] == "insufficient_scope"
    r = client.post(LEGACY, json.dumps(EVENT), content_type="application/json",
                    HTTP_AUTHORIZATION=f"Bearer {other.key}")
    assert r.status_code == 403 and r.json()["error"]
    assert not Notification.objects.exists()


def test_events_of_one_integration_are_not_visible_to_another(billing, client, alice, sofia):
    from ventanilla.integrations.services import api_key_create

    assert billing.post("/billing-events", EVENT).status_code == 201
    blesta = Integration.objects.create(name="Blesta", slug="blesta", agent=sofia)
    _key, raw = api_key_create(blesta, name="k", scopes=["billing_events:read",
                                                         "billing_events:write"])
    assert ApiClient(client, raw).get("/billing-events/evt_1").status_code == 404
    # Its own event with the same id is a different event.
    assert ApiClient(client, raw).post("/billing-events", EVENT).status_code == 201
    assert BillingEvent.objects.count() == 2


def test_the_old_url_is_rate_limited_like_the_api(client, make_key, alice):
    raw = make_key(scopes=["billing_events:write"], rate="1/m")
    post = lambda: client.post(LEGACY, json.dumps(EVENT), content_type="application/json",  # noqa: E731
                               HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert [post().status_code, post().status_code] == [201, 429]


# --- notifications 0002: the old keys become integrations API keys ----------------

OLD = [("notifications", "0001_initial")]


def _migrate_notifications_back():
    """notifications back to 0001 (everything else as it is); the historical
    models of that state."""
    executor = MigrationExecutor(connection)
    executor.migrate(OLD)
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "notifications"]
    return executor.loader.project_state(others + OLD).apps


@pytest.mark.django_db(transaction=True)
def test_keys_of_the_old_model_still_authenticate_after_the_migration(client):
    old_apps = _migrate_notifications_back()
    BillingIntegration = old_apps.get_model("notifications", "BillingIntegration")
    OldEvent = old_apps.get_model("notifications", "BillingEvent")
    OldCustomer = old_apps.get_model("accounts", "Customer")
    OldIntegration = old_apps.get_model("integrations", "Integration")
    OldApiKey = old_apps.get_model("integrations", "ApiKey")
    raw, revoked_raw = "vtb_1a2b3c4d_secreto-largo", "vtb_99999999_otro-secreto"
    sha = lambda text: hashlib.sha256(text.encode()).hexdigest()  # noqa: E731
    # An integration of the same name already exists for the REST API, and one
    # of its keys already holds the old key's prefix.
    existing = OldIntegration.objects.create(name="WHMCS", slug="whmcs")
    OldApiKey.objects.create(integration=existing, name="api", prefix="1a2b3c4d",
                             key_hash=sha("vt_1a2b3c4d_x"), scopes=["tickets:read"])
    whmcs = BillingIntegration.objects.create(name="WHMCS", key_prefix="1a2b3c4d",
                                              key_hash=sha(raw))
    BillingIntegration.objects.create(name="Blesta viejo", key_prefix="99999999",
                                      key_hash=sha(revoked_raw), is_active=False)
    customer = OldCustomer.objects.create(name="Alicia", email="alice@example.com")
    OldEvent.objects.create(integration=whmcs, external_id="evt_old", type="invoice.issued",
                            customer=customer, payload={})

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    key = ApiKey.objects.get(key_hash=sha(raw))
    assert key.integration.name == "WHMCS" and key.scopes == ["billing_events:write"]
    assert key.prefix != "1a2b3c4d" and key.revoked_at is None
    assert Integration.objects.filter(name="WHMCS").count() == 1
    assert ApiKey.objects.get(key_hash=sha(revoked_raw)).revoked_at is not None
    assert BillingEvent.objects.get().integration == key.integration

    def post(token, body):
        return client.post(LEGACY, json.dumps(body), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {token}")

    # The event received before the migration is still deduplicated...
    event = {**EVENT, "id": "evt_old"}
    assert post(raw, event).json() == {"id": "evt_old", "created": False}
    # ...a new one goes through, on the old URL and on the new one...
    assert post(raw, {**EVENT, "id": "evt_new"}).status_code == 201
    r = ApiClient(client, raw).post("/billing-events", {**EVENT, "id": "evt_newer"})
    assert r.status_code == 201, r.content
    # ...and the key of the disabled integration stays refused.
    assert post(revoked_raw, {**EVENT, "id": "evt_x"}).status_code == 401
    assert Notification.objects.count() == 2
    assert ApiKey.objects.get(key_hash=sha(raw)).last_used_at <= timezone.now()
