"""Agents ready to take chats, as the console makes them: "Disponible" and
a console socket that was just seen (presence.py)."""

from ventanilla.chat import services
from ventanilla.chat.models import AgentAvailability


def at_console(agent, key: str = "") -> None:
    """A console of the agent's sent its heartbeat now."""
    services.agent_console_seen(agent, key=key or f"test-console-{agent.pk}")


def available(agent, max_chats: int | None = 3) -> None:
    at_console(agent)
    services.agent_availability_set(agent, status=AgentAvailability.Status.AVAILABLE,
                                    max_chats=max_chats)
