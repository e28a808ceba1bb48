import base64
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from ventanilla.integrations.models import ApiCall, ExternalRef, IdempotentRequest, Integration
from ventanilla.integrations.services import api_key_revoke
from ventanilla.integrations.tasks import integrations_prune
from ventanilla.tickets.models import Attachment, Channel, Message, Ticket

from .conftest import ALL_SCOPES, ApiClient, new_ticket

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_a_call_without_a_key_is_a_problem_document(client):
    r = client.get("/api/v1/tickets")
    assert r.status_code == 401
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "unauthenticated"
    assert "clave de API" in r.json()["detail"]


def test_a_revoked_key_is_refused(client, make_key, whmcs):
    raw = make_key()
    key = whmcs.api_keys.get()
    api_key_revoke(key)
    r = client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {raw}"})
    assert r.status_code == 401


def test_keys_are_stored_hashed(make_key, whmcs):
    raw = make_key()
    key = whmcs.api_keys.get()
    assert raw not in (key.key_hash, key.prefix) and raw.startswith(f"vt_{key.prefix}_")


def test_the_customer_upsert_is_idempotent_by_external_id(api):
    first = api.put("/customers/C-9", {"name": "Ana", "email": "ana@example.com", "language": "en"})
    second = api.put("/customers/C-9", {"name": "Ana María", "email": "ana@example.com",
                                        "time_zone": "Europe/Madrid"})
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["name"] == "Ana María"
    assert ExternalRef.objects.filter(kind="customer", external_id="C-9").count() == 1
    assert api.get("/customers/C-9").json()["time_zone"] == "Europe/Madrid"


def test_validation_errors_name_the_field(api):
    r = api.put("/customers/C-9", {"name": "Ana", "email": "no-es-correo", "time_zone": "Marte/Base"})
    assert r.status_code == 422
    assert r["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in r.json()["errors"]] == ["email"]
    r = api.put("/customers/C-9", {"email": "ana@example.com"})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "name", "code": "missing",
                                   "message": "Este campo es obligatorio."}]


def test_errors_speak_english_when_asked(api):
    r = api.put("/customers/C-9", {"email": "ana@example.com"}, headers={"Accept-Language": "en"})
    assert r.json()["errors"][0]["message"] == "This field is required."
    r = api.get("/tickets/00000000", headers={"Accept-Language": "en-US,en;q=0.8"})
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert r.json()["detail"] == "It does not exist or you have no access to it."


