"""Live chat latency for `make bench`: N concurrent chats (a visitor and an
agent each) on one `ventanilla serve`, next to a bare WebSocket echo on the
same server as the floor (ws/eco/, routed only with VENTANILLA_CHAT_ECHO=1).

Every visitor sends messages one after another (a think time apart); for
each message it records the round trip to its acknowledgement (stored in
the database, then acknowledged) and the time until the agent's console
socket receives it. The echo clients do the same against ws/eco/. Prints
one JSON object: p50/p95/p99 per level.

Runs as its own process with the backend's environment (bench/run.py sets
DATABASE_URL / REDIS_URL / VENTANILLA_DATA_DIR). SQLite runs one uvicorn
worker (the in-memory channel layer does not cross processes); with Redis,
--workers."""

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
django.setup()

import websockets  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from ventanilla.accounts.models import AgentProfile, User  # noqa: E402
from ventanilla.chat.access import SESSION_KEY as CHAT_TOKENS  # noqa: E402
from ventanilla.chat.models import AgentAvailability, Chat  # noqa: E402
from ventanilla.tickets.models import Department  # noqa: E402

CHATS_PER_AGENT = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * p))] * 1000, 2)


def summary(values: list[float], errors: int) -> dict:
    return {"messages": len(values), "errors": errors, "p50_ms": percentile(values, .50),
            "p95_ms": percentile(values, .95), "p99_ms": percentile(values, .99)}


