"""The chat's sockets through the real ASGI stack (origin check, session
auth, routing, services, in-memory layer) with WebsocketCommunicator."""

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import time_machine
from channels.db import database_sync_to_async
from django.utils import timezone

from ventanilla.chat import selectors, services
from ventanilla.chat.models import AgentAvailability, Chat, ChatMessage
from ventanilla.chat.sensitive import PLACEHOLDER
from ventanilla.mail.models import OutboundEmail
from ventanilla.tickets.models import Channel, Ticket

from ..conftest import make_agent
from .agents import available
from .sockets import (
    close_connections,
    connect,
    cookie,
    flush_layer,
    receive_until,
    visitor_cookie,
)

pytestmark = pytest.mark.django_db(transaction=True)


def run(coroutine_function):
    """The scenario on an event loop of its own thread (once a browser test
    ran, Playwright keeps a loop running in the main one), with ORM calls
    from async code refused as on a real server: the suite allows them for
    Playwright, a consumer must not rely on it."""
    async def scenario():
        try:
            await coroutine_function()
        finally:
            await close_connections()

    saved = os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    try:
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, scenario()).result()
    finally:
        if saved is not None:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved


def customer_chat(customer, department, first_message=""):
    return services.chat_start(department=department, user=customer.user,
                               first_message=first_message)


def test_a_customer_joins_a_waiting_chat_and_sees_its_place_in_the_queue(alice, bob, soporte):
    first = customer_chat(bob, soporte, "hola")
    chat = customer_chat(alice, soporte, "Mi correo no envía")

    async def scenario():
        await flush_layer()
        socket, connected, _ = await connect(f"/ws/chat/{chat.token}/",
                                             session=await cookie(alice.user))
        assert connected
        history = await receive_until(socket, "history")
        assert [m["kind"] for m in history["messages"]] == ["sistema", "cliente"]
        assert history["messages"][1]["body"] == "Mi correo no envía"
        state = await receive_until(socket, "state")
        assert (state["status"], state["position"], state["agents"]) == ("espera", 2, 0)
        assert state["offer_ticket"] is True  # nobody available

        # The chat ahead is closed: alice moves up, live.
        await database_sync_to_async(services.chat_close)(first, by_customer=True)
        state = await receive_until(socket, "state")
        assert state["position"] == 1
        await socket.disconnect()

    run(scenario)


def test_messages_reach_the_assigned_agent_in_order_and_are_acknowledged_once_stored(
        alice, carla, soporte):
    available(carla)
    chat = customer_chat(alice, soporte)
    assert (chat.status, chat.agent) == (Chat.Status.ACTIVE, carla)

    async def scenario():
        await flush_layer()
        agent, ok, _ = await connect("/ws/consola/chat/", session=await cookie(carla))
        assert ok
        console = await receive_until(agent, "console")
        assert [c["id"] for c in console["chats"] if c["mine"]] == [chat.pk]
        await agent.send_json_to({"type": "open", "chat": chat.pk})
        await receive_until(agent, "history", chat=chat.pk)

        customer, ok, _ = await connect(f"/ws/chat/{chat.token}/",
                                        session=await cookie(alice.user))
        assert (await receive_until(customer, "state"))["agent"] == "Carla"
        for n in range(5):
            await customer.send_json_to({"type": "message", "body": f"mensaje {n}",
                                         "client_id": f"c{n}"})
        acks = [await receive_until(customer, "ack") for _ in range(5)]
        stored = await database_sync_to_async(
            lambda: list(chat.messages.filter(kind="cliente").values_list("seq", "body")))()
        assert [(a["client_id"], a["seq"]) for a in acks] == [
            (f"c{n}", seq) for n, (seq, _) in enumerate(stored)]
        bodies = [(await receive_until(agent, "message", kind="cliente"))["body"] for _ in range(5)]
        assert bodies == [f"mensaje {n}" for n in range(5)]

        await agent.send_json_to({"type": "typing", "chat": chat.pk})
        assert (await receive_until(customer, "typing"))["name"] == "Carla"
        await agent.send_json_to({"type": "message", "chat": chat.pk, "body": "Reviso tu MX",
                                  "client_id": "a1"})
        reply = await receive_until(customer, "message", kind="agente")
        assert (reply["body"], reply["author"]) == ("Reviso tu MX", "Carla")
        await customer.disconnect()
        await agent.disconnect()

    run(scenario)


