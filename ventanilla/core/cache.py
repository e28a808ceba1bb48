"""Cache plumbing: one Redis connection pool per process for Django's Redis
cache, and SqliteCache, the cache shared by the processes of the embedded
default (no Redis).

SharedConnectionPool:

Django keeps cache objects per thread and, under ASGI, per request context:
every request built a new `RedisCache`, whose client built a new connection
pool, so every request that read the session or a rate-limit counter opened
(and dropped) a TCP connection to Redis — seen in py-spy profiles of the
benchmark as `Connection._connect` and `getaddrinfo` on the ticket-creation
path (docs/performance.md, change 16). redis-py pools are thread-safe and
reset themselves in a forked child, so one per URL and options is shared.
"""

import os
import pickle
import random
import sqlite3
import threading
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache


class SharedConnectionPool(redis.ConnectionPool):
    _shared: dict[tuple, redis.ConnectionPool] = {}
    _lock = threading.Lock()

    @classmethod
    def from_url(cls, url, **kwargs):
        key = (url, repr(sorted(kwargs.items(), key=lambda item: item[0])))
        with cls._lock:
            pool = cls._shared.get(key)
            if pool is None:
                pool = cls._shared[key] = super().from_url(url, **kwargs)
        return pool


_sqlite_connections = threading.local()


class SqliteCache(BaseCache):
    """Django's cache in a SQLite file of the data directory, shared by every
    process of one host: the embedded default's web workers, its job
    consumer and `ventanilla mail pipe` see the same rate-limit counters,
    allauth's login limits and locks included (allauth.core.ratelimit uses
    the default cache). A per-process LocMem cache let 16 wrong passwords
    through a 5-per-5-minutes limit with WEB_WORKERS=4 (issue 17, A6).

    `add` and `incr` are single SQLite statements, so they are atomic across
    processes: an integer is stored as an SQLite INTEGER and incremented in
    place (`UPDATE ... SET value = value + ? RETURNING value`); any other
    value is pickled. Expired rows are ignored on read and deleted now and
    then on write. One connection per thread (and per process, after a fork).
    """

    CULL_EVERY = 200  # about one write in this many deletes the expired rows

    def __init__(self, location, params):
        super().__init__(params)
        self._path = str(location)

    def _db(self) -> sqlite3.Connection:
        # Django builds a cache object per thread and per request context:
        # connections are kept per thread and file, not per object.
        conns = getattr(_sqlite_connections, "by_path", None)
        if conns is None or _sqlite_connections.pid != os.getpid():
            conns = _sqlite_connections.by_path = {}
            _sqlite_connections.pid = os.getpid()
        conn = conns.get(self._path)
        if conn is None:
            conn = sqlite3.connect(self._path, timeout=20, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA busy_timeout=20000")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, "
                         "value BLOB NOT NULL, expires REAL)")
            conn.execute("CREATE INDEX IF NOT EXISTS cache_expires ON cache (expires)")
            conns[self._path] = conn
        return conn

    @staticmethod
    def _dump(value):
        return value if type(value) is int else pickle.dumps(value, pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def _load(stored):
        return stored if isinstance(stored, int) else pickle.loads(stored)

    def _wrote(self, conn) -> None:
        if random.randrange(self.CULL_EVERY) == 0:
            conn.execute("DELETE FROM cache WHERE expires <= ?", (time.time(),))

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self._db().execute(
            "SELECT value FROM cache WHERE key = ? AND (expires IS NULL OR expires > ?)",
            (key, time.time())).fetchall()
        return self._load(row[0][0]) if row else default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        conn = self._db()
        conn.execute(
            "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) "
            "DO UPDATE SET value = excluded.value, expires = excluded.expires",
            (key, self._dump(value), self.get_backend_timeout(timeout)))
        self._wrote(conn)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        conn = self._db()
        # One statement: insert, or replace only a row that has expired.
        cursor = conn.execute(
            "INSERT INTO cache (key, value, expires) VALUES (?, ?, ?) ON CONFLICT (key) "
            "DO UPDATE SET value = excluded.value, expires = excluded.expires "
            "WHERE cache.expires IS NOT NULL AND cache.expires <= ?",
            (key, self._dump(value), self.get_backend_timeout(timeout), time.time()))
        self._wrote(conn)
        return cursor.rowcount == 1

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self._db().execute(
            "UPDATE cache SET value = value + ? WHERE key = ? AND typeof(value) = 'integer' "
            "AND (expires IS NULL OR expires > ?) RETURNING value",
            (delta, key, time.time())).fetchall()  # all: ends the statement
        if not row:  # missing, expired, or not an integer
            raise ValueError(f"Key '{key}' not found or not an integer.")
        return row[0][0]

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        cursor = self._db().execute(
            "UPDATE cache SET expires = ? WHERE key = ? AND (expires IS NULL OR expires > ?)",
            (self.get_backend_timeout(timeout), key, time.time()))
        return cursor.rowcount == 1

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._db().execute("DELETE FROM cache WHERE key = ?", (key,)).rowcount == 1

    def has_key(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._db().execute(
            "SELECT 1 FROM cache WHERE key = ? AND (expires IS NULL OR expires > ?)",
            (key, time.time())).fetchall() != []

    def clear(self):
        self._db().execute("DELETE FROM cache")
