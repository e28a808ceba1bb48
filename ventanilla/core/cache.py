"""One Redis connection pool per process for Django's Redis cache.

Django keeps cache objects per thread and, under ASGI, per request context:
every request built a new `RedisCache`, whose client built a new connection
pool, so every request that read the session or a rate-limit counter opened
(and dropped) a TCP connection to Redis — seen in py-spy profiles of the
benchmark as `Connection._connect` and `getaddrinfo` on the ticket-creation
path (docs/performance.md, change 16). redis-py pools are thread-safe and
reset themselves in a forked child, so one per URL and options is shared.
"""

import threading

import redis


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
