"""The scale-out profile as an operator runs it (docs/deploy.md): two web
processes and two job consumers, each with its own data directory as if on
its own host, sharing the PostgreSQL and Redis servers of this machine, one
attachments directory and one SECRET_KEY.

A ticket opened on one server and answered on the other sends each email
exactly once. The machine's PostgreSQL and Redis are used, or private ones
started for the session when they are not running (tests/services.py)."""

import fcntl
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from email.header import decode_header, make_header
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg
import pytest
import redis

from . import services
from .test_serve import free_port, smtp_server, wait_for  # noqa: F401 (smtp_server is a fixture)

# A Redis database of its own (the benchmark uses 7), flushed before and after.
REDIS_DB = 11
# Two runs of the suite on one machine would flush each other's Redis database.
LOCK_FILE = Path("/tmp/ventanilla-test-scale-out.lock")
PASSWORD = "clave-de-escala-2468"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LAST_SEEN_INPUT = re.compile(r'name="last_seen" value="(\d+)"')

SETUP_PEOPLE = f"""
import json
from allauth.account.models import EmailAddress
from ventanilla.accounts.models import AgentProfile, Customer, User
from ventanilla.core.models import SiteSettings
from ventanilla.tickets.models import Category, Department

site = SiteSettings.load()
site.agents_require_2fa = False
site.save()
soporte = Department.objects.get(slug="soporte")
for email, name in [("lucia@example.com", "Lucía Cliente"), ("mateo@example.com", "Mateo Agente")]:
    user = User.objects.create_user(email=email, password={PASSWORD!r}, full_name=name)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
Customer.objects.create(user=User.objects.get(email="lucia@example.com"), name="Lucía Cliente",
                        email="lucia@example.com")
AgentProfile.objects.create(user=User.objects.get(email="mateo@example.com")).departments.add(soporte)
category = Category.objects.filter(department=soporte, is_active=True).order_by("pk").first()
print(json.dumps({{"department": soporte.pk, "category": category.pk}}))
"""


class Browser:
    """One person's browser talking to one server: cookies and CSRF token,
    redirects returned rather than followed."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str | None = None) -> tuple[int, str, str]:
        headers = {"Referer": f"http://127.0.0.1:{self.port}{path}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            self.cookies.update({key: morsel.value for key, morsel in cookie.items()})
        return response.status, response.getheader("Location", ""), text

    def get(self, path: str) -> tuple[int, str, str]:
        return self.request("GET", path)

    def post(self, path: str, fields: dict, files: dict | None = None) -> tuple[int, str, str]:
        body, content_type = multipart(fields, files or {})
        return self.request("POST", path, body, content_type)

    def form_page(self, path: str) -> str:
        status, _, html = self.get(path)
        assert status == 200 and CSRF_INPUT.search(html), f"no form at {path} (HTTP {status})"
        return html

    def log_in(self, email: str) -> None:
        token = CSRF_INPUT.search(self.form_page("/cuenta/login/")).group(1)
        status, _, _ = self.post("/cuenta/login/", {
            "csrfmiddlewaretoken": token, "login": email, "password": PASSWORD})
        assert status == 302 and "sessionid" in self.cookies, f"{email} could not log in"


def multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
             .encode() for name, value in fields.items()]
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: text/plain\r\n\r\n'.encode()
                     + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@contextmanager
def machine_lock():
    with LOCK_FILE.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def throwaway_database(prefix="ventanilla_scaleout", redis_url=None):
    """A fresh PostgreSQL database and an empty Redis database, removed afterwards."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    server = services.postgres_url()
    admin = psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=5)
    queue = redis.Redis.from_url(redis_url or services.redis_url(REDIS_DB), socket_connect_timeout=5)
    queue.flushdb()
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        queue.flushdb()


def start(env: dict, args: list[str], log: Path) -> subprocess.Popen:
    with log.open("wb") as out:
        # A process group of its own: uvicorn and Huey fork children.
        return subprocess.Popen([sys.executable, "-m", "ventanilla", *args], env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGINT)  # Huey's graceful signal; uvicorn's too
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def subjects(inbox) -> list[str]:
    return [str(make_header(decode_header(message["Subject"]))) for message in inbox.messages]


def answers(port: int):
    def check():
        try:
            return Browser(port).get("/salud/")[0] == 200
        except OSError:
            return False
    return check