def test_a_customer_who_reconnects_gets_exactly_what_they_missed(alice, carla, soporte):
    available(carla)
    chat = customer_chat(alice, soporte, "primero")
    cookie_user = alice.user

    async def scenario():
        await flush_layer()
        customer, _, _ = await connect(f"/ws/chat/{chat.token}/", session=await cookie(cookie_user))
        history = await receive_until(customer, "history")
        last_seen = history["messages"][-1]["seq"]
        await customer.disconnect()  # the connection drops

        for body in ("¿Sigues ahí?", "Ya quedó el MX"):
            await database_sync_to_async(services.chat_post)(
                chat, kind=ChatMessage.Kind.AGENT, body=body, author=carla)

        customer, _, _ = await connect(f"/ws/chat/{chat.token}/?after={last_seen}", session=await cookie(cookie_user))
        missed = await receive_until(customer, "history")
        assert [m["body"] for m in missed["messages"]] == ["¿Sigues ahí?", "Ya quedó el MX"]
        assert missed["messages"][0]["seq"] == last_seen + 1

        # A message the page sent just before the drop, sent again after it.
        await customer.send_json_to({"type": "message", "body": "gracias", "client_id": "x1"})
        first = await receive_until(customer, "ack")
        await customer.send_json_to({"type": "message", "body": "gracias", "client_id": "x1"})
        again = await receive_until(customer, "ack")
        assert first["seq"] == again["seq"]
        await customer.disconnect()

    run(scenario)
    assert chat.messages.filter(body="gracias").count() == 1


def test_an_agent_transfers_a_chat_to_a_colleague_with_a_note_the_customer_never_sees(
        alice, carla, soporte):
    luis = make_agent("luis@example.com", "Luis Soporte", [soporte])
    available(carla, max_chats=1)
    chat = customer_chat(alice, soporte)
    assert chat.agent == carla

    async def scenario():
        await flush_layer()
        customer, _, _ = await connect(f"/ws/chat/{chat.token}/",
                                       session=await cookie(alice.user))
        await receive_until(customer, "state")
        carla_socket, _, _ = await connect("/ws/consola/chat/", session=await cookie(carla))
        luis_socket, _, _ = await connect("/ws/consola/chat/", session=await cookie(luis))
        await receive_until(carla_socket, "console")
        assert (await receive_until(luis_socket, "console"))["chats"] == []

        await carla_socket.send_json_to({"type": "transfer", "chat": chat.pk, "agent": luis.pk,
                                         "note": "Cliente con MX mal; ya revisé SPF"})
        console = await receive_until(luis_socket, "console")
        assert [(c["id"], c["mine"]) for c in console["chats"]] == [(chat.pk, True)]
        told = await receive_until(customer, "message", kind="sistema")
        assert "Luis" in told["body"]
        # Not named as there until his console opens the chat.
        assert (await receive_until(customer, "state"))["agent"] == ""

        await luis_socket.send_json_to({"type": "open", "chat": chat.pk})
        joined = await receive_until(customer, "message", kind="sistema")
        assert joined["body"] == "Luis se unió al chat."
        assert (await receive_until(customer, "state"))["agent"] == "Luis"
        history = await receive_until(luis_socket, "history", chat=chat.pk)
        assert "Cliente con MX mal; ya revisé SPF" in [m["body"] for m in history["messages"]]
        # Carla no longer has it.
        await carla_socket.send_json_to({"type": "open", "chat": chat.pk})
        assert (await receive_until(carla_socket, "error"))["chat"] == chat.pk
        for socket in (customer, carla_socket, luis_socket):
            await socket.disconnect()

    run(scenario)
    assert ChatMessage.objects.filter(chat=chat, kind="nota").count() == 1


