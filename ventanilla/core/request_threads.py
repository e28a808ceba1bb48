"""Reuse the threads Django runs sync views on under ASGI.

Django's ASGI handler enters a fresh `ThreadSensitiveContext()` per request,
and asgiref gives each such context a new single-thread executor: every HTTP
request starts a thread, and every request opens a new database connection
(connections are per thread), because the thread that kept the last one is
gone. On the development machine that was ~1.7 ms for the thread and ~2.2 ms
for an SQLite connection with its PRAGMAs, per request
(docs/performance.md, change 15).

`RequestThreads` wraps the HTTP application and hands each request a
single-thread executor from a free list, through asgiref's documented
`ThreadSensitiveContext(executor=...)` ("you may use it again for a later
block, for example in a pool"). Django's own context inside it is then a
no-op. A request still has its own thread while it runs, as before, so a
slow request never blocks another; idle threads keep their connection
(SQLite: `CONN_MAX_AGE`; PostgreSQL returns it to psycopg's pool at the end
of the request as before).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext


class RequestThreads:
    def __init__(self, app, *, max_idle: int = 16):
        self.app = app
        self.max_idle = max_idle
        self.idle: list[ThreadPoolExecutor] = []

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        executor = self.idle.pop() if self.idle else ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="ventanilla-request")
        reusable = False
        try:
            async with ThreadSensitiveContext(executor=executor):
                await self.app(scope, receive, send)
            reusable = True
        finally:
            # A cancelled request may leave a sync call running on the thread
            # (sync_to_async shields it): never hand that thread to another
            # request, let it finish and end.
            if reusable and len(self.idle) < self.max_idle:
                self.idle.append(executor)
            else:
                executor.shutdown(wait=False)
