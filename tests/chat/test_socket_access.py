"""Who may keep a socket open (issue 17, A3 and A4): the rule of required
two-factor authentication holds on every socket as on every page, and a
socket stops hearing a chat or a ticket the moment its agent may no
longer read it."""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from ventanilla.accounts.two_factor import REFUSED
from ventanilla.core.models import SiteSettings

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
