"""`ventanilla serve` as an operator runs it: uvicorn and a job consumer on a
fresh data directory, sending mail to a real SMTP server."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox(MessageHandler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def handle_message(self, message):
        self.messages.append(message)


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def wait_for(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=False)
def test_serve_answers_http_and_its_consumer_sends_queued_mail(tmp_path, smtp_server):
    controller, inbox = smtp_server
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL",
                                                            "HUEY_IMMEDIATE"}}
    env.update(VENTANILLA_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="ventanilla.settings",
               EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(controller.port), HOST="127.0.0.1",
               PORT=str(port))
    run = [sys.executable, "-m", "ventanilla"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, timeout=120)
    server = subprocess.Popen([*run, "serve"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        def healthy():
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/salud/", timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        assert wait_for(healthy), "the server did not answer /salud/"
        script = (
            "from ventanilla.accounts.models import Customer;"
            "from ventanilla.tickets.models import Department;"
            "from ventanilla.tickets.services import ticket_create;"
            "c = Customer.objects.create(name='Ana', email='ana@example.com');"
            "ticket_create(customer=c, subject='Correo caído', body='No llega nada',"
            " department=Department.objects.get(slug='soporte'))"
        )
        subprocess.run([*run, "shell", "-c", script], env=env, check=True, timeout=60)
        assert wait_for(lambda: inbox.messages), "the consumer did not send the queued email"
        assert inbox.messages[0]["To"] == "ana@example.com"
        subject = str(make_header(decode_header(inbox.messages[0]["Subject"])))
        assert "Correo caído" in subject
    finally:
        server.terminate()
        server.wait(timeout=15)
    # At the default LOG_LEVEL (WARNING) the consumer does not log every job.
    output = server.stdout.read().decode()
    assert "INFO" not in output and "Traceback" not in output, output


@pytest.mark.django_db(transaction=False)
def test_the_consumer_does_not_outlive_a_killed_server(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL",
                                                            "HUEY_IMMEDIATE"}}
    env.update(VENTANILLA_DATA_DIR=str(tmp_path / "data"), DJANGO_SETTINGS_MODULE="ventanilla.settings",
               HOST="127.0.0.1", PORT=str(port))
    run = [sys.executable, "-m", "ventanilla"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, timeout=120)
    server = subprocess.Popen([*run, "serve"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    children_file = f"/proc/{server.pid}/task/{server.pid}/children"
    assert wait_for(lambda: open(children_file).read().split()), "serve started no consumer"
    consumer = int(open(children_file).read().split()[0])
    server.kill()
    server.wait(timeout=10)
    assert wait_for(lambda: not os.path.exists(f"/proc/{consumer}") or
                    "zombie" in open(f"/proc/{consumer}/status").read(), seconds=15)
