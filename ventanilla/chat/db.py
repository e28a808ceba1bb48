"""Running the ORM from the chat's consumers.

channels' database_sync_to_async closes the thread's database connection
around every call (Django's per-request rule). A socket makes a call per
frame, and on SQLite every reconnection costs its PRAGMAs (about 35 ms
here, against 12 ms for storing a message), so the chat keeps the
connection of its (single, thread-sensitive) ORM thread and only drops one
that is broken, as Django does for an unusable connection. With PostgreSQL
the connection comes from psycopg's pool either way."""

from asgiref.sync import SyncToAsync
from django.db import connections


def _drop_unusable_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if connection.connection is None:
            continue
        if connection.get_autocommit() != connection.settings_dict["AUTOCOMMIT"]:
            connection.close()
        elif connection.errors_occurred:
            if connection.is_usable():
                connection.errors_occurred = False
            else:
                connection.close()


class db_call(SyncToAsync):  # noqa: N801 (used as a decorator, like database_sync_to_async)
    def thread_handler(self, loop, *args, **kwargs):
        _drop_unusable_connections()
        try:
            return super().thread_handler(loop, *args, **kwargs)
        finally:
            _drop_unusable_connections()
