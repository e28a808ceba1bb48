"""Whether an agent is at a chat console now.

"Disponible" in the console is what the agent wants; being offered chats
also needs a live console: each console socket records itself on connect
and then on every heartbeat (chat.js sends one every heartbeat_seconds()),
one row per connection, in the database every server process shares. An
agent counts as there while one of their consoles was seen within
live_seconds(): a missed heartbeat or a reload (the row outlives the
closed socket) does not drop them, a closed browser or a dead network
does, by itself, without anyone having to notice the disconnect."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import ConsoleConnection


def live_seconds() -> int:
    return settings.VENTANILLA["CHAT_CONSOLE_LIVE_SECONDS"]


def heartbeat_seconds() -> int:
    """How often a console says it is open: every 15 s, or more often for a
    shorter live period (three beats fit in it)."""
    return max(1, min(15, live_seconds() // 3))


def live_since(now=None):
    return (now or timezone.now()) - timedelta(seconds=live_seconds())


def has_live_console():
    """An Exists() for a users queryset: the user has a console seen lately."""
    return Exists(ConsoleConnection.objects.filter(user=OuterRef("pk"), last_seen__gte=live_since()))


def is_live(user_id: int, *, now=None) -> bool:
    return ConsoleConnection.objects.filter(user_id=user_id, last_seen__gte=live_since(now)).exists()


def console_seen(user_id: int, key: str, *, now=None) -> bool:
    """Record a console connection as alive now; True if the agent was not
    at any console a moment ago (they just arrived)."""
    now = now or timezone.now()
    arrived = not is_live(user_id, now=now)
    updated = ConsoleConnection.objects.filter(key=key, user_id=user_id).update(last_seen=now)
    if not updated:
        # The agent's expired rows say nothing any more: a new connection
        # clears them, so the table holds about one row per open console.
        ConsoleConnection.objects.filter(user_id=user_id, last_seen__lt=live_since(now)).delete()
        ConsoleConnection.objects.update_or_create(key=key, defaults={
            "user_id": user_id, "opened_at": now, "last_seen": now})
    return arrived