@dataclass
class Cluster:
    port_a: int
    port_b: int
    ids: dict
    logs: dict[str, Path]
    processes: dict[str, subprocess.Popen]

    def log(self, name: str) -> str:
        return self.logs[name].read_text()


@pytest.fixture
def cluster(tmp_path, smtp_server):  # noqa: F811
    """Web servers A (one uvicorn process) and B (two), consumer jobs-1 (two
    processes, periodic jobs on) and jobs-2 (threads, periodic jobs off)."""
    controller, _inbox = smtp_server
    with machine_lock(), throwaway_database() as database_url:
        # Built from scratch: the suite's own DATABASE_URL (CI sets one) must not leak in.
        shared = {k: v for k, v in os.environ.items()
                  if not k.startswith(("DATABASE_", "REDIS_", "HUEY_", "VENTANILLA_", "EMAIL_",
                                       "DJANGO_", "SECRET_KEY"))}
        shared.update(
            DJANGO_SETTINGS_MODULE="ventanilla.settings", DATABASE_URL=database_url,
            REDIS_URL=services.redis_url(REDIS_DB), SECRET_KEY=secrets.token_urlsafe(40),
            VENTANILLA_MEDIA_DIR=str(tmp_path / "shared-attachments"),
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(controller.port), PYTHONUNBUFFERED="1",
            # The consumers say "consumer started" at INFO (the default level is WARNING).
            LOG_LEVEL="INFO",
        )

        def host_env(name: str) -> dict:
            return {**shared, "VENTANILLA_DATA_DIR": str(tmp_path / name)}

        run = [sys.executable, "-m", "ventanilla"]
        subprocess.run([*run, "migrate", "-v0"], env=host_env("web-a"), check=True, timeout=120)
        people = subprocess.run([*run, "shell", "-c", SETUP_PEOPLE], env=host_env("web-a"),
                                check=True, timeout=60, capture_output=True, text=True)
        port_a, port_b = free_port(), free_port()
        commands = {
            "web-a": ["serve", "--no-worker", "--port", str(port_a)],
            "web-b": ["serve", "--no-worker", "--port", str(port_b), "--workers", "2"],
            "jobs-1": ["worker", "--processes", "2"],
            "jobs-2": ["worker", "--no-periodic"],
        }
        cluster = Cluster(port_a=port_a, port_b=port_b,
                          ids=json.loads(people.stdout.strip().splitlines()[-1]),
                          logs={name: tmp_path / f"{name}.log" for name in commands},
                          processes={})
        try:
            for name, args in commands.items():
                cluster.processes[name] = start(host_env(name), args, cluster.logs[name])
            for name, port in (("web-a", port_a), ("web-b", port_b)):
                assert wait_for(answers(port), 30), f"{name} did not start:\n{cluster.log(name)}"
            for name in ("jobs-1", "jobs-2"):
                assert wait_for(lambda n=name: "consumer started" in cluster.log(n), 30), \
                    f"{name} did not start:\n{cluster.log(name)}"
            yield cluster
        finally:
            for process in cluster.processes.values():
                stop(process)


