"""The sender's own bubble shows when it was sent, like every other bubble:
the acknowledgement carries the stored message's time (before, chat.js
relabelled the acknowledged bubble «Tú» with no time, while the same message
after a reload read «Tú · 15:57»)."""

import pytest
from channels.db import database_sync_to_async

from ventanilla.chat import services

from .agents import available
from .sockets import connect, cookie, flush_layer, receive_until
from .test_consumers import run

pytestmark = pytest.mark.django_db(transaction=True)


def test_customer_and_agent_acknowledgements_carry_the_stored_time(alice, carla, soporte):
    available(carla)
    chat = services.chat_start(department=soporte, user=alice.user)

    async def scenario():
        await flush_layer()
        agent, ok, _ = await connect("/ws/consola/chat/", session=await cookie(carla))
        assert ok
        await receive_until(agent, "console")
        await agent.send_json_to({"type": "open", "chat": chat.pk})
        await receive_until(agent, "history", chat=chat.pk)
        customer, ok, _ = await connect(f"/ws/chat/{chat.token}/", session=await cookie(alice.user))
        assert ok
        await customer.send_json_to({"type": "message", "client_id": "t1", "body": "Hola"})
        customer_ack = await receive_until(customer, "ack")
        await agent.send_json_to({"type": "message", "chat": chat.pk, "client_id": "t2",
                                  "body": "Te ayudo"})
        agent_ack = await receive_until(agent, "ack")
        stored = await database_sync_to_async(
            lambda: dict(chat.messages.filter(client_id__in=["t1", "t2"])
                         .values_list("client_id", "created_at")))()
        assert customer_ack["at"] == stored["t1"].isoformat()
        assert agent_ack["at"] == stored["t2"].isoformat()
        await customer.disconnect()
        await agent.disconnect()

    run(scenario)
