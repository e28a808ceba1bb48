"""A transfer to an agent whose chat console is not open is refused in the
console: routing handed such a chat straight back to the agent who
transferred it (services._requeue_unjoined) without their console joining
it, while the customer read «Te transferimos con Jorge» and «Tu chat llegó a
un agente; se unirá en un momento» and nobody came (found reviewing issue
17, C1)."""

import pytest

from ventanilla.chat import services
from ventanilla.chat.models import Chat, ChatMessage

from ..conftest import make_agent
from .agents import available
from .sockets import connect, cookie, flush_layer, receive_until
from .test_consumers import run

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_transfer_to_an_agent_without_an_open_console_is_refused(alice, carla, soporte):
    jorge = make_agent("jorge@example.com", "Jorge Soporte", [soporte])  # no console open
    available(carla)
    chat = services.chat_start(department=soporte, user=alice.user, first_message="Mi correo rebota")
    assert chat.agent == carla

    async def scenario():
        await flush_layer()
        socket, ok, _ = await connect("/ws/consola/chat/", session=await cookie(carla))
        assert ok
        await receive_until(socket, "console")
        await socket.send_json_to({"type": "open", "chat": chat.pk})
        await receive_until(socket, "history", chat=chat.pk)
        await socket.send_json_to({"type": "transfer", "chat": chat.pk, "agent": jorge.pk,
                                   "note": "Revisa el MX"})
        error = await receive_until(socket, "error")
        assert error["chat"] == chat.pk
        assert "Jorge" in error["message"] and "consola" in error["message"]
        await socket.disconnect()

    run(scenario)
    chat.refresh_from_db()
    assert (chat.agent, chat.status) == (carla, Chat.Status.ACTIVE)
    assert not chat.messages.filter(body__startswith="Te transferimos").exists()
    assert not chat.messages.filter(kind=ChatMessage.Kind.NOTE).exists()


def test_a_transfer_to_an_agent_at_the_console_still_goes_through(alice, carla, soporte):
    jorge = make_agent("jorge@example.com", "Jorge Soporte", [soporte])
    available(carla)
    chat = services.chat_start(department=soporte, user=alice.user, first_message="Mi correo rebota")

    async def scenario():
        await flush_layer()
        carla_socket, _, _ = await connect("/ws/consola/chat/", session=await cookie(carla))
        jorge_socket, _, _ = await connect("/ws/consola/chat/", session=await cookie(jorge))
        await receive_until(carla_socket, "console")
        await receive_until(jorge_socket, "console")
        await carla_socket.send_json_to({"type": "transfer", "chat": chat.pk, "agent": jorge.pk})
        console = await receive_until(jorge_socket, "console")
        assert [(c["id"], c["mine"]) for c in console["chats"]] == [(chat.pk, True)]
        await carla_socket.disconnect()
        await jorge_socket.disconnect()

    run(scenario)
    chat.refresh_from_db()
    assert chat.agent == jorge
