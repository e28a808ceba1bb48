"""The notification center: the bell and its list, read marks, email per
kind by the customer's choice, and billing events from the billing system."""

import hashlib
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from ventanilla.integrations.models import ApiKey, Integration
from ventanilla.integrations.services import api_key_create
from ventanilla.mail.models import NotificationAddress
from ventanilla.notifications import services
from ventanilla.notifications.models import BillingEvent, Kind, Notification
from ventanilla.tickets import services as ticket_services

LIST = reverse("notifications:list")
EVENTS = reverse("integrations:billing_events")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def _commit(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return _commit


def notice(customer, kind=Kind.BILLING, title="Nueva factura F-1"):
    return services.notify([customer.pk], kind=kind, text=lambda: (title, "Detalle"))[0]


def test_the_bell_counts_unread_notices_and_the_list_marks_them_read(client, alice, bob):
    notice(alice)
    notice(alice, Kind.ABUSE, "Aviso de seguridad")
    notice(bob, title="De Bob")
    client.force_login(alice.user)
    page = client.get("/cliente/").content.decode()
    assert 'class="bell bell--unread"' in page and '<span class="bell__count"' in page
    listing = client.get(LIST).content.decode()
    assert "Nueva factura F-1" in listing and "Aviso de seguridad" in listing and "De Bob" not in listing
    first = Notification.objects.filter(customer=alice).first()
    client.post(reverse("notifications:read"), {"ids": [first.pk]})
    assert Notification.objects.filter(customer=alice, read_at__isnull=True).count() == 1
    client.post(reverse("notifications:read"))
    assert not Notification.objects.filter(customer=alice, read_at__isnull=True).exists()
    assert Notification.objects.filter(customer=bob, read_at__isnull=True).count() == 1
    assert "bell--unread" not in client.get("/cliente/").content.decode()


def test_a_customer_cannot_open_anothers_notification(client, alice, bob):
    theirs = notice(bob)
    client.force_login(alice.user)
    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_email_goes_per_kind_to_the_registered_and_that_kinds_confirmed_addresses(
        alice, commit, mailoutbox):
    now = timezone.now()
    for kind, email in [(NotificationAddress.Kind.BILLING, "facturas@alicia.mx"),
                        (NotificationAddress.Kind.ABUSE, "abuse@alicia.mx"),
                        (NotificationAddress.Kind.BILLING, "sin-confirmar@alicia.mx")]:
        NotificationAddress.objects.create(customer=alice, kind=kind, email=email, token=email,
                                           confirmed_at=None if "sin" in email else now)
    commit(notice, alice, Kind.BILLING)
    commit(notice, alice, Kind.ABUSE, "Malware en alicia.mx")
    assert [m.to for m in mailoutbox] == [["alice@example.com", "facturas@alicia.mx"],
                                          ["alice@example.com", "abuse@alicia.mx"]]


def test_preferences_turn_email_off_per_kind_and_the_notice_still_lands(
        client, alice, commit, mailoutbox):
    client.force_login(alice.user)
    client.post(reverse("notifications:preferences"),
                {Kind.TICKET: "on", Kind.SERVICE: "on", Kind.ABUSE: "on"})  # billing off
    commit(notice, alice, Kind.BILLING)
    commit(notice, alice, Kind.ABUSE, "Aviso de abuso")
    assert [m.subject for m in mailoutbox] == ["Aviso de abuso"]
    assert Notification.objects.filter(customer=alice).count() == 2
    page = client.get(LIST).content.decode()
    assert f'name="{Kind.BILLING}"' in page


def test_ticket_updates_land_in_the_center_and_their_email_follows_the_preference(
        alice, carla, make_ticket, commit, mailoutbox):
    ticket = commit(make_ticket, alice)
    commit(ticket_services.ticket_agent_reply, ticket, agent=carla, body="Hola")
    assert Notification.objects.filter(customer=alice, kind=Kind.TICKET).count() == 2
    assert len(mailoutbox) == 2
    services.preferences_set(alice, email_by_kind={Kind.TICKET: False})
    commit(ticket_services.ticket_agent_reply, ticket, agent=carla, body="¿Sigue?")
    other = commit(make_ticket, alice, subject="Otro")
    assert Notification.objects.filter(customer=alice, kind=Kind.TICKET).count() == 4
    # The reply email is skipped; the new ticket's receipt with its number is not.
    assert len(mailoutbox) == 3 and other.number in mailoutbox[-1].subject


# --- Billing events ---------------------------------------------------------------

@pytest.fixture
def billing_key():
    """An integrations API key with the billing events scope (the events
    endpoint has no keys of its own since notifications 0002)."""
    integration = Integration.objects.create(name="WHMCS", slug="whmcs")
    _key, raw = api_key_create(integration, name="facturación", scopes=["billing_events:write"])
    return raw


def post_event(client, key, body, **headers):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(EVENTS, data, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Bearer {key}", **headers)


EVENT = {"id": "evt_1", "type": "invoice.issued", "customer": {"email": "ALICE@example.com"},
         "data": {"number": "F-2025-001", "amount": "499.00", "currency": "MXN",
                  "url": "https://facturacion.example.com/f/1"}}


@pytest.fixture(autouse=True)
def _billing_site_is_ours(settings):
    # The fixtures' billing system lives at facturacion.example.com: one of
    # the provider's domains (notice links are limited to them).
    settings.VENTANILLA_NOTICE_LINK_DOMAINS = "example.com"


def test_the_key_is_stored_only_as_a_hash(billing_key):
    key = ApiKey.objects.get()
    assert billing_key not in key.key_hash and key.prefix in billing_key
    assert key.key_hash == hashlib.sha256(billing_key.encode()).hexdigest()


def test_a_billing_event_becomes_a_billing_notification_once(
        client, billing_key, alice, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(client, billing_key, EVENT)
    assert response.status_code == 201 and response.json() == {"id": "evt_1", "created": True}
    notification = Notification.objects.get()
    assert notification.customer == alice and notification.kind == Kind.BILLING
    assert "F-2025-001" in notification.title and "499.00 MXN" in notification.body
    assert mailoutbox[0].to == ["alice@example.com"]
    again = post_event(client, billing_key, EVENT)
    assert again.status_code == 200 and again.json()["created"] is False
    assert Notification.objects.count() == 1 and BillingEvent.objects.count() == 1


@pytest.mark.parametrize("event_type", ["order.confirmed", "payment.failed"])
def test_every_event_type_is_accepted(client, billing_key, alice, event_type):
    response = post_event(client, billing_key, {**EVENT, "id": event_type, "type": event_type})
    assert response.status_code == 201
    assert Notification.objects.get().kind == Kind.BILLING


def test_a_wrong_or_missing_or_revoked_key_is_refused(client, billing_key, alice):
    assert post_event(client, billing_key + "x", EVENT).status_code == 401
    assert client.post(EVENTS, json.dumps(EVENT), content_type="application/json").status_code == 401
    ApiKey.objects.update(revoked_at=timezone.now())
    assert post_event(client, billing_key, EVENT).status_code == 401
    assert not Notification.objects.exists()


@pytest.mark.parametrize("body,status", [
    ("{no es json", 400),
    ({**EVENT, "type": "invoice.paid"}, 422),
    ({**EVENT, "id": ""}, 422),
    ({**EVENT, "customer": {"email": "nadie@example.com"}}, 422),
    ([1, 2], 422),
])
def test_malformed_events_are_refused_with_a_reason(client, billing_key, alice, body, status):
    response = post_event(client, billing_key, body)
    assert response.status_code == status and response.json()["error"]
    assert not Notification.objects.exists()


def test_the_list_page_runs_a_bounded_number_of_queries(
        client, alice, django_assert_max_num_queries):
    for i in range(40):
        notice(alice, title=f"Aviso {i}")
    client.force_login(alice.user)
    with django_assert_max_num_queries(12):
        response = client.get(LIST)
    assert response.status_code == 200 and "Aviso 39" in response.content.decode()
