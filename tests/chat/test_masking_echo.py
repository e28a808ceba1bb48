"""The sender's own bubble shows the stored, masked text at once: the
acknowledgement carries it (issue 17, C2)."""

import pytest

from ventanilla.chat import services
from ventanilla.core.sensitive import PLACEHOLDER

from .agents import available
from .sockets import connect, cookie, flush_layer, receive_until
from .test_consumers import run

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_acknowledgement_carries_the_masked_text(alice, carla, soporte):
    available(carla)
    chat = services.chat_start(department=soporte, user=alice.user)

    async def scenario():
        await flush_layer()
        customer, _, _ = await connect(f"/ws/chat/{chat.token}/", session=await cookie(alice.user))
        await customer.send_json_to({"type": "message", "client_id": "n1",
                                     "body": "Mi contraseña es Hunter2Pass!"})
        ack = await receive_until(customer, "ack")
        assert ack["body"] == f"Mi contraseña es {PLACEHOLDER}"
        assert "contraseña" in ack["notice"]
        await customer.disconnect()

    run(scenario)
    assert chat.messages.get(client_id="n1").body == f"Mi contraseña es {PLACEHOLDER}"