def test_a_chat_transferred_to_another_department_waits_for_its_agents(alice, carla, diego, soporte,
                                                                         facturacion):
    available(carla)
    chat = customer_chat(alice, soporte)
    services.chat_transfer(chat, actor=carla, to_department=facturacion, note="Es de facturación")
    chat.refresh_from_db()
    assert (chat.department, chat.status, chat.agent) == (facturacion, Chat.Status.WAITING, None)
    available(diego)  # Diego comes online and gets it
    chat.refresh_from_db()
    assert (chat.status, chat.agent) == (Chat.Status.ACTIVE, diego)


def test_nobody_reads_a_chat_that_is_not_theirs(alice, bob, carla, diego, soporte):
    chat = customer_chat(alice, soporte, "privado")
    visitor_chat = services.chat_start(department=soporte, name="Eva", email="eva@example.com")

    async def refused(path, session, origin=None):
        kwargs = {"origin": origin} if origin else {}
        socket, connected, code = await connect(path, session=session, **kwargs)
        assert not connected, path
        return code

    async def scenario():
        await flush_layer()
        alice_cookie = await cookie(alice.user)
        assert await refused(f"/ws/chat/{chat.token}/", await cookie(bob.user)) == 4404
        assert await refused(f"/ws/chat/{chat.token}/", None) == 4404
        assert await refused(f"/ws/chat/{chat.token}/", await visitor_cookie(visitor_chat)) == 4404
        assert await refused(f"/ws/chat/{visitor_chat.token}/", alice_cookie) == 4404
        assert await refused(f"/ws/chat/{visitor_chat.token}/", await visitor_cookie()) == 4404
        assert await refused("/ws/consola/chat/", alice_cookie) == 4403
        # Another site's page cannot use alice's cookie.
        await refused(f"/ws/chat/{chat.token}/", alice_cookie, origin=b"https://evil.example")

        # The visitor whose session started the chat may read it.
        visitor, ok, _ = await connect(f"/ws/chat/{visitor_chat.token}/",
                                       session=await visitor_cookie(visitor_chat))
        assert ok
        await visitor.disconnect()

        # Diego (Facturación) cannot open or write to a Soporte chat.
        diego_socket, _, _ = await connect("/ws/consola/chat/", session=await cookie(diego))
        console = await receive_until(diego_socket, "console")
        assert console["chats"] == []
        for action in ({"type": "open"}, {"type": "message", "body": "hola"}, {"type": "take"}):
            await diego_socket.send_json_to({**action, "chat": chat.pk})
            error = await receive_until(diego_socket, "error")
            assert error["chat"] == chat.pk
        await diego_socket.disconnect()

        # Carla may see it only while it waits in her department.
        carla_socket, _, _ = await connect("/ws/consola/chat/", session=await cookie(carla))
        assert [c["id"] for c in (await receive_until(carla_socket, "console"))["chats"]] == [
            chat.pk, visitor_chat.pk]
        await carla_socket.send_json_to({"type": "open", "chat": chat.pk})
        await receive_until(carla_socket, "history", chat=chat.pk)
        await carla_socket.disconnect()

    run(scenario)
    assert not chat.messages.filter(body="hola").exists()


def test_an_agent_of_another_department_cannot_read_an_active_chat(alice, carla, soporte):
    luis = make_agent("luis@example.com", "Luis Soporte", [soporte])
    available(carla)
    chat = customer_chat(alice, soporte)

    async def scenario():
        await flush_layer()
        socket, _, _ = await connect("/ws/consola/chat/", session=await cookie(luis))
        await receive_until(socket, "console")
        await socket.send_json_to({"type": "open", "chat": chat.pk})
        assert (await receive_until(socket, "error"))["chat"] == chat.pk
        await socket.disconnect()

    run(scenario)


def test_sensitive_data_is_masked_before_it_is_stored_and_the_sender_is_told(alice, carla, soporte):
    available(carla)
    chat = customer_chat(alice, soporte)

    async def scenario():
        await flush_layer()
        customer, _, _ = await connect(f"/ws/chat/{chat.token}/",
                                       session=await cookie(alice.user))
        await customer.send_json_to({"type": "message", "client_id": "p",
                                     "body": "mi contraseña: Perro123! y tarjeta 4111 1111 1111 1111"})
        ack = await receive_until(customer, "ack")
        assert "contraseña" in ack["notice"] and "tarjeta" in ack["notice"]
        shown = await receive_until(customer, "message", kind="cliente")
        assert "Perro123" not in shown["body"] and "4111" not in shown["body"]
        await customer.disconnect()

    run(scenario)
    stored = chat.messages.get(client_id="p").body
    assert stored == f"mi contraseña: {PLACEHOLDER} y tarjeta {PLACEHOLDER}"


