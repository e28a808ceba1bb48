"""Assignment to the least busy agent, the queue's estimated wait and the
"too long" offer of a ticket."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from ventanilla.chat import selectors, services
from ventanilla.chat.models import AgentAvailability, Chat, ChatDepartment

from ..conftest import make_agent

pytestmark = pytest.mark.django_db


def test_a_new_chat_goes_to_the_least_busy_available_agent(alice, bob, carla, soporte):
    luis = make_agent("luis@example.com", "Luis Soporte", [soporte])
    services.agent_availability_set(carla, status="disponible", max_chats=2)
    services.agent_availability_set(luis, status="disponible", max_chats=1)
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
    services.agent_availability_set(carla, status="disponible", max_chats=1)
    services.chat_start(department=soporte, name="Primero", email="p@example.com")
    chat = services.chat_start(department=soporte, user=alice.user)
    assert selectors.customer_state(chat)["offer_ticket"] is False
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
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
