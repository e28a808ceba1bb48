import secrets
import time
from urllib.parse import urlencode

import pytest
import time_machine

from ventanilla.integrations.services import CustomerData, customer_upsert
from ventanilla.integrations.sso import sso_signature


@pytest.fixture
def linked(whmcs, alice):
    customer_upsert(whmcs, "C-ALICE", CustomerData(name=alice.name, email=alice.email))
    return whmcs


def link(integration, customer="C-ALICE", *, ts=None, nonce=None, secret=None, **extra):
    """The billing system's side, as in docs/integrations.md."""
    ts = int(time.time()) if ts is None else ts
    nonce = nonce or secrets.token_hex(16)
    sig = sso_signature(secret or integration.sso_secret, customer, ts, nonce)
    query = {"customer": customer, "ts": ts, "nonce": nonce, "sig": sig, **extra}
    return f"/acceso/sso/{integration.slug}/?{urlencode(query)}"


def test_a_signed_link_opens_the_client_area(client, linked, alice):
    r = client.get(link(linked))
    assert r.status_code == 302 and r["Location"] == "/cliente/"
    assert client.get("/cliente/").wsgi_request.user == alice.user


def test_the_link_may_point_inside_the_client_area_only(client, linked):
    assert client.get(link(linked, next="/cliente/tickets/"))["Location"] == "/cliente/tickets/"
    assert client.get(link(linked, next="https://evil.example/"))["Location"] == "/cliente/"
    assert client.get(link(linked, next="/admin/"))["Location"] == "/cliente/"


def test_a_replayed_link_is_refused(client, linked):
    url = link(linked)
    assert client.get(url).status_code == 302
    client.logout()
    r = client.get(url)
    assert r.status_code == 403 and "ya se usó" in r.content.decode()
    assert not r.wsgi_request.user.is_authenticated


def test_an_expired_link_is_refused(client, linked):
    url = link(linked)
    with time_machine.travel(time.time() + 91):
        r = client.get(url)
    assert r.status_code == 403 and "caducó" in r.content.decode()
    with time_machine.travel(time.time() + 85):
        assert client.get(link(linked, ts=int(time.time()) - 85)).status_code == 302


def test_a_link_from_the_future_is_refused(client, linked):
    assert client.get(link(linked, ts=int(time.time()) + 120)).status_code == 403


@pytest.mark.parametrize("tamper", ["customer", "ts", "sig", "secret"])
def test_a_tampered_link_is_refused(client, linked, bob, whmcs, tamper):
    customer_upsert(whmcs, "C-BOB", CustomerData(name=bob.name, email=bob.email))
    url = link(linked, secret="otro" if tamper == "secret" else None)
    if tamper == "customer":
        url = url.replace("customer=C-ALICE", "customer=C-BOB")
    elif tamper == "ts":
        url = url.replace("ts=", "ts=1")
    elif tamper == "sig":
        url = url[:-1] + ("0" if url[-1] != "0" else "1")
    r = client.get(url)
    assert r.status_code == 403
    assert not r.wsgi_request.user.is_authenticated


def test_a_customer_without_login_gets_one(client, whmcs):
    customer, _created = customer_upsert(whmcs, "C-NEW", CustomerData(name="Nuevo", email="n@example.com"))
    assert client.get(link(whmcs, "C-NEW")).status_code == 302
    customer.refresh_from_db()
    assert customer.user is not None and not customer.user.has_usable_password()


def test_a_link_never_opens_a_staff_session(client, whmcs, carla):
    customer, _created = customer_upsert(whmcs, "C-CARLA",
                                         CustomerData(name="Carla", email=carla.email))
    assert client.get(link(whmcs, "C-CARLA")).status_code == 403
    customer.refresh_from_db()
    assert customer.user is None