def test_convert_to_ticket_creates_it_with_the_transcript_and_tells_the_customer(
        alice, carla, soporte):
    available(carla)
    chat = customer_chat(alice, soporte, "Mi sitio da error 500")
    services.chat_post(chat, kind=ChatMessage.Kind.AGENT, body="Necesito revisar los logs",
                       author=carla)

    async def scenario():
        await flush_layer()
        customer, _, _ = await connect(f"/ws/chat/{chat.token}/",
                                       session=await cookie(alice.user))
        await receive_until(customer, "state")
        agent, _, _ = await connect("/ws/consola/chat/", session=await cookie(carla))
        await receive_until(agent, "console")
        await agent.send_json_to({"type": "convert", "chat": chat.pk})
        converted = await receive_until(agent, "converted")
        told = await receive_until(customer, "message", kind="sistema")
        assert f"#{converted['number']}" in told["body"]
        await customer.disconnect()
        await agent.disconnect()

    run(scenario)
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.customer, ticket.department, ticket.assignee) == (
        Channel.CHAT, alice, soporte, carla)
    assert ticket.subject == "Mi sitio da error 500"
    body = ticket.messages.get().body
    assert "Mi sitio da error 500" in body and "Necesito revisar los logs" in body
    chat.refresh_from_db()
    assert chat.ticket == ticket


def test_at_the_end_the_customer_rates_and_gets_the_transcript_by_email(alice, carla, soporte):
    available(carla)
    chat = customer_chat(alice, soporte, "¿Cómo activo SSL?")

    async def scenario():
        await flush_layer()
        customer, _, _ = await connect(f"/ws/chat/{chat.token}/",
                                       session=await cookie(alice.user))
        await receive_until(customer, "state")
        await customer.send_json_to({"type": "rate", "rating": 5})
        assert "termine" in (await receive_until(customer, "error"))["message"]
        await customer.send_json_to({"type": "close"})
        assert (await receive_until(customer, "state", status="cerrado"))["rated"] is False
        await customer.send_json_to({"type": "message", "body": "¿hola?"})
        assert (await receive_until(customer, "error"))["message"]
        await customer.send_json_to({"type": "rate", "rating": 9})
        await receive_until(customer, "error")
        await customer.send_json_to({"type": "rate", "rating": 4, "comment": "Rápido"})
        await receive_until(customer, "rated")
        await customer.send_json_to({"type": "transcript"})
        assert (await receive_until(customer, "transcript_sent"))["email"] == "alice@example.com"
        await customer.send_json_to({"type": "transcript"})
        await receive_until(customer, "error")
        await customer.disconnect()

    run(scenario)
    chat.refresh_from_db()
    assert (chat.rating, chat.rating_comment) == (4, "Rápido")
    email = OutboundEmail.objects.get(kind="chat_transcripcion")
    assert email.to == "alice@example.com"
    assert "¿Cómo activo SSL?" in email.text_body
    assert email.status == OutboundEmail.Status.SENT  # sent by the (immediate) job


def test_a_waiting_customer_leaves_the_chat_as_a_ticket(alice, soporte):
    chat = customer_chat(alice, soporte, "Quiero migrar mi sitio")

    async def scenario():
        await flush_layer()
        customer, _, _ = await connect(f"/ws/chat/{chat.token}/",
                                       session=await cookie(alice.user))
        assert (await receive_until(customer, "state"))["offer_ticket"] is True
        await customer.send_json_to({"type": "ticket", "body": "Quiero migrar mi sitio"})
        created = await receive_until(customer, "ticket_created")
        assert created["number"]
        await customer.disconnect()

    run(scenario)
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.customer) == (Channel.CHAT, alice)
    chat.refresh_from_db()
    assert (chat.status, chat.ticket) == (Chat.Status.CLOSED, ticket)


