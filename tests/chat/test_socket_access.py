"""Who may keep a socket open (issue 17, A3 and A4): the rule of required
two-factor authentication holds on every socket as on every page, and a
socket stops hearing a chat or a ticket the moment its agent may no
longer read it."""

import asyncio
import contextlib
import json

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from ventanilla.accounts.models import AgentProfile
from ventanilla.accounts.two_factor import REFUSED
from ventanilla.chat import events, services
from ventanilla.chat.models import ChatMessage
from ventanilla.core.models import SiteSettings
from ventanilla.tickets import services as ticket_services

from ..conftest import make_agent
from .sockets import connect, cookie, flush_layer, receive_until
from .test_consumers import customer_chat, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def require_2fa():
    site = SiteSettings.load()
    site.agents_require_2fa = True
    site.save()


def agent_socket_paths(chat, ticket) -> list[str]:
    return ["/ws/consola/chat/", f"/ws/consola/tickets/{ticket.number}/", f"/ws/chat/{chat.token}/"]


@pytest.mark.usefixtures("require_2fa")
@pytest.mark.parametrize("person", ["carla", "sofia", "root"])
def test_every_socket_is_refused_to_an_agent_who_must_set_up_two_factor(
        person, request, alice, soporte, alice_ticket):
    user = request.getfixturevalue(person)
    chat = customer_chat(alice, soporte, "hola")

    async def scenario():
        await flush_layer()
        session = await cookie(user)
        for path in agent_socket_paths(chat, alice_ticket):
            socket, connected, code = await connect(path, session=session)
            assert (connected, code) == (False, REFUSED), path

    run(scenario)


@pytest.mark.usefixtures("require_2fa")
def test_the_same_agent_with_totp_set_up_opens_the_console_sockets(carla, alice_ticket):
    TOTP.activate(carla, generate_totp_secret())

    async def scenario():
        await flush_layer()
        session = await cookie(carla)
        for path in ("/ws/consola/chat/", f"/ws/consola/tickets/{alice_ticket.number}/"):
            socket, connected, _code = await connect(path, session=session)
            assert connected, path
            await socket.disconnect()

    run(scenario)


@pytest.mark.usefixtures("require_2fa")
def test_a_customer_is_never_asked_for_totp_on_their_chat(alice, soporte):
    chat = customer_chat(alice, soporte, "hola")

    async def scenario():
        await flush_layer()
        socket, connected, _code = await connect(f"/ws/chat/{chat.token}/",
                                                 session=await cookie(alice.user))
        assert connected
        await receive_until(socket, "history")
        await socket.disconnect()

    run(scenario)


def test_without_the_requirement_an_agent_without_totp_opens_the_console(carla):
    async def scenario():
        await flush_layer()
        socket, connected, _code = await connect("/ws/consola/chat/", session=await cookie(carla))
        assert connected
        await socket.disconnect()

    run(scenario)


# --- A4: access lost while a socket is open ---------------------------------

async def frames_until_quiet(socket, seconds: float = 1.0) -> tuple[list[dict], int | None]:
    """Every frame the socket gets until it is quiet for `seconds`, and its
    close code if it closed."""
    frames = []
    while not await socket.receive_nothing(timeout=seconds):
        output = await socket.receive_output(timeout=seconds)
        if output["type"] == "websocket.close":
            return frames, output.get("code", 1000)
        frames.append(json.loads(output["text"]))
    return frames, None


def bodies(frames) -> str:
    return json.dumps(frames, ensure_ascii=False)