def prepare(chats: int) -> tuple[list[str], list[tuple[str, str]], list[int]]:
    """Agents (with sessions) and active chats (each with a visitor session).
    Returns agent session keys and (visitor session, chat token) pairs."""
    department = Department.objects.get(slug="soporte")
    agents = []
    for n in range(max(1, -(-chats // CHATS_PER_AGENT))):
        user, created = User.objects.get_or_create(email=f"bench-chat-{n}@example.com",
                                                   defaults={"full_name": f"Agente {n}"})
        if created:
            AgentProfile.objects.create(user=user).departments.add(department)
        AgentAvailability.objects.update_or_create(
            user=user, defaults={"status": "ausente", "max_chats": CHATS_PER_AGENT})
        agents.append(user)
    now = datetime.now(UTC)
    made = Chat.objects.bulk_create([
        # Accepted and joined already: opening them in the console writes nothing.
        Chat(department=department, name=f"Visitante {n}", email=f"v{n}@example.org",
             status=Chat.Status.ACTIVE, agent=agents[n // CHATS_PER_AGENT],
             accepted_at=now, joined_at=now)
        for n in range(chats)])
    sessions = []
    for agent in agents:
        store = SessionStore()
        store.update({SESSION_KEY: str(agent.pk), HASH_SESSION_KEY: agent.get_session_auth_hash(),
                      BACKEND_SESSION_KEY: "ventanilla.accounts.backends.ModelBackend"})
        store.create()
        sessions.append(store.session_key)
    visitors = []
    for chat in made:
        store = SessionStore()
        store[CHAT_TOKENS] = [str(chat.token)]
        store.create()
        visitors.append((store.session_key, str(chat.token)))
    return sessions, visitors, [chat.pk for chat in made]


class Server:
    def __init__(self, workers: int, log: Path):
        self.port = free_port()
        self.log = log.open("w")
        env = {**os.environ, "VENTANILLA_CHAT_ECHO": "1", "HOST": "127.0.0.1",
               "PORT": str(self.port)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ventanilla", "serve", "--workers", str(workers), "--no-worker"],
            env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/salud/", timeout=2):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited; see {log}") from None
                time.sleep(0.3)
        raise RuntimeError(f"server did not start; see {log}")

    def stop(self):
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def connect(port: int, path: str, session: str | None = None):
    headers = {"Cookie": f"sessionid={session}"} if session else None
    return websockets.connect(f"ws://127.0.0.1:{port}{path}", origin=f"http://127.0.0.1:{port}",
                              additional_headers=headers, open_timeout=60, max_queue=None)


async def echo_level(port: int, clients: int, messages: int, think: float) -> dict:
    times: list[float] = []
    errors = 0

    async def one(n: int):
        nonlocal errors
        try:
            async with connect(port, "/ws/eco/") as ws:
                await asyncio.sleep(random.random() * think)
                for i in range(messages):
                    started = time.perf_counter()
                    await ws.send(json.dumps({"n": n, "i": i, "body": "hola " * 8}))
                    await asyncio.wait_for(ws.recv(), 30)
                    times.append(time.perf_counter() - started)
                    await asyncio.sleep(think)
        except Exception:  # noqa: BLE001 (counted, the run goes on)
            errors += 1

    await asyncio.gather(*(one(n) for n in range(clients)))
    return summary(times, errors)


async def chat_level(port: int, agent_sessions, visitors, chat_ids, messages: int,
                     think: float) -> dict:
    acks: list[float] = []
    deliveries: list[float] = []
    sent_at: dict[str, float] = {}
    delivered: dict[str, asyncio.Event] = {}
    errors = 0
    agents = []
    for n, session in enumerate(agent_sessions):
        ws = await connect(port, "/ws/consola/chat/", session)
        agents.append(ws)
        for chat_id in chat_ids[n * CHATS_PER_AGENT:(n + 1) * CHATS_PER_AGENT]:
            await ws.send(json.dumps({"type": "open", "chat": chat_id}))

    async def read_agent(ws):
        async for raw in ws:
            frame = json.loads(raw)
            if frame.get("type") == "message" and frame.get("kind") == "cliente":
                key = frame["body"]
                if key in sent_at:
                    deliveries.append(time.perf_counter() - sent_at[key])
                    delivered[key].set()

    readers = [asyncio.create_task(read_agent(ws)) for ws in agents]
    await asyncio.sleep(1)  # the "open" frames are processed

    async def visitor(n: int, session: str, token: str):
        nonlocal errors
        try:
            async with connect(port, f"/ws/chat/{token}/", session) as ws:
                await asyncio.sleep(random.random() * think)
                for i in range(messages):
                    key = f"m-{n}-{i} ¿me ayudas con el MX de mi dominio?"
                    delivered[key] = asyncio.Event()
                    sent_at[key] = started = time.perf_counter()
                    await ws.send(json.dumps({"type": "message", "body": key,
                                              "client_id": f"{n}-{i}"}))
                    while True:
                        frame = json.loads(await asyncio.wait_for(ws.recv(), 30))
                        if frame.get("type") == "ack":
                            acks.append(time.perf_counter() - started)
                            break
                    await asyncio.wait_for(delivered[key].wait(), 30)
                    await asyncio.sleep(think)
        except Exception:  # noqa: BLE001 (counted, the run goes on)
            errors += 1

    await asyncio.gather(*(visitor(n, s, t) for n, (s, t) in enumerate(visitors)))
    for task in readers:
        task.cancel()
    for ws in agents:
        await ws.close()
    return {"stored_and_acked": summary(acks, errors), "delivered_to_agent": summary(deliveries, errors)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--levels", default="100,500,1000")
    parser.add_argument("--messages", type=int, default=5, help="messages per chat")
    # A person in a chat writes every few seconds at most, not in a tight loop.
    parser.add_argument("--think", type=float, default=5.0, help="seconds between messages")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--log", default=str(ROOT / "bench" / "data" / "chat-server.log"))
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the server inherits it
    workers = args.workers if os.environ.get("REDIS_URL") else 1
    levels = [int(n) for n in args.levels.split(",")]
    prepared = {n: prepare(n) for n in levels}
    Path(args.log).parent.mkdir(parents=True, exist_ok=True)
    server = Server(workers, Path(args.log))
    results = {"workers": workers, "messages_per_chat": args.messages, "think_s": args.think,
               "levels": []}
    try:
        for n in levels:
            agents, visitors, chat_ids = prepared[n]
            floor = asyncio.run(echo_level(server.port, n, args.messages, args.think))
            chat = asyncio.run(chat_level(server.port, agents, visitors, chat_ids, args.messages,
                                          args.think))
            results["levels"].append({"chats": n, "echo_floor": floor, **chat})
    finally:
        server.stop()
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
