"""`ventanilla mail lmtp` as an MTA talks to it: the standard library's
LMTP client (smtplib.LMTP) over a Unix socket and over loopback TCP, one
reply per recipient after DATA (RFC 2033): 250 stored, 451 try again later
(the MTA keeps the message), 552/554 never (the MTA bounces it), 550 at
RCPT for an address that is no mailbox of ours."""

import os
import smtplib
import sqlite3
import subprocess
import sys
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.db import connection

from ventanilla.mail.lmtp import LMTPThread
from ventanilla.mail.models import InboundMessage
from ventanilla.tickets.models import Ticket

from .test_serve import wait_for


def message(subject="No me llegan los correos", sender="lucia@cliente.example",
            to="soporte@example.com", body="Desde ayer no recibo nada en mi buzón.") -> bytes:
    mail = EmailMessage()
    mail["From"] = f"Lucía Pérez <{sender}>"
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain="cliente.example")
    mail.set_content(body)
    return mail.as_bytes()


def send(client: smtplib.LMTP, raw: bytes, recipients: list[str]) -> tuple[list, list]:
    """One LMTP transaction: the RCPT replies, then one DATA reply per
    accepted recipient (smtplib reads only the first one itself)."""
    client.ehlo()
    client.mail("lucia@cliente.example")
    rcpt = [client.rcpt(address) for address in recipients]
    accepted = sum(1 for code, _ in rcpt if code == 250)
    data = [client.data(raw)] + [client.getreply() for _ in range(accepted - 1)]
    return rcpt, data


@pytest.fixture(params=["unix", "tcp"])
def lmtp(request, tmp_path):
    """A running intake and a connected client, over either transport."""
    where = {"socket_path": str(tmp_path / "lmtp.sock")} if request.param == "unix" else {"port": 0}
    with LMTPThread(**where) as intake:
        if intake.socket_path:
            client = smtplib.LMTP(intake.socket_path)
        else:
            client = smtplib.LMTP("127.0.0.1", intake.port)
        yield client
        client.close()


@pytest.fixture
def tcp_intake():
    with LMTPThread(port=0) as intake:
        yield intake


def sqlite_only():
    """The lock is SQLite's (another connection's BEGIN EXCLUSIVE on the test
    database's file); PostgreSQL waits for a row lock instead of failing,
    and its unreachable server is test_mail_pipe's case (the same rule,
    mail/delivery.py)."""
    if connection.vendor != "sqlite":
        pytest.skip("bloqueo de SQLite / an SQLite lock")


def stored(message_id_fragment: str) -> int:
    return InboundMessage.objects.filter(message_id__contains=message_id_fragment).count()


@pytest.mark.django_db(transaction=True)
def test_a_message_is_stored_as_a_ticket_and_answered_250(lmtp):
    rcpt, data = send(lmtp, message(), ["soporte@example.com"])
    assert rcpt == [(250, b"2.1.5 OK")]
    ticket = Ticket.objects.get()
    assert ticket.subject == "No me llegan los correos"
    assert ticket.department.slug == "soporte"
    assert data == [(250, f"2.0.0 Stored as guardado ticket {ticket.number} (soporte)".encode())]


@pytest.mark.django_db(transaction=True)
def test_two_recipients_get_a_reply_each_and_the_message_is_stored_once(tcp_intake):
    client = smtplib.LMTP("127.0.0.1", tcp_intake.port)
    raw = message(to="soporte@example.com, facturacion@example.com")
    rcpt, data = send(client, raw, ["soporte@example.com", "Facturacion@Example.com"])
    assert [code for code, _ in rcpt] == [250, 250]
    assert [code for code, _ in data] == [250, 250]
    # One message, one ticket: the first recipient's mailbox opened it, the
    # second recognised the same message.
    assert Ticket.objects.get().department.slug == "soporte"
    assert data[1][1].startswith(b"2.0.0 Already stored")
    client.quit()


@pytest.mark.django_db(transaction=True)
def test_a_tagged_address_reaches_its_mailbox(tcp_intake):
    client = smtplib.LMTP("127.0.0.1", tcp_intake.port)
    rcpt, data = send(client, message(), ["facturacion+urgente@example.com"])
    assert rcpt == [(250, b"2.1.5 OK")] and data[0][0] == 250
    assert Ticket.objects.get().department.slug == "facturacion"
    client.quit()


@pytest.mark.django_db(transaction=True)
def test_an_unknown_recipient_is_refused_at_rcpt_and_the_others_still_get_it(tcp_intake):
    client = smtplib.LMTP("127.0.0.1", tcp_intake.port)
    rcpt, data = send(client, message(), ["ventas@example.com", "soporte@example.com"])
    assert rcpt[0] == (550, b"5.1.1 <ventas@example.com>: no such mailbox here")
    assert rcpt[1][0] == 250
    assert [code for code, _ in data] == [250]
    assert Ticket.objects.count() == 1
    # Only unknown recipients: DATA is refused (RFC 2033: 503), nothing stored.
    client.mail("lucia@cliente.example")
    assert client.rcpt("nadie@example.com")[0] == 550
    assert client.docmd("DATA")[0] == 503
    client.quit()


