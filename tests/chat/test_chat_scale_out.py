"""Two `ventanilla serve` processes, as on two hosts, sharing PostgreSQL and
a Redis server (database 12, flushed before and after; the machine's, or
private ones started for the session: tests/services.py): a customer
connected to one and an agent connected to the other chat through
channels-redis."""

import json
import re
import secrets
import subprocess
import sys

import pytest
from websockets.sync.client import connect as ws_connect

from .. import services
from ..test_scale_out import (
    CSRF_INPUT,
    PASSWORD,
    Browser,
    answers,
    start,
    stop,
    throwaway_database,
)
from ..test_serve import free_port, wait_for

REDIS_DB = 12

SETUP = f"""
import json
from allauth.account.models import EmailAddress
from ventanilla.accounts.models import AgentProfile, Customer, User
from ventanilla.chat.models import AgentAvailability
from ventanilla.core.models import SiteSettings
from ventanilla.tickets.models import Department

site = SiteSettings.load()
site.agents_require_2fa = False
site.save()
soporte = Department.objects.get(slug="soporte")
for email, name in [("lucia@example.com", "Lucía Cliente"), ("mateo@example.com", "Mateo Agente")]:
    user = User.objects.create_user(email=email, password={PASSWORD!r}, full_name=name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
Customer.objects.create(user=User.objects.get(email="lucia@example.com"), name="Lucía Cliente",
                        email="lucia@example.com")
mateo = User.objects.get(email="mateo@example.com")
AgentProfile.objects.create(user=mateo).departments.add(soporte)
AgentAvailability.objects.create(user=mateo, status="disponible")
print(json.dumps({{"department": soporte.pk}}))
"""


def socket(port: int, path: str, session: str):
    return ws_connect(f"ws://127.0.0.1:{port}{path}", origin=f"http://127.0.0.1:{port}",
                      additional_headers={"Cookie": f"sessionid={session}"}, open_timeout=10)


def next_frame(ws, frame_type: str, timeout: float = 10, **match) -> dict:
    while True:
        frame = json.loads(ws.recv(timeout=timeout))
        if frame["type"] == frame_type and all(frame.get(k) == v for k, v in match.items()):
            return frame


@pytest.fixture
def two_servers(tmp_path):
    redis_url = services.redis_url(REDIS_DB)
    with throwaway_database("ventanilla_chat_scale", redis_url) as database_url:
        env = {k: v for k, v in __import__("os").environ.items()
               if not k.startswith(("DATABASE_", "REDIS_", "HUEY_", "VENTANILLA_", "EMAIL_",
                                    "DJANGO_", "SECRET_KEY"))}
        env.update(DJANGO_SETTINGS_MODULE="ventanilla.settings", DATABASE_URL=database_url,
                   REDIS_URL=redis_url, SECRET_KEY=secrets.token_urlsafe(40), PYTHONUNBUFFERED="1")
        run = [sys.executable, "-m", "ventanilla"]
        host = {**env, "VENTANILLA_DATA_DIR": str(tmp_path / "setup")}
        subprocess.run([*run, "migrate", "-v0"], env=host, check=True, timeout=120)
        ids = json.loads(subprocess.run([*run, "shell", "-c", SETUP], env=host, check=True,
                                        timeout=60, capture_output=True, text=True)
                         .stdout.strip().splitlines()[-1])
        ports = {"a": free_port(), "b": free_port()}
        logs = {name: tmp_path / f"web-{name}.log" for name in ports}
        processes = {}
        try:
            for name, port in ports.items():
                processes[name] = start({**env, "VENTANILLA_DATA_DIR": str(tmp_path / name)},
                                        ["serve", "--no-worker", "--port", str(port)], logs[name])
            for name, port in ports.items():
                assert wait_for(answers(port), 30), f"{name} did not start:\n{logs[name].read_text()}"
            yield ports, ids
        finally:
            for process in processes.values():
                stop(process)


def test_a_customer_on_one_server_and_an_agent_on_another_chat_through_redis(two_servers):
    ports, ids = two_servers
    lucia = Browser(ports["a"])
    lucia.log_in("lucia@example.com")
    mateo = Browser(ports["b"])
    mateo.log_in("mateo@example.com")

    status, _, panel = lucia.get("/chat/?parcial=1")
    assert status == 200
    status, _, body = lucia.post("/chat/iniciar/", {
        "csrfmiddlewaretoken": CSRF_INPUT.search(panel).group(1),
        "department": ids["department"], "message": "Mi correo rebota"})
    assert status == 200, body
    token = json.loads(body)["token"]

    with socket(ports["b"], "/ws/consola/chat/", mateo.cookies["sessionid"]) as agent, \
            socket(ports["a"], f"/ws/chat/{token}/", lucia.cookies["sessionid"]) as customer:
        console = next_frame(agent, "console")
        chat_id = next(c["id"] for c in console["chats"] if c["mine"])
        agent.send(json.dumps({"type": "open", "chat": chat_id}))
        history = next_frame(agent, "history", chat=chat_id)
        assert "Mi correo rebota" in [m["body"] for m in history["messages"]]
        next_frame(customer, "state", agent="Mateo")  # named once his console opened it

        customer.send(json.dumps({"type": "message", "body": "¿Me ayudas?", "client_id": "l1"}))
        assert next_frame(customer, "ack")["client_id"] == "l1"
        assert next_frame(agent, "message", kind="cliente")["body"] == "¿Me ayudas?"

        agent.send(json.dumps({"type": "typing", "chat": chat_id}))
        assert next_frame(customer, "typing")["name"] == "Mateo"
        agent.send(json.dumps({"type": "message", "chat": chat_id, "body": "Claro, reviso tu MX",
                               "client_id": "m1"}))
        reply = next_frame(customer, "message", kind="agente")
        assert reply["body"] == "Claro, reviso tu MX"
        assert re.fullmatch(r"\d+", str(reply["seq"]))