def test_ticket_presence_shows_who_views_and_types_and_new_messages(alice_ticket, carla, sofia):
    from ventanilla.tickets.services import ticket_customer_reply

    async def scenario():
        await flush_layer()
        path = f"/ws/consola/tickets/{alice_ticket.number}/"
        carla_socket, ok, _ = await connect(path, session=await cookie(carla))
        assert ok
        sofia_socket, ok, _ = await connect(path, session=await cookie(sofia))
        assert ok
        joined = await receive_until(carla_socket, "presence")
        assert (joined["name"], joined["state"]) == ("Sofía Supervisora", "viewing")
        back = await receive_until(sofia_socket, "presence")
        assert back["name"] == "Carla Soporte"  # the newcomer learns who was there

        await carla_socket.send_json_to({"type": "typing"})
        assert (await receive_until(sofia_socket, "presence"))["state"] == "typing"

        await database_sync_to_async(ticket_customer_reply)(
            alice_ticket, author=alice_ticket.customer.user, body="Ya probé otra vez")
        message = await receive_until(sofia_socket, "message")
        assert (message["body"], message["kind"]) == ("Ya probé otra vez", "cliente")

        await carla_socket.disconnect()
        assert (await receive_until(sofia_socket, "presence"))["state"] == "left"
        await sofia_socket.disconnect()

    run(scenario)


def test_presence_is_refused_to_those_who_may_not_see_the_ticket(alice_ticket, diego, bob):
    async def scenario():
        for user in (diego, bob.user):
            _, connected, code = await connect(f"/ws/consola/tickets/{alice_ticket.number}/",
                                               session=await cookie(user))
            assert (connected, code) == (False, 4404)

    run(scenario)


def test_an_open_console_makes_an_agent_reachable_and_its_silence_ends_it(
        alice, bob, carla, soporte):
    """Availability is a live console (issue 17, C1): "disponible" alone
    routes nothing; the console socket's arrival hands the waiting chat to
    the agent, the customer reads that they joined only once the console
    opened it, and 41 s without a heartbeat take the agent off the routing."""
    services.agent_availability_set(carla, status=AgentAvailability.Status.AVAILABLE)
    chat = customer_chat(alice, soporte, "Mi correo no envía")
    assert chat.agent is None
    clock = time_machine.travel(timezone.now(), tick=True)
    traveller = clock.start()

    async def scenario():
        await flush_layer()
        customer, _, _ = await connect(f"/ws/chat/{chat.token}/", session=await cookie(alice.user))
        state = await receive_until(customer, "state")
        assert (state["status"], state["agents"], state["offer_ticket"]) == ("espera", 0, True)

        console, ok, _ = await connect("/ws/consola/chat/", session=await cookie(carla))
        assert ok
        assert (await receive_until(customer, "state", status="activo"))["agent"] == ""
        mine = await receive_until(console, "console")
        while not [c for c in mine["chats"] if c["mine"]]:
            mine = await receive_until(console, "console")
        assert [c["id"] for c in mine["chats"] if c["mine"]] == [chat.pk]
        history = await database_sync_to_async(
            lambda: list(chat.messages.values_list("body", flat=True)))()
        assert not [body for body in history if "se unió" in body]

        await console.send_json_to({"type": "open", "chat": chat.pk})
        joined = await receive_until(customer, "message", kind="sistema")
        assert joined["body"] == "Carla se unió al chat."
        assert (await receive_until(customer, "state"))["agent"] == "Carla"

        traveller.shift(timedelta(seconds=30))
        await console.send_json_to({"type": "heartbeat"})
        await asyncio.sleep(0.2)
        traveller.shift(timedelta(seconds=30))  # 30 s since the last beat: still there
        assert await database_sync_to_async(selectors.agents_available_count)(soporte.pk) == 1
        traveller.shift(timedelta(seconds=11))  # 41 s: gone, though the socket is open
        assert await database_sync_to_async(selectors.agents_available_count)(soporte.pk) == 0
        later = await database_sync_to_async(customer_chat)(bob, soporte, "¿Hay alguien?")
        assert later.agent is None
        await console.send_json_to({"type": "heartbeat"})  # back: the waiting chat is hers
        mine = await receive_until(console, "console")
        while later.pk not in [c["id"] for c in mine["chats"] if c["mine"]]:
            mine = await receive_until(console, "console")
        await customer.disconnect()
        await console.disconnect()

    try:
        run(scenario)
    finally:
        clock.stop()