@pytest.mark.django_db(transaction=True)
def test_a_locked_database_answers_451_and_the_redelivery_is_stored_once(tcp_intake):
    """Another connection holds the database's write lock: the MTA is told
    to keep the message (451), and once the lock is gone its retry is
    stored, once."""
    sqlite_only()
    raw = message(subject="Factura duplicada")
    message_id = raw.split(b"Message-ID: <")[1].split(b">")[0].decode()
    client = smtplib.LMTP("127.0.0.1", tcp_intake.port)
    client.ehlo()
    client.mail("lucia@cliente.example")
    assert client.rcpt("soporte@example.com")[0] == 250
    holder = sqlite3.connect(connection.settings_dict["NAME"], uri=True, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO django_migrations (app, name, applied) "
                   "VALUES ('bloqueo', 'bloqueo', '2026-12-08')")
    try:
        data = client.data(raw)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert data[0] == 451, data
    assert data[1].startswith(b"4.3.0 ")
    assert stored(message_id) == 0 and Ticket.objects.count() == 0
    # The MTA retries: stored, once; a second retry is recognised.
    for attempt in range(2):
        rcpt, replies = send(client, raw, ["soporte@example.com"])
        assert replies[0][0] == 250, (attempt, replies)
    assert stored(message_id) == 1 and Ticket.objects.count() == 1
    client.quit()


@pytest.mark.django_db(transaction=True)
def test_a_mailbox_lookup_that_fails_answers_451_at_rcpt(tcp_intake):
    sqlite_only()
    holder = sqlite3.connect(connection.settings_dict["NAME"], uri=True, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("UPDATE mail_mailbox SET poll_every_seconds = poll_every_seconds")
    client = smtplib.LMTP("127.0.0.1", tcp_intake.port)
    try:
        client.ehlo()
        client.mail("lucia@cliente.example")
        code, reply = client.rcpt("soporte@example.com")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert (code, reply[:6]) == (451, b"4.3.0 ")
    client.quit()


@pytest.mark.django_db(transaction=True)
def test_a_message_over_the_limit_is_refused_552_for_every_recipient(settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAX_MESSAGE_BYTES": 512 * 1024}  # 1 MB intake
    big = message(body="línea de registro del servidor de correo\n" * 30_000)
    assert len(big) > 1024 * 1024
    with LMTPThread(port=0) as intake:
        client = smtplib.LMTP("127.0.0.1", intake.port)
        # A client that announces the size is refused at MAIL FROM...
        client.ehlo()
        assert b"SIZE 1048576" in client.ehlo_resp
        code, _ = client.mail("lucia@cliente.example", [f"SIZE={len(big)}"])
        assert code == 552
        client.rset()
        # ...and one that does not gets a 552 per recipient after DATA.
        client.mail("lucia@cliente.example")
        client.rcpt("soporte@example.com")
        client.rcpt("abuse@example.com")
        replies = [client.data(big), client.getreply()]
        assert replies == [(552, b"5.3.4 Message too big: larger than 1 MB")] * 2
        # The session goes on: the next message is stored.
        rcpt, data = send(client, message(), ["soporte@example.com"])
        assert data[0][0] == 250
        client.quit()
    assert InboundMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_empty_message_is_refused_554(tcp_intake):
    client = smtplib.LMTP("127.0.0.1", tcp_intake.port)
    rcpt, data = send(client, b"", ["soporte@example.com"])
    assert data == [(554, b"5.6.0 Message not stored: the input is empty.")]
    assert InboundMessage.objects.count() == 0
    client.quit()


def gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as file:
            return "zombie" in file.read()
    except FileNotFoundError:
        return True


def children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as file:
        return [int(child) for child in file.read().split()]


@pytest.mark.django_db(transaction=False)
def test_serve_starts_the_lmtp_intake_when_configured_and_stops_it(tmp_path):
    from .test_mail_pipe import environment, rows
    from .test_serve import free_port

    data_dir = tmp_path / "data"
    socket_path = tmp_path / "lmtp.sock"
    env = {**environment(data_dir), "HOST": "127.0.0.1", "PORT": str(free_port()),
           "VENTANILLA_LMTP_SOCKET": str(socket_path), "VENTANILLA_LMTP_PROCESSES": "2"}
    run = [sys.executable, "-m", "ventanilla"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, timeout=180)
    server = subprocess.Popen([*run, "serve", "--no-worker"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    try:
        assert wait_for(socket_path.exists, seconds=120), "serve started no LMTP intake"
        client = smtplib.LMTP(str(socket_path))
        rcpt, data = send(client, message(subject="Dominio caído"), ["soporte@example.com"])
        client.quit()
        assert data[0][0] == 250, data
        assert rows(data_dir, "SELECT subject FROM tickets_ticket") == [("Dominio caído",)]
        assert oct(os.stat(socket_path).st_mode & 0o777) == "0o660"
        # Two processes accept on the one socket.
        intake = children(server.pid)[0]
        workers = children(intake)
        assert len(workers) == 2
    finally:
        server.terminate()
        server.wait(timeout=90)
    # SIGTERM reached the intake (from serve, or as its parent's death
    # signal when serve was stopped before uvicorn took over SIGTERM), which
    # stopped its processes and removed its socket on the way out.
    assert wait_for(lambda: not socket_path.exists(), seconds=60)
    assert wait_for(lambda: all(gone(pid) for pid in [intake, *workers]), seconds=60)
    output = server.stdout.read().decode()
    assert "Traceback" not in output, output
