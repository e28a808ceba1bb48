"""HTTP requests under ASGI reuse threads (and so database connections)
instead of starting a thread per request (ventanilla/core/request_threads.py)."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from django.db import connection
from django.db.backends.signals import connection_created

from ventanilla.core.request_threads import RequestThreads

from . import services


def run(coroutine):
    """asyncio.run on a thread of its own: the Playwright tests of the same
    session leave an event loop running on the main thread."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


async def served_get(path: str) -> int:
    """GET `path` through ventanilla.asgi's real application; the status."""
    from ventanilla.asgi import application

    sent = []
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if messages:
            return messages.pop()
        await asyncio.Future()  # the client stays connected

    async def send(message):
        sent.append(message)

    await application({
        "type": "http", "method": "GET", "path": path, "raw_path": path.encode(),
        "query_string": b"", "headers": [(b"host", b"127.0.0.1")],
        "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 5000), "scheme": "http",
        "http_version": "1.1", "asgi": {"version": "3.0"},
    }, receive, send)
    return sent[0]["status"]


def http_scope(path="/"):
    return {"type": "http", "method": "GET", "path": path, "headers": []}


class ThreadApp:
    """An ASGI app whose sync part reports the thread it ran on, like a
    Django view run through sync_to_async(thread_sensitive=True)."""

    def __init__(self, work=None, gate: asyncio.Event | None = None):
        self.threads: list[int] = []
        self.work = work or (lambda: None)
        self.gate = gate

    async def __call__(self, scope, receive, send):
        def view():
            self.work()
            return threading.get_ident()

        self.threads.append(await sync_to_async(view)())
        if self.gate is not None:
            await self.gate.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def request(app):
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await app(http_scope(), receive, send)
    return sent[0]["status"]


def test_sequential_requests_run_on_one_reused_thread():
    inner = ThreadApp()
    app = RequestThreads(inner)

    async def main():
        return [await request(app) for _ in range(5)]

    assert run(main()) == [200] * 5
    assert len(set(inner.threads)) == 1
    assert len(app.idle) == 1


def test_concurrent_requests_get_their_own_threads():
    gate = asyncio.Event()
    inner = ThreadApp()

    async def main():
        inner.gate = gate
        app = RequestThreads(inner)
        tasks = [asyncio.create_task(request(app)) for _ in range(3)]
        while len(inner.threads) < 3:
            await asyncio.sleep(0.01)
        gate.set()
        statuses = await asyncio.gather(*tasks)
        return app, statuses

    app, statuses = run(main())
    assert statuses == [200] * 3
    assert len(set(inner.threads)) == 3
    assert len(app.idle) == 3


def test_a_cancelled_request_does_not_hand_its_thread_on():
    started = threading.Event()
    release = threading.Event()

    def slow():
        started.set()
        release.wait(5)

    inner = ThreadApp(work=slow)
    app = RequestThreads(inner)

    async def main():
        task = asyncio.create_task(request(app))
        while not started.is_set():
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()

    run(main())
    assert app.idle == []


def test_idle_threads_are_bounded():
    gate = asyncio.Event()
    inner = ThreadApp(gate=gate)

    async def main():
        app = RequestThreads(inner, max_idle=2)
        tasks = [asyncio.create_task(request(app)) for _ in range(4)]
        while len(inner.threads) < 4:
            await asyncio.sleep(0.01)
        gate.set()
        await asyncio.gather(*tasks)
        return app

    assert len(run(main()).idle) == 2


def test_websocket_scopes_pass_through():
    seen = []

    async def inner(scope, receive, send):
        seen.append(scope["type"])

    run(RequestThreads(inner)({"type": "websocket"}, None, None))
    assert seen == ["websocket"]


@pytest.mark.django_db(transaction=True)
def test_the_served_application_keeps_one_database_connection_across_requests():
    """Through ventanilla.asgi's real application: five requests to a page
    that reads the database open one connection, not five."""
    opened = []

    def count(sender, connection, **kwargs):
        opened.append(threading.get_ident())

    connection_created.connect(count, weak=False)
    try:
        async def main():
            return [await served_get("/cuenta/login/") for _ in range(5)]

        statuses = run(main())
    finally:
        connection_created.disconnect(count)
    assert statuses == [200] * 5
    assert opened and len(set(opened)) == 1, opened
    if connection.vendor == "sqlite":
        # Kept open (CONN_MAX_AGE); PostgreSQL hands it back to its pool
        # after each request, so there it is taken five times, on one thread.
        assert len(opened) == 1, opened


def test_redis_cache_objects_share_one_connection_pool():
    """Django builds a cache object per request context under ASGI; each
    used to open its own pool (and a new TCP connection to Redis)."""
    from django.core.cache.backends.redis import RedisCache

    from ventanilla.core.cache import SharedConnectionPool

    options = {"OPTIONS": {"pool_class": "ventanilla.core.cache.SharedConnectionPool"}}
    first = RedisCache(services.redis_url(15), options)
    second = RedisCache(services.redis_url(15), options)
    other_db = RedisCache(services.redis_url(14), options)
    pool = first._cache._get_connection_pool(write=True)
    assert isinstance(pool, SharedConnectionPool)
    assert second._cache._get_connection_pool(write=True) is pool
    assert other_db._cache._get_connection_pool(write=True) is not pool

    first.set("ventanilla-test-shared-pool", 1, 5)
    assert second.get("ventanilla-test-shared-pool") == 1
    first.delete("ventanilla-test-shared-pool")
    created_connections = pool._created_connections
    for _ in range(5):
        RedisCache(services.redis_url(15), options).get("ventanilla-test-shared-pool")
    assert pool._created_connections == created_connections


def test_a_request_switches_between_event_loop_and_thread_a_bounded_number_of_times():
    """Each switch costs (docs/performance.md, change 17): a sync-only
    middleware between async-capable ones made Django run every
    async-capable hook below it through its own sync_to_async."""
    from asgiref.sync import AsyncToSync, SyncToAsync

    switches = []
    originals = SyncToAsync.__call__, AsyncToSync.__call__

    async def to_thread(self, *args, **kwargs):
        switches.append(("sync_to_async", getattr(self.func, "__qualname__", "")))
        return await originals[0](self, *args, **kwargs)

    def to_loop(self, *args, **kwargs):
        switches.append(("async_to_sync", getattr(self.awaitable, "__qualname__", "")))
        return originals[1](self, *args, **kwargs)

    async def main():
        return await served_get("/salud/")

    run(main())  # warm up: the middleware chain is built on first use
    SyncToAsync.__call__, AsyncToSync.__call__ = to_thread, to_loop
    try:
        assert run(main()) == 200
    finally:
        SyncToAsync.__call__, AsyncToSync.__call__ = originals
    # Request started, the sync middleware chain, back to the async base
    # handler, CsrfViewMiddleware.process_view, the view, closing the
    # response (request finished): no more.
    assert len(switches) <= 6, switches