def test_a_customer_nobody_answers_is_told_and_offered_a_ticket(alice, carla, soporte, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "CHAT_ANSWER_SECONDS": 60}
    available(carla)
    chat = customer_chat(alice, soporte, "Mi sitio no carga")
    clock = time_machine.travel(timezone.now(), tick=True)
    traveller = clock.start()

    async def scenario():
        await flush_layer()
        customer, _, _ = await connect(f"/ws/chat/{chat.token}/", session=await cookie(alice.user))
        state = await receive_until(customer, "state")
        assert (state["status"], state["offer_ticket"], state["unanswered"]) == (
            "activo", False, False)
        assert 55 <= state["unanswered_in"] <= 60
        traveller.shift(timedelta(seconds=61))
        await customer.send_json_to({"type": "state"})  # the widget asks when the time is up
        state = await receive_until(customer, "state")
        assert (state["offer_ticket"], state["unanswered"]) == (True, True)
        await customer.send_json_to({"type": "ticket", "body": "Mi sitio no carga"})
        assert (await receive_until(customer, "ticket_created"))["number"]
        await customer.disconnect()

    try:
        run(scenario)
    finally:
        clock.stop()
    chat.refresh_from_db()
    assert (chat.status, chat.ticket.customer) == (Chat.Status.CLOSED, alice)


def test_the_customer_answers_a_consent_request_from_the_chat_socket(alice, carla, soporte):
    from ventanilla.fields.models import ConsentAnswer
    from ventanilla.fields.services import consent_request_from_chat

    available(carla)
    chat = customer_chat(alice, soporte, "Actualicen mi WordPress")

    async def scenario():
        await flush_layer()
        socket, connected, _ = await connect(f"/ws/chat/{chat.token}/",
                                             session=await cookie(alice.user))
        assert connected
        await receive_until(socket, "state")
        request = await database_sync_to_async(consent_request_from_chat)(
            chat, agent=carla, action="Actualizar WordPress a la 6.8")
        state = await receive_until(socket, "state")
        assert state["consents"] == [{"id": request.pk, "action": "Actualizar WordPress a la 6.8",
                                      "expires_at": request.expires_at.isoformat()}]
        await socket.send_json_to({"type": "consent", "id": request.pk, "decision": "banana"})
        error = await receive_until(socket, "error")
        assert "Autorizo" in error["message"]
        await socket.send_json_to({"type": "consent", "id": request.pk, "decision": "autorizo"})
        said = await receive_until(socket, "message")
        while "autorizó" not in said["body"]:
            said = await receive_until(socket, "message")
        state = await receive_until(socket, "state")
        assert state["consents"] == []
        answer = await database_sync_to_async(ConsentAnswer.objects.get)(request=request)
        assert (answer.decision, answer.channel) == ("autorizo", "chat")
        await socket.disconnect()

    run(scenario)


def test_a_nul_character_in_a_frame_is_dropped_and_the_message_kept(alice, carla, soporte):
    """PostgreSQL refuses NUL in text: before, the store failed and the
    customer's message was lost."""
    available(carla)
    chat = customer_chat(alice, soporte)

    async def scenario():
        await flush_layer()
        socket, connected, _ = await connect(f"/ws/chat/{chat.token}/",
                                             session=await cookie(alice.user))
        assert connected
        await socket.send_json_to({"type": "message", "body": "Hola\u0000 mundo",
                                   "client_id": "c-\u00001"})
        ack = await receive_until(socket, "ack")
        assert ack["client_id"] == "c-1"
        stored = await database_sync_to_async(
            lambda: list(chat.messages.filter(kind="cliente").values_list("body", flat=True)))()
        assert stored == ["Hola mundo"]
        await socket.disconnect()

    run(scenario)
