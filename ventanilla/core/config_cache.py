"""Configuration that changes rarely (departments, categories, SLA policies
and calendars, category fields), kept in each process's memory.

Creating a ticket read it six times over (docs/performance.md, change 18).
`cached(key, build)` returns what `build()` returned the last time, until
any watched model is saved, deleted or bulk-updated anywhere:

- in this process the entries are dropped at once, and nothing read inside
  the transaction that wrote is kept (it could still roll back);
- other processes see a shared *generation* change when that transaction
  commits: a key in the shared cache (Redis) when there is one, read at most
  every `CHECK_SECONDS`; otherwise a file in the data directory (one host),
  whose identity `os.stat` reads on every lookup.

Values are shared between requests and threads: treat them as read-only.
"""

import os
import threading
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction

CHECK_SECONDS = 1.0
GENERATION_KEY = "ventanilla:config-generation"

_lock = threading.Lock()
_entries: dict[str, object] = {}
_seen: list = [object()]  # the generation the entries belong to


class _FileGeneration:
    """A file replaced on every change: its inode and mtime are the generation."""

    @staticmethod
    def path():
        return settings.DATA_DIR / "config-generation"

    def read(self):
        try:
            st = os.stat(self.path())
        except FileNotFoundError:
            return None
        return st.st_ino, st.st_mtime_ns

    def bump(self) -> None:
        path = self.path()
        tmp = path.with_name(f"{path.name}.{uuid.uuid4().hex}")
        tmp.write_text(uuid.uuid4().hex)
        os.replace(tmp, path)


class _SharedCacheGeneration:
    """A key in the shared cache, read at most every CHECK_SECONDS."""

    def __init__(self):
        self._value, self._read_at = None, -CHECK_SECONDS

    def read(self):
        now = time.monotonic()
        if now - self._read_at >= CHECK_SECONDS:
            self._value, self._read_at = cache.get(GENERATION_KEY), now
        return self._value

    def bump(self) -> None:
        self._value, self._read_at = uuid.uuid4().hex, time.monotonic()
        cache.set(GENERATION_KEY, self._value, None)


_store: list = []


def _generation_store():
    if not _store:
        shared = "redis" in settings.CACHES["default"]["BACKEND"].lower()
        _store.append(_SharedCacheGeneration() if shared else _FileGeneration())
    return _store[0]


def cached(key: str, build: Callable[[], object]):
    """The value of `build()` under `key` until the configuration changes."""
    if getattr(connection, "config_written", False):
        if connection.in_atomic_block:  # this transaction wrote configuration
            return build()
        connection.config_written = False
    generation = _generation_store().read()
    with _lock:
        if _seen[0] != generation:
            _entries.clear()
            _seen[0] = generation
        if key in _entries:
            return _entries[key]
    value = build()
    with _lock:
        if _seen[0] == generation:
            _entries[key] = value
    return value


def clear_local() -> None:
    """Drop this process's entries."""
    with _lock:
        _entries.clear()
        _seen[0] = object()


def reset() -> None:
    """For the tests, between two databases' contents: nothing cached, and
    no transaction remembered as having written configuration."""
    clear_local()
    connection.config_written = False


def invalidate() -> None:
    """Configuration was written: drop this process's entries now, and every
    process's when the transaction commits (at once outside one)."""
    clear_local()
    if connection.in_atomic_block:
        connection.config_written = True
    transaction.on_commit(_committed)


def _committed() -> None:
    clear_local()
    _generation_store().bump()


class ConfigQuerySet(models.QuerySet):
    """Bulk writes of a watched model invalidate too (they send no signals)."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        invalidate()
        return rows

    def bulk_create(self, *args, **kwargs):
        objs = super().bulk_create(*args, **kwargs)
        invalidate()
        return objs

    def bulk_update(self, *args, **kwargs):
        rows = super().bulk_update(*args, **kwargs)
        invalidate()
        return rows

    def _raw_delete(self, using):
        rows = super()._raw_delete(using)
        invalidate()
        return rows


def watch(*model_classes) -> None:
    """Invalidate when any of these models is saved or deleted, or a
    many-to-many relation of theirs changes."""
    from django.db.models.signals import m2m_changed, post_delete, post_save

    def changed(**_kwargs):
        invalidate()

    for model in model_classes:
        post_save.connect(changed, sender=model, weak=False)
        post_delete.connect(changed, sender=model, weak=False)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(changed, sender=field.remote_field.through, weak=False)
