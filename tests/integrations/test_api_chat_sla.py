"""/api/v1/chats and /api/v1/sla."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ventanilla.chat import services as chat_services
from ventanilla.chat.models import Chat, ChatMessage
from ventanilla.integrations.models import Integration
from ventanilla.integrations.services import api_key_create
from ventanilla.sla.models import SlaPolicy
from ventanilla.tickets.models import Ticket

from .conftest import ApiClient

CARD = "4111 1111 1111 1111"


@pytest.fixture
def alice_chat(alice, soporte, sofia):
    chat = chat_services.chat_start(department=soporte, user=alice.user,
                                    first_message=f"Mi tarjeta es {CARD}")
    chat_services.chat_take(chat, agent=sofia)
    chat_services.chat_post(chat, kind=ChatMessage.Kind.AGENT, body="¿En qué te ayudo?",
                            author=sofia)
    chat_services.chat_post(chat, kind=ChatMessage.Kind.NOTE, body="Nota interna del traspaso",
                            author=sofia)
    chat_services.chat_close(chat, actor=sofia)
    chat_services.chat_rate(chat, rating=5, comment="Rápido")
    return Chat.objects.get(pk=chat.pk)


def agent_client(client, agent, slug="bot"):
    integration = Integration.objects.create(name=slug, slug=slug, agent=agent)
    _key, raw = api_key_create(integration, name="k", scopes=["chats:read", "sla:read",
                                                               "tickets:read"])
    return ApiClient(client, raw)


def test_a_chat_comes_with_its_masked_transcript_rating_and_agent(synced, alice_chat):  # noqa: F811
    r = synced.get(f"/chats/{alice_chat.pk}")
    assert r.status_code == 200, r.content
    chat = r.json()
    assert chat["customer"] == {"external_id": "C-ALICE", "name": "Alicia Pérez",
                                "email": "alice@example.com"}
    assert (chat["status"], chat["agent"], chat["rating"], chat["rating_comment"]) == (
        "cerrado", "sofia@example.com", 5, "Rápido")
    bodies = " ".join(m["body"] for m in chat["messages"])
    assert CARD not in bodies and "Mi tarjeta es [dato sensible oculto]" in bodies  # as stored
    assert "Nota interna" not in bodies
    assert {m["kind"] for m in chat["messages"]} <= {"cliente", "agente", "sistema"}
    assert [m["seq"] for m in chat["messages"]] == sorted(m["seq"] for m in chat["messages"])


def test_the_chat_list_filters_by_customer_status_and_dates_and_pages(
        synced, alice, bob, soporte, alice_chat, django_assert_max_num_queries):  # noqa: F811
    for _ in range(3):
        chat_services.chat_start(department=soporte, user=alice.user)
    bob_chat = chat_services.chat_start(department=soporte, user=bob.user)
    seen, cursor = [], None
    while True:
        with django_assert_max_num_queries(8):
            r = synced.get("/chats", customer="C-ALICE", limit=2,
                           **({"cursor": cursor} if cursor else {}))
        assert r.status_code == 200, r.content
        seen += [c["id"] for c in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 4 == len(set(seen)) and bob_chat.pk not in seen
    assert [c["id"] for c in synced.get("/chats", status="cerrado").json()["items"]] == [alice_chat.pk]
    today = timezone.localdate()
    assert len(synced.get("/chats", since=today.isoformat()).json()["items"]) == 5
    assert synced.get("/chats", until=(today - timedelta(days=1)).isoformat()).json()["items"] == []
    assert synced.get("/chats", customer="C-NADIE").json()["items"] == []
    r = synced.get("/chats", status="perdido")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "status"


def test_an_agent_integration_sees_only_the_chats_its_agent_may_read(
        client, alice_chat, alice, soporte, facturacion, carla):
    api = agent_client(client, carla)
    waiting_billing = chat_services.chat_start(department=facturacion, user=alice.user)
    waiting_support = chat_services.chat_start(department=soporte, user=alice.user)
    # sofia's closed chat and a waiting chat of another department: 404, not listed.
    assert api.get(f"/chats/{alice_chat.pk}").status_code == 404
    assert api.get(f"/chats/{waiting_billing.pk}").status_code == 404
    assert api.get(f"/chats/{waiting_support.pk}").status_code == 200
    assert [c["id"] for c in api.get("/chats").json()["items"]] == [waiting_support.pk]
    assert api.get("/chats/99999999").status_code == 404


def test_sla_policies_are_listed(synced):  # noqa: F811
    SlaPolicy.objects.update_or_create(channel="portal", priority="alta",
                                       defaults={"first_response_minutes": 30})
    r = synced.get("/sla/policies")
    assert r.status_code == 200
    rows = {(p["channel"], p["priority"]): p for p in r.json()}
    assert rows[("portal", "alta")]["first_response_minutes"] == 30


def test_a_tickets_timers_say_when_they_are_due_and_whether_they_were_met(
        synced, alice, make_ticket, sofia):  # noqa: F811
    ticket = make_ticket(alice)
    r = synced.get(f"/sla/tickets/{ticket.number}")
    assert r.status_code == 200, r.content
    body = r.json()
    timers = {t["timer"]: t for t in body["timers"]}
    first = timers["primera_respuesta"]
    assert first["state"] in ("en_plazo", "sin_objetivo")
    assert body["paused"] is False
    if first["due_at"]:
        # The agent replied after the due time: breached, with when it was done.
        Ticket.objects.filter(pk=ticket.pk).update(
            first_response_due_at=timezone.now() - timedelta(hours=2),
            first_response_at=timezone.now() - timedelta(hours=1))
        first = {t["timer"]: t for t in synced.get(f"/sla/tickets/{ticket.number}").json()["timers"]}
        assert first["primera_respuesta"]["state"] == "incumplido"
        Ticket.objects.filter(pk=ticket.pk).update(first_response_at=timezone.now() - timedelta(hours=3))
        first = {t["timer"]: t for t in synced.get(f"/sla/tickets/{ticket.number}").json()["timers"]}
        assert first["primera_respuesta"]["state"] == "cumplido"


def test_a_tickets_timers_are_refused_for_tickets_the_agent_cannot_see(
        client, alice, make_ticket, facturacion, carla):
    api = agent_client(client, carla)
    billing = make_ticket(alice, department=facturacion)
    support = make_ticket(alice)
    assert api.get(f"/sla/tickets/{billing.number}").status_code == 404
    assert api.get(f"/sla/tickets/{support.number}").status_code == 200


def test_the_report_has_the_consoles_figures(synced, alice, make_ticket):  # noqa: F811
    from ventanilla.sla import reports

    make_ticket(alice)
    make_ticket(alice)
    today = timezone.localdate()
    r = synced.get("/sla/report", start=(today - timedelta(days=7)).isoformat(),
                   end=today.isoformat(), group_by="canal")
    assert r.status_code == 200, r.content
    expected = reports.build_report(reports.ReportFilter(
        start=today - timedelta(days=7), end=today, group_by="canal"))
    assert r.json()["total"]["volume"] == expected.total.volume == 2
    assert [g["key"] for g in r.json()["groups"]] == [g.key for g in expected.groups]
    r = synced.get("/sla/report", start=today.isoformat(),
                   end=(today - timedelta(days=1)).isoformat())
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "end"
    r = synced.get("/sla/report", start=(today - timedelta(days=200)).isoformat(),
                   end=today.isoformat(), headers={"Accept-Language": "en"})
    assert r.status_code == 422 and r.json()["errors"][0]["code"] == "range_too_long"
    assert "days" in r.json()["errors"][0]["message"]
    r = synced.get("/sla/report", start=today.isoformat(), end=today.isoformat(),
                   department="nada")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "department"


def test_an_agents_report_counts_only_its_own_tickets(client, alice, make_ticket, carla):
    make_ticket(alice)
    api = agent_client(client, carla)
    today = timezone.localdate()
    r = api.get("/sla/report", start=today.isoformat(), end=today.isoformat())
    assert r.status_code == 200 and r.json()["total"]["volume"] == 0