@pytest.mark.parametrize("to", ["department", "agent"])
def test_a_console_stops_hearing_a_chat_transferred_away(to, alice, carla, diego, soporte,
                                                         facturacion):
    luis = make_agent("luis@example.com", "Luis Soporte", [soporte])
    chat = customer_chat(alice, soporte, "hola")
    services.chat_take(chat, agent=carla)
    receiver = diego if to == "department" else luis
    target = {"department": facturacion.pk} if to == "department" else {"agent": luis.pk}

    async def scenario():
        await flush_layer()
        carla_socket, _, _ = await connect("/ws/consola/chat/", session=await cookie(carla))
        await receive_until(carla_socket, "console")
        await carla_socket.send_json_to({"type": "open", "chat": chat.pk})
        await receive_until(carla_socket, "history", chat=chat.pk)

        # The one who gets it has a console open.
        other, _, _ = await connect("/ws/consola/chat/", session=await cookie(receiver))
        await receive_until(other, "console")

        await carla_socket.send_json_to({"type": "transfer", "chat": chat.pk, **target,
                                         "note": "Va para allá"})
        told = await receive_until(carla_socket, "error", chat=chat.pk)
        assert "ya no está a tu cargo" in told["message"]

        await other.send_json_to({"type": "open", "chat": chat.pk})
        await receive_until(other, "history", chat=chat.pk)
        await frames_until_quiet(carla_socket, 0.5)

        await database_sync_to_async(services.chat_post)(
            chat, kind=ChatMessage.Kind.CUSTOMER, body="MENSAJE-DESPUES", author=alice.user)
        await database_sync_to_async(services.chat_post)(
            chat, kind=ChatMessage.Kind.NOTE, body="NOTA-DESPUES", author=receiver)

        # The agent who has it hears both; carla hears neither.
        assert (await receive_until(other, "message", body="MENSAJE-DESPUES"))["chat"] == chat.pk
        assert (await receive_until(other, "message", body="NOTA-DESPUES"))["kind"] == "nota"
        frames, _code = await frames_until_quiet(carla_socket)
        assert "MENSAJE-DESPUES" not in bodies(frames) and "NOTA-DESPUES" not in bodies(frames)
        # Nor by asking for it.
        await carla_socket.send_json_to({"type": "open", "chat": chat.pk})
        assert (await receive_until(carla_socket, "error"))["chat"] == chat.pk
        for socket in (carla_socket, other):
            await socket.disconnect()

    run(scenario)


def test_a_deactivated_agents_console_closes_and_hears_nothing_more(alice, carla, soporte):
    chat = customer_chat(alice, soporte, "hola")
    services.chat_take(chat, agent=carla)

    async def scenario():
        await flush_layer()
        socket, _, _ = await connect("/ws/consola/chat/", session=await cookie(carla))
        await receive_until(socket, "console")
        await socket.send_json_to({"type": "open", "chat": chat.pk})
        await receive_until(socket, "history", chat=chat.pk)

        await database_sync_to_async(deactivate)(carla)
        await database_sync_to_async(services.chat_post)(
            chat, kind=ChatMessage.Kind.CUSTOMER, body="MENSAJE-DESPUES", author=alice.user)
        frames, code = await frames_until_quiet(socket)
        assert code == 4403
        assert "MENSAJE-DESPUES" not in bodies(frames)

    run(scenario)


def deactivate(user):
    user.is_active = False
    user.save(update_fields=["is_active"])


def remove_from_soporte(agent, soporte):
    AgentProfile.objects.get(user=agent).departments.remove(soporte)


def test_a_ticket_page_is_told_and_closed_when_the_ticket_moves_to_another_department(
        alice_ticket, carla, sofia, facturacion):
    async def scenario():
        await flush_layer()
        path = f"/ws/consola/tickets/{alice_ticket.number}/"
        carla_socket, connected, _ = await connect(path, session=await cookie(carla))
        assert connected
        sofia_socket, _, _ = await connect(path, session=await cookie(sofia))
        await receive_until(carla_socket, "presence")
        await receive_until(sofia_socket, "presence")

        await database_sync_to_async(ticket_services.ticket_update_fields)(
            alice_ticket, agent=sofia, department=facturacion)
        frames, code = await frames_until_quiet(carla_socket)
        assert [f["type"] for f in frames if f["type"] == "access_lost"] == ["access_lost"]
        assert code == 4404

        await database_sync_to_async(ticket_services.ticket_agent_reply)(
            alice_ticket, agent=sofia, body="NOTA-DESPUES", internal=True)
        # sofia (a supervisor) still sees it live.
        assert (await receive_until(sofia_socket, "message"))["body"] == "NOTA-DESPUES"
        await sofia_socket.disconnect()

    run(scenario)


