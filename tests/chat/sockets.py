"""Helpers to talk to the real ASGI application (origin check, session
auth, routing) through channels' WebsocketCommunicator."""

import asyncio
from concurrent.futures import ThreadPoolExecutor

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.sessions.backends.db import SessionStore
from django.db import connections
from django.test import AsyncClient, Client

from ventanilla.asgi import application
from ventanilla.chat.access import SESSION_KEY

ORIGIN = b"http://127.0.0.1"


async def cookie(user) -> str:
    return await database_sync_to_async(session_cookie_for)(user)


async def visitor_cookie(*chats) -> str:
    return await database_sync_to_async(visitor_session)(*chats)


def session_cookie_for(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def visitor_session(*chats) -> str:
    session = SessionStore()
    session[SESSION_KEY] = [str(chat.token) for chat in chats]
    session.create()
    return session.session_key


async def connect(path: str, *, session: str | None = None, origin: bytes = ORIGIN):
    headers = [(b"origin", origin), (b"host", b"127.0.0.1")]
    if session:
        headers.append((b"cookie", f"sessionid={session}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def receive_until(communicator, frame_type: str, *, timeout: float = 5, **match) -> dict:
    """The next frame of this type (and fields), skipping others."""
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame.get("type") == frame_type and all(frame.get(k) == v for k, v in match.items()):
            return frame


async def flush_layer():
    await get_channel_layer().flush()


def asgi_get(path: str, *, user=None, **params):
    """GET through Django's ASGI handler (pages render the chat only when
    served over ASGI), on an event loop of its own thread: once a browser
    test ran, Playwright keeps a loop running in the main one. The thread
    has its own database connection: use it from transactional tests."""
    async def get(client):
        try:
            return await client.get(path, params)
        finally:
            await close_connections()

    def fetch():
        try:
            client = AsyncClient()
            if user is not None:
                client.force_login(user)
            return asyncio.run(get(client))
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fetch).result()


async def close_connections():
    """Give back the connections of the ORM thread that served the sockets:
    a thread left holding one keeps the test database from being dropped."""
    await database_sync_to_async(connections.close_all)()
