"""How many console sockets each agent has open, across server processes
(the cache is Redis when REDIS_URL is set, like the channel layer; with the
in-memory layer there is one process and the local cache is enough). An
agent left "disponible" with no console open would be handed chats nobody
reads: after a grace period with none open, they become "ausente"."""

from django.core.cache import cache

from .models import AgentAvailability

AWAY_GRACE_SECONDS = 20
_TTL = 24 * 3600


def _key(user_id: int) -> str:
    return f"chat:console-sockets:{user_id}"


def console_opened(user_id: int) -> int:
    cache.add(_key(user_id), 0, _TTL)
    return cache.incr(_key(user_id))


def console_closed(user_id: int) -> int:
    try:
        count = cache.decr(_key(user_id))
    except ValueError:  # expired or flushed
        return 0
    if count < 0:
        cache.set(_key(user_id), 0, _TTL)
        return 0
    return count


def away_if_no_console(user) -> bool:
    from .services import agent_availability_set

    if cache.get(_key(user.pk), 0) > 0:
        return False
    availability = AgentAvailability.objects.filter(user=user).first()
    if availability is None or availability.status == AgentAvailability.Status.AWAY:
        return False
    agent_availability_set(user, status=AgentAvailability.Status.AWAY)
    return True