def test_a_ticket_page_of_an_agent_removed_from_the_department_hears_no_more_notes(
        alice_ticket, carla, sofia, soporte):
    async def scenario():
        await flush_layer()
        socket, connected, _ = await connect(f"/ws/consola/tickets/{alice_ticket.number}/",
                                             session=await cookie(carla))
        assert connected
        await database_sync_to_async(ticket_services.ticket_agent_reply)(
            alice_ticket, agent=sofia, body="NOTA-ANTES", internal=True)
        assert (await receive_until(socket, "message"))["body"] == "NOTA-ANTES"

        await database_sync_to_async(remove_from_soporte)(carla, soporte)
        await database_sync_to_async(ticket_services.ticket_agent_reply)(
            alice_ticket, agent=sofia, body="NOTA-DESPUES", internal=True)
        frames, code = await frames_until_quiet(socket)
        assert "NOTA-DESPUES" not in bodies(frames)
        assert "access_lost" in [f["type"] for f in frames] and code == 4404

    run(scenario)


def test_a_console_whose_agent_leaves_a_department_stops_listing_and_hearing_its_queue(
        alice, bob, carla, soporte):
    customer_chat(alice, soporte, "hola")

    async def scenario():
        await flush_layer()
        socket, _, _ = await connect("/ws/consola/chat/", session=await cookie(carla))
        console = await receive_until(socket, "console")
        assert [c["name"] for c in console["chats"]] == ["Alicia Pérez"]

        await database_sync_to_async(remove_from_soporte)(carla, soporte)
        console = await receive_until(socket, "console")
        assert (console["chats"], console["departments"]) == ([], [])

        # A new chat in Soporte's queue is not announced to her any more.
        await database_sync_to_async(customer_chat)(bob, soporte, "otro")
        frames, code = await frames_until_quiet(socket)
        assert "Roberto" not in bodies(frames) and code is None
        await socket.disconnect()

    run(scenario)


def test_a_chats_notes_are_sent_only_to_its_agents_group_never_to_the_customers(
        alice, carla, soporte):
    chat = customer_chat(alice, soporte, "hola")
    services.chat_take(chat, agent=carla)

    async def scenario():
        await flush_layer()
        layer = get_channel_layer()
        customers = await layer.new_channel()  # as the customer's socket listens
        await layer.group_add(events.chat_group(chat.pk), customers)
        console, _, _ = await connect("/ws/consola/chat/", session=await cookie(carla))
        await receive_until(console, "console")
        await console.send_json_to({"type": "open", "chat": chat.pk})
        await receive_until(console, "history", chat=chat.pk)

        await database_sync_to_async(services.chat_post)(
            chat, kind=ChatMessage.Kind.NOTE, body="NOTA-INTERNA", author=carla)
        await database_sync_to_async(services.chat_post)(
            chat, kind=ChatMessage.Kind.AGENT, body="RESPUESTA", author=carla)
        assert (await receive_until(console, "message", body="NOTA-INTERNA"))["kind"] == "nota"
        await receive_until(console, "message", body="RESPUESTA")

        heard = []
        with contextlib.suppress(asyncio.TimeoutError):
            while True:
                heard.append(await asyncio.wait_for(layer.receive(customers), 0.5))
        assert [e["message"]["body"] for e in heard if e["type"] == "chat.message"] == ["RESPUESTA"]
        await console.disconnect()

    run(scenario)