def test_a_ticket_opened_on_one_server_and_answered_on_another_mails_each_step_once(
        cluster, smtp_server):  # noqa: F811
    _controller, inbox = smtp_server

    # Lucía opens a ticket with a log file on server A.
    lucia = Browser(cluster.port_a)
    lucia.log_in("lucia@example.com")
    form = lucia.form_page("/cliente/tickets/nuevo/")
    status, location, _ = lucia.post("/cliente/tickets/nuevo/", {
        "csrfmiddlewaretoken": CSRF_INPUT.search(form).group(1),
        "department": cluster.ids["department"], "category": cluster.ids["category"],
        "subject": "El correo de tienda.mx rebota", "priority": "regular",
        "body": "Desde esta mañana los correos a ventas@tienda.mx vuelven con error 550.",
    }, files={"attachments": ("rebote.txt", b"550 5.1.1 User unknown\n")})
    created = re.fullmatch(r"/cliente/tickets/(\d+)/creado/", location)
    assert status == 302 and created, f"the ticket was not created (HTTP {status})"
    number = created.group(1)

    # Mateo reads it on server B, attachment included, and answers.
    mateo = Browser(cluster.port_b)
    mateo.log_in("mateo@example.com")
    page = mateo.form_page(f"/consola/tickets/{number}/")
    attachment = re.search(r'href="(/adjuntos/\d+/)"', page).group(1)
    assert mateo.get(attachment)[2] == "550 5.1.1 User unknown\n"
    reply = "Corregimos el registro MX de tienda.mx; ya deberían llegar los correos."
    status, location, _ = mateo.post(f"/consola/tickets/{number}/responder/", {
        "csrfmiddlewaretoken": CSRF_INPUT.search(page).group(1),
        "last_seen": LAST_SEEN_INPUT.search(page).group(1),
        "mode": "respuesta", "body": reply, "status_after": "pendiente",
    })
    assert (status, location) == (302, f"/consola/tickets/{number}/"), \
        f"the reply was not sent (HTTP {status})"

    # Each email arrives once, whichever consumer took its job.
    assert wait_for(lambda: any("Respuesta a tu ticket" in s for s in subjects(inbox)), 20), \
        f"no reply email; got {subjects(inbox)}"
    time.sleep(3)  # time enough for a duplicate to show up
    # Mateo, the department's agent, is told of the new ticket once too.
    assert sorted(subjects(inbox)) == [
        f"[#{number}] Recibimos tu ticket: El correo de tienda.mx rebota",
        f"[#{number}] Respuesta a tu ticket: El correo de tienda.mx rebota",
        f"[#{number}] Ticket nuevo en Soporte técnico: El correo de tienda.mx rebota",
    ]
    assert sorted(message["To"] for message in inbox.messages) == [
        "lucia@example.com", "lucia@example.com", "mateo@example.com"]
    jobs_log = cluster.log("jobs-1") + cluster.log("jobs-2")
    assert jobs_log.count("Executing ventanilla.mail.tasks.send_outbound_email") == 3

    # Lucía sees the answer on A, and on B with the same session: no sticky sessions.
    assert reply in lucia.get(f"/cliente/tickets/{number}/")[2]
    assert reply in Browser(cluster.port_b, lucia.cookies).get(f"/cliente/tickets/{number}/")[2]

    # Every process ran throughout; exactly one consumer enqueued periodic jobs.
    stopped = [name for name, process in cluster.processes.items() if process.poll() is not None]
    assert not stopped, f"stopped early: {stopped}"
    assert "started with 2 process" in cluster.log("jobs-1")
    assert "Periodic tasks are enabled" in cluster.log("jobs-1")
    assert "Periodic tasks are disabled" in cluster.log("jobs-2")



def storage_settings(tmp_path, **env) -> dict:
    """STORAGES["default"] as ventanilla.settings builds it from `env` (no S3
    server runs here, and building the settings contacts none)."""
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("VENTANILLA_", "AWS_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-c", "import json; from ventanilla import settings; "
                               "print(json.dumps(settings.STORAGES['default'], default=str))"],
        env={**clean, "VENTANILLA_DATA_DIR": str(tmp_path / "data"), **env},
        check=True, capture_output=True, text=True, timeout=60)
    return json.loads(result.stdout)


def test_attachments_go_to_a_shared_directory_when_one_is_given(tmp_path):
    storage = storage_settings(tmp_path, VENTANILLA_MEDIA_DIR="/srv/nfs/adjuntos")
    assert storage["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storage["OPTIONS"]["location"] == "/srv/nfs/adjuntos"


def test_attachments_go_to_a_private_s3_bucket_when_one_is_named(tmp_path):
    storage = storage_settings(
        tmp_path, VENTANILLA_S3_BUCKET="adjuntos-soporte",
        AWS_S3_ENDPOINT_URL="https://s3.example.net", AWS_S3_REGION_NAME="eu-west-1",
        AWS_ACCESS_KEY_ID="AKIAEJEMPLO", AWS_SECRET_ACCESS_KEY="secreto")
    assert storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "adjuntos-soporte", "location": "attachments",
            "endpoint_url": "https://s3.example.net", "region_name": "eu-west-1",
            "default_acl": "private", "querystring_auth": True, "file_overwrite": False,
        },
    }  # the keys stay in the environment, where django-storages reads them


def test_a_bucket_without_acls_gets_no_acl_header(tmp_path):
    storage = storage_settings(tmp_path, VENTANILLA_S3_BUCKET="adjuntos", VENTANILLA_S3_ACL="")
    assert storage["OPTIONS"]["default_acl"] is None
    assert storage["OPTIONS"]["endpoint_url"] is None  # AWS itself
