"""Assignment to the least busy agent, the queue's estimated wait and the
"too long" offer of a ticket."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from ventanilla.chat import selectors, services
from ventanilla.chat.models import AgentAvailability, Chat, ChatDepartment, ChatMessage

from ..conftest import make_agent
from .agents import at_console, available

pytestmark = pytest.mark.django_db


def test_a_new_chat_goes_to_the_least_busy_available_agent(alice, bob, carla, soporte):
    luis = make_agent("luis@example.com", "Luis Soporte", [soporte])
    available(carla, max_chats=2)
    available(luis, max_chats=1)
    agents = [services.chat_start(department=soporte, name=f"V{n}", email=f"v{n}@example.com").agent
              for n in range(4)]
    # Carla was available first; then Luis (fewer chats); then Carla (room); then nobody.
    assert agents == [carla, luis, carla, None]
    waiting = Chat.objects.get(agent=None)
    assert waiting.status == Chat.Status.WAITING
    # Luis raises his limit: the waiting chat is his at once.
    services.agent_availability_set(luis, status="disponible", max_chats=3)
    waiting.refresh_from_db()
    assert waiting.agent == luis


def test_an_away_agent_gets_no_chats_and_the_customer_may_leave_a_ticket(alice, carla, soporte):
    services.agent_availability_set(carla, status=AgentAvailability.Status.AWAY)
    chat = services.chat_start(department=soporte, user=alice.user)
    state = selectors.customer_state(chat)
    assert (state["status"], state["agents"], state["offer_ticket"]) == ("espera", 0, True)


def test_a_wait_past_the_departments_limit_offers_a_ticket(alice, carla, soporte):
    ChatDepartment.objects.filter(department=soporte).update(max_wait_minutes=5)
    available(carla, max_chats=1)
    services.chat_start(department=soporte, name="Primero", email="p@example.com")
    chat = services.chat_start(department=soporte, user=alice.user)
    assert selectors.customer_state(chat)["offer_ticket"] is False
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        at_console(carla)  # still at her console, busy with the first chat
        state = selectors.customer_state(chat)
    assert (state["position"], state["agents"], state["offer_ticket"]) == (1, 1, True)


@pytest.mark.parametrize(("position", "agents", "waits", "minutes"), [
    (1, 1, [], 2),  # no history: two minutes a chat
    (3, 1, [], 6),
    (3, 2, [], 4),
    (1, 0, [], 2),
    (2, 1, [timedelta(minutes=m) for m in (1, 3, 9)], 6),  # the median, 3 min
    (1, 1, [timedelta(seconds=5)], 0.5),  # never less than 30 s a round
])
def test_estimated_wait(position, agents, waits, minutes):
    wait = selectors.estimated_wait(position, agents, waits)
    assert wait == timedelta(minutes=minutes)


def test_a_socket_that_sends_faster_than_a_person_types_is_slowed_down():
    from ventanilla.chat.consumers import Flood

    flood = Flood(limit=3, seconds=10)
    assert [flood.exceeded() for _ in range(4)] == [False, False, False, True]
    flood.times[0] -= 11  # the oldest leaves the 10-second window
    assert flood.exceeded() is False


# Availability is a console that is open now (issue 17, C1).

def test_an_agent_who_said_disponible_but_has_no_console_open_gets_no_chats(alice, carla, soporte):
    # What the demo used to seed: "disponible" in the database, nobody there.
    services.agent_availability_set(carla, status=AgentAvailability.Status.AVAILABLE)
    chat = services.chat_start(department=soporte, user=alice.user, first_message="Hola")
    assert (chat.status, chat.agent) == (Chat.Status.WAITING, None)
    state = selectors.customer_state(chat)
    assert (state["agents"], state["offer_ticket"]) == (0, True)
    assert not chat.messages.filter(body__contains="se unió").exists()


def test_an_agent_is_reachable_while_a_console_beats_and_through_a_reload_then_not(
        alice, bob, carla, soporte):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        available(carla)
        clock.shift(timedelta(seconds=30))  # the socket closed for a reload: still there
        assert selectors.agents_available_count(soporte.pk) == 1
        clock.shift(timedelta(seconds=11))  # 41 s without a heartbeat: gone
        assert selectors.agents_available_count(soporte.pk) == 0
        chat = services.chat_start(department=soporte, user=alice.user)
        assert chat.agent is None
        at_console(carla)  # the console comes back: the waiting chat is hers
        chat.refresh_from_db()
        assert (chat.status, chat.agent) == (Chat.Status.ACTIVE, carla)


def test_the_live_period_is_a_setting(carla, soporte, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "CHAT_CONSOLE_LIVE_SECONDS": 5}
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        available(carla)
        clock.shift(timedelta(seconds=6))
        assert selectors.agents_available_count(soporte.pk) == 0


def test_a_routed_chat_names_the_agent_only_once_their_console_opened_it(alice, carla, soporte):
    available(carla)
    chat = services.chat_start(department=soporte, user=alice.user, first_message="Hola")
    assert chat.agent == carla
    assert not chat.messages.filter(body__contains="se unió").exists()
    assert selectors.customer_state(chat)["agent"] == ""
    assert services.chat_join(chat, agent=carla) is True
    assert services.chat_join(chat, agent=carla) is False  # once
    chat.refresh_from_db()
    assert list(chat.messages.filter(body__contains="se unió").values_list("body", flat=True)) == [
        "Carla se unió al chat."]
    assert selectors.customer_state(chat)["agent"] == "Carla"


def test_a_chat_handed_to_a_console_that_went_away_unopened_goes_back_to_the_queue(
        alice, bob, carla, soporte):
    luis = make_agent("luis@example.com", "Luis Soporte", [soporte])
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        available(carla, max_chats=1)
        chat = services.chat_start(department=soporte, user=alice.user)
        assert chat.agent == carla  # her console never opens it: it closed
        clock.shift(timedelta(seconds=60))
        available(luis)  # Luis arrives: the stranded chat is his
        chat.refresh_from_db()
        assert (chat.status, chat.agent, chat.joined_at) == (Chat.Status.ACTIVE, luis, None)


def test_nobody_answering_in_time_tells_the_customer_and_offers_a_ticket(alice, carla, soporte,
                                                                        settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "CHAT_ANSWER_SECONDS": 60}
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        available(carla)
        chat = services.chat_start(department=soporte, user=alice.user, first_message="¿Hola?")
        services.chat_join(chat, agent=carla)  # joined, but says nothing
        state = selectors.customer_state(chat)
        assert (state["offer_ticket"], state["unanswered"], state["unanswered_in"]) == (
            False, False, 60)
        clock.shift(timedelta(seconds=61))
        state = selectors.customer_state(chat)
        assert (state["offer_ticket"], state["unanswered"]) == (True, True)
        assert "unanswered_in" not in state
        services.chat_post(chat, kind=ChatMessage.Kind.AGENT, author=carla, body="Aquí estoy")
        state = selectors.customer_state(chat)
        assert (state["offer_ticket"], state["unanswered"]) == (False, False)


def test_a_new_console_connection_clears_the_agents_expired_ones(carla, soporte):
    from ventanilla.chat.models import ConsoleConnection

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for key in ("a", "b"):
            at_console(carla, key)
        clock.shift(timedelta(minutes=5))
        at_console(carla, "c")  # back after a break: "a" and "b" expired
        assert list(ConsoleConnection.objects.filter(user=carla).values_list("key", flat=True)) == [
            "c"]