def test_services_are_upserted_for_a_known_customer(synced):
    data = {"customer": "C-ALICE", "type": "vps", "name": "VPS 8GB", "order_number": "#777",
            "server_ip": "203.0.113.5"}
    assert synced.put("/services/S-1", data).status_code == 201
    r = synced.put("/services/S-1", {**data, "status": "suspendido"})
    assert r.status_code == 200 and r.json()["status"] == "suspendido"
    assert r.json()["order_number"] == "777" and r.json()["customer"] == "C-ALICE"
    r = synced.put("/services/S-2", {**data, "customer": "C-NADIE"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "customer"
    r = synced.put("/services/S-2", {**data, "server_ip": "999.1.1.1"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "server_ip"


def test_a_ticket_opened_through_the_api_goes_through_the_ticket_services(synced, alice, mailoutbox):
    data = new_ticket(synced)
    ticket = Ticket.objects.get(number=data["number"])
    assert ticket.customer == alice and ticket.channel == Channel.API
    assert ticket.events.filter(kind="creado").exists()
    assert data["customer"]["external_id"] == "C-ALICE"
    assert data["messages"][0]["kind"] == "cliente"


def test_an_agent_reply_a_note_and_a_customer_message(synced, sofia):
    number = new_ticket(synced)["number"]
    r = synced.post(f"/tickets/{number}/messages", {"kind": "reply", "body": "Revisa SMTP"})
    assert r.status_code == 201 and r.json()["author"] == sofia.email
    assert Ticket.objects.get(number=number).status == "pendiente"
    r = synced.post(f"/tickets/{number}/messages", {"kind": "note", "body": "Cliente VIP"})
    assert r.json()["kind"] == "nota"
    r = synced.post(f"/tickets/{number}/messages",
                    {"kind": "customer", "body": "Ya funciona", "customer": "C-ALICE"})
    assert r.status_code == 201
    assert Ticket.objects.get(number=number).status == "abierto"


def test_another_customer_cannot_write_or_read_a_ticket(synced):
    number = new_ticket(synced)["number"]
    r = synced.post(f"/tickets/{number}/messages",
                    {"kind": "customer", "body": "Hola", "customer": "C-BOB"})
    assert r.status_code == 404
    assert synced.get(f"/tickets/{number}", customer="C-BOB").status_code == 404
    assert synced.get(f"/tickets/{number}", customer="C-ALICE").status_code == 200
    assert Message.objects.filter(ticket__number=number).count() == 1


def test_a_service_of_another_customer_is_refused(synced):
    synced.put("/services/S-BOB", {"customer": "C-BOB", "type": "vps", "name": "VPS",
                                   "order_number": "1"})
    r = synced.post("/tickets", {"customer": "C-ALICE", "subject": "x", "body": "y",
                                 "department": "soporte", "service": "S-BOB"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "service"
    assert not Ticket.objects.exists()


def test_the_api_sees_only_what_its_agent_sees(client, carla, alice, make_ticket, facturacion):
    agent_integration = Integration.objects.create(name="Soporte bot", slug="bot", agent=carla)
    from ventanilla.integrations.services import api_key_create

    _key, raw = api_key_create(agent_integration, name="k", scopes=ALL_SCOPES)
    api = ApiClient(client, raw)
    billing = make_ticket(alice, department=facturacion)
    support = make_ticket(alice)
    assert api.get(f"/tickets/{billing.number}").status_code == 404
    assert api.get(f"/tickets/{support.number}").status_code == 200
    assert [t["number"] for t in api.get("/tickets").json()["items"]] == [support.number]


def test_the_list_filters_and_pages_with_a_cursor(synced, alice, bob, make_ticket,
                                                  django_assert_max_num_queries):
    numbers = {make_ticket(alice).number for _ in range(5)} | {make_ticket(bob).number}
    seen, cursor = [], None
    while True:
        with django_assert_max_num_queries(8):
            r = synced.get("/tickets", limit=2, customer="C-ALICE", **({"cursor": cursor} if cursor else {}))
        assert r.status_code == 200
        seen += [t["number"] for t in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 5 and set(seen) < numbers
    assert synced.get("/tickets", status="cerrado").json()["items"] == []
    r = synced.get("/tickets", status="perdido")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"


def test_patch_changes_status_priority_department_and_assignee(synced, carla, diego):
    number = new_ticket(synced)["number"]
    r = synced.patch(f"/tickets/{number}", {"assignee": carla.email, "priority": "alta"})
    assert r.status_code == 200, r.content
    assert r.json()["assignee"] == carla.email and r.json()["priority"] == "alta"
    r = synced.patch(f"/tickets/{number}", {"department": "facturacion", "assignee": diego.email,
                                            "status": "resuelto"})
    assert r.status_code == 200, r.content
    ticket = Ticket.objects.get(number=number)
    assert (ticket.department.slug, ticket.assignee, ticket.status) == ("facturacion", diego, "resuelto")
    r = synced.patch(f"/tickets/{number}", {"assignee": None})
    assert r.json()["assignee"] is None
    # The status machine still decides: a closed ticket cannot be reopened.
    synced.patch(f"/tickets/{number}", {"status": "cerrado"})
    r = synced.patch(f"/tickets/{number}", {"status": "abierto"})
    assert r.status_code == 409 and r.json()["code"] == "not_allowed"


def test_attachments_are_checked_by_content_and_downloaded(synced):
    number = new_ticket(synced)["number"]
    fake = base64.b64encode(b"MZ\x90\x00 not a png").decode()
    r = synced.post(f"/tickets/{number}/messages", {
        "kind": "reply", "body": "Adjunto", "attachments": [{"name": "x.png", "content_base64": fake}]})
    assert r.status_code == 422 and r.json()["code"] == "content_mismatch"
    r = synced.post(f"/tickets/{number}/messages", {
        "kind": "reply", "body": "Adjunto",
        "attachments": [{"name": "captura.png", "content_base64": base64.b64encode(PNG).decode()}]})
    assert r.status_code == 201, r.content
    attachment = r.json()["attachments"][0]
    assert attachment["content_type"] == "image/png"
    download = synced.get(f"/attachments/{attachment['id']}")
    assert download.status_code == 200 and download.content == PNG
    assert Attachment.objects.count() == 1


def test_an_idempotent_retry_never_opens_two_tickets(synced):
    body = {"customer": "C-ALICE", "subject": "Una vez", "body": "x", "department": "soporte"}
    headers = {"Idempotency-Key": "pedido-42"}
    first = synced.post("/tickets", body, headers=headers)
    retry = synced.post("/tickets", body, headers=headers)
    assert first.status_code == retry.status_code == 201
    assert first.json() == retry.json()
    assert Ticket.objects.count() == 1
    other = synced.post("/tickets", {**body, "subject": "Otra"}, headers=headers)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    # A failed call stores nothing: the same key may be used once it is fixed.
    bad = synced.post("/tickets", {**body, "department": "nada"}, headers={"Idempotency-Key": "k2"})
    assert bad.status_code == 422
    assert synced.post("/tickets", body, headers={"Idempotency-Key": "k2"}).status_code == 201


def test_messages_are_idempotent_too(synced):
    number = new_ticket(synced)["number"]
    for _ in range(2):
        r = synced.post(f"/tickets/{number}/messages", {"kind": "note", "body": "una"},
                        headers={"Idempotency-Key": "nota-1"})
        assert r.status_code == 201
    assert Message.objects.filter(ticket__number=number, kind="nota").count() == 1


SCOPE_CALLS = {
    "customers:read": lambda api: (api.get("/customers/C-ALICE"), api.get("/customers")),
    "customers:write": lambda api: api.put("/customers/C-ALICE",
                                           {"name": "Alicia", "email": "alice@example.com"}),
    "services:read": lambda api: (api.get("/services/S-1"), api.get("/services")),
    "services:write": lambda api: api.put("/services/S-1", {
        "customer": "C-ALICE", "type": "vps", "name": "VPS", "order_number": "1"}),
    "tickets:read": lambda api: api.get("/tickets"),
    "tickets:write": lambda api: api.post("/tickets", {
        "customer": "C-ALICE", "subject": "x", "body": "y", "department": "soporte"}),
    "attachments:read": lambda api: api.get("/attachments/999999"),
    "chats:read": lambda api: api.get("/chats"),
    "kb:read": lambda api: api.get("/kb/articles"),
    "status:read": lambda api: api.get("/status/components"),
    "status:write": lambda api: api.post("/status/incidents", {
        "title": "x", "body": "y", "components": [999999]}),
    "kb:write": lambda api: api.put("/kb/articles/nuevo", {
        "title": "Nuevo", "body": "Texto.", "category": "Correo"}),
    "sla:read": lambda api: api.get("/sla/policies"),
    "billing_events:read": lambda api: api.get("/billing-events/evt-1"),
    "billing_events:write": lambda api: api.post("/billing-events", {
        "id": "evt-1", "type": "order.confirmed", "customer": {"external_id": "C-ALICE"}}),
}


@pytest.mark.parametrize("scope", ALL_SCOPES)
def test_each_key_can_do_exactly_what_its_scopes_allow(synced, client, make_key, scope):
    limited = ApiClient(client, make_key(scopes=[scope]))
    for needed, call in SCOPE_CALLS.items():
        responses = call(limited)
        for r in responses if isinstance(responses, tuple) else (responses,):
            if needed == scope:
                assert r.status_code != 403, (needed, r.content)
            else:
                assert r.status_code == 403, (needed, scope, r.content)
                assert r.json()["code"] == "insufficient_scope"


def test_attachments_need_their_own_write_scope(synced, client, make_key):
    number = new_ticket(synced)["number"]
    limited = ApiClient(client, make_key(scopes=["tickets:write"]))
    r = limited.post(f"/tickets/{number}/messages", {
        "kind": "note", "body": "x",
        "attachments": [{"name": "a.png", "content_base64": base64.b64encode(PNG).decode()}]})
    assert r.status_code == 403


def test_each_key_has_its_own_rate_limit(client, make_key):
    slow = ApiClient(client, make_key(rate="2/m"))
    fast = ApiClient(client, make_key(rate="100/m"))
    assert [slow.get("/tickets").status_code for _ in range(3)] == [200, 200, 429]
    assert fast.get("/tickets").status_code == 200


def test_every_call_is_logged_with_key_route_and_status(api, whmcs):
    api.get("/tickets")
    api.get("/tickets/123")
    api.client.get("/api/v1/tickets")
    calls = list(ApiCall.objects.order_by("id").values_list("api_key__integration", "route", "status"))
    assert calls == [
        (whmcs.pk, "/api/v1/tickets", 200),
        (whmcs.pk, "/api/v1/tickets/<number>", 404),
        (None, "/api/v1/tickets", 401),
    ]


def test_an_integration_without_agent_cannot_touch_tickets(api, whmcs):
    whmcs.agent = None
    whmcs.save()
    r = api.get("/tickets")
    assert r.status_code == 403 and r.json()["code"] == "no_agent"


def test_external_ids_are_per_integration(synced, client, sofia):
    other = Integration.objects.create(name="Blesta", slug="blesta", agent=sofia)
    from ventanilla.integrations.services import api_key_create

    _key, raw = api_key_create(other, name="k", scopes=ALL_SCOPES)
    assert ApiClient(client, raw).get("/customers/C-ALICE").status_code == 404


def test_the_docs_are_served_without_a_cdn(client):
    r = client.get("/api/v1/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert "script-src 'self'" in r["Content-Security-Policy"]
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/tickets/{number}/messages" in schema["paths"]


def test_old_bookkeeping_rows_are_pruned(synced):
    synced.post("/tickets", {"customer": "C-ALICE", "subject": "x", "body": "y",
                             "department": "soporte"}, headers={"Idempotency-Key": "a"})
    assert IdempotentRequest.objects.count() == 1 and ApiCall.objects.exists()
    integrations_prune(timezone.now() + timedelta(days=2))
    assert not IdempotentRequest.objects.exists() and ApiCall.objects.exists()
    with time_machine.travel(timezone.now() + timedelta(days=91)):
        integrations_prune()
    assert not ApiCall.objects.exists()


def test_large_attachments_go_as_multipart(synced):
    number = new_ticket(synced)["number"]
    big_log = b"linea de log\n" * 200_000  # 2.6 MB: too big for a JSON body
    r = synced.post(f"/tickets/{number}/messages", {
        "kind": "note", "body": "x",
        "attachments": [{"name": "mail.log", "content_base64": base64.b64encode(big_log).decode()}]})
    assert r.status_code == 413 and r.json()["code"] == "body_too_large"
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = synced.client.post(
        f"/api/v1/tickets/{number}/messages/upload",
        {"kind": "note", "body": "El log completo",
         "files": [SimpleUploadedFile("mail.log", big_log), SimpleUploadedFile("c.png", PNG)]},
        headers={"Authorization": f"Bearer {synced.key}"},
    )
    assert r.status_code == 201, r.content
    assert sorted(a["size"] for a in r.json()["attachments"]) == sorted([len(big_log), len(PNG)])
    r = synced.client.post(
        f"/api/v1/tickets/{number}/messages/upload",
        {"kind": "note", "body": "falso", "files": [SimpleUploadedFile("x.pdf", b"MZ not a pdf")]},
        headers={"Authorization": f"Bearer {synced.key}"},
    )
    assert r.status_code == 422 and r.json()["code"] == "content_mismatch"


def test_notification_addresses_follow_the_billing_system(synced, alice, mailoutbox,
                                                          django_capture_on_commit_callbacks):
    base = {"name": alice.name, "email": alice.email}
    with django_capture_on_commit_callbacks(execute=True):
        r = synced.put("/customers/C-ALICE", {**base, "notification_addresses": [
            {"kind": "soporte", "email": "Soporte@Alicia.mx"},
            {"kind": "facturacion", "email": "pagos@alicia.mx"}]})
    assert r.status_code == 200, r.content
    assert {(a["email"], a["confirmed"]) for a in r.json()["notification_addresses"]} == {
        ("soporte@alicia.mx", False), ("pagos@alicia.mx", False)}
    assert {m.to[0] for m in mailoutbox} == {"soporte@alicia.mx", "pagos@alicia.mx"}
    r = synced.put("/customers/C-ALICE", base)  # omitted: left alone
    assert len(r.json()["notification_addresses"]) == 2
    r = synced.put("/customers/C-ALICE", {**base, "notification_addresses": [
        {"kind": "soporte", "email": "soporte@alicia.mx"}]})
    assert [a["email"] for a in r.json()["notification_addresses"]] == ["soporte@alicia.mx"]
    r = synced.put("/customers/C-ALICE", {**base, "notification_addresses": [
        {"kind": "soporte", "email": alice.email}]})
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "notification_addresses.0"
