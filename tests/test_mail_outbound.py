"""Notification emails through a real SMTP server (aiosmtpd on loopback):
the headers that make a conversation thread in every client, who receives
them, and what happens while the mail server is down."""

import re
import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from ventanilla.accounts.models import User
from ventanilla.core.models import SiteSettings
from ventanilla.mail import outbound, tasks
from ventanilla.mail.models import (
    Mailbox,
    NotificationAddress,
    OutboundEmail,
    Participant,
    ThreadId,
)
from ventanilla.tickets import services
from ventanilla.tickets.models import Channel, Status
from ventanilla.tickets.status import Role

from .conftest import make_customer
from .test_serve import free_port

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
MESSAGE_ID = re.compile(r"^<[^<>@\s]+@example\.com>$")


class Recorder:
    """An aiosmtpd handler that keeps each message with its envelope."""

    def __init__(self):
        self.messages = []
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        message.recipients = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    """A running SMTP server that Django sends to."""
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_TIMEOUT = 5
    yield recorder
    controller.stop()


@pytest.fixture
def smtp_down(settings):
    """Django sends to a port where nothing listens (connection refused);
    start() brings a server up there."""

    class Down:
        port = free_port()
        recorder = Recorder()
        controller = None

        def start(self):
            self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)
            self.controller.start()
            return self.recorder

    down = Down()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = down.port
    settings.EMAIL_TIMEOUT = 5
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", down.port)) != 0, "the port should be closed"
    yield down
    if down.controller:
        down.controller.stop()


@pytest.fixture(autouse=True)
def _empty_job_schedule():
    """Huey's immediate mode keeps scheduled retries in memory: start clean."""
    HUEY.storage.flush_all()
    yield
    HUEY.storage.flush_all()


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a service and what it queues on commit (emails included)."""

    def _commit(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return _commit


@pytest.fixture
def support_mailbox(soporte):
    mailbox = Mailbox.objects.get(department=soporte)
    mailbox.address = "ayuda@hosting.test"
    mailbox.save()
    return mailbox


def run_due_jobs() -> int:
    """What the consumer's scheduler does every second: run the scheduled
    jobs whose time has come."""
    due = HUEY.read_schedule(datetime.now(UTC).replace(tzinfo=None))
    for task in due:
        HUEY.execute(task)
    return len(due)


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def html_of(message) -> str:
    return message.get_body(("html",)).get_content()


# --- Threading and headers ---------------------------------------------------

def test_a_conversation_threads_from_the_first_email_to_the_auto_close(
        smtp, commit, alice, carla, make_ticket, support_mailbox):
    with time_machine.travel(START, tick=False) as clock:
        ticket = commit(make_ticket, alice, subject="No puedo enviar correos")
        clock.shift(timedelta(minutes=5))
        commit(services.ticket_agent_reply, ticket, agent=carla,
               body="Prueba con el puerto 465 & SSL <activado>.")
        clock.shift(timedelta(hours=1))
        commit(services.ticket_status_set, ticket, actor=carla, role=Role.AGENT,
               status=Status.RESOLVED)
        clock.shift(timedelta(days=SiteSettings.load().auto_close_days, minutes=1))
        commit(services.tickets_auto_close)

    created, reply, resolved, closed = smtp.messages
    ids = [message["Message-ID"] for message in smtp.messages]
    assert all(MESSAGE_ID.match(message_id) for message_id in ids)
    assert len(set(ids)) == 4

    # The first email starts the thread; each later one answers the one before.
    assert created["In-Reply-To"] is None and created["References"] is None
    assert reply["In-Reply-To"] == ids[0] and reply["References"] == ids[0]
    assert resolved["In-Reply-To"] == ids[1] and resolved["References"] == f"{ids[0]} {ids[1]}"
    assert closed["In-Reply-To"] == ids[2] and closed["References"] == f"{ids[0]} {ids[2]}"
    # ...and every Message-ID we sent threads a reply back into the ticket.
    assert list(ThreadId.objects.filter(ticket=ticket).order_by("pk")
                .values_list("message_id", flat=True)) == ids

    for message in smtp.messages:
        assert message["Subject"].startswith(f"[#{ticket.number}] ")
        assert message["From"] == "Soporte <soporte@example.com>"
        assert message["Reply-To"] == "ayuda@hosting.test"
        assert message.recipients == ["alice@example.com"]
        assert message.get_body(("plain",)) is not None and message.get_body(("html",)) is not None
    assert [message["Auto-Submitted"] for message in smtp.messages] == [
        "auto-replied", None, None, "auto-replied"]

    # Spanish by default, with what each email is about.
    assert created["Subject"] == f"[#{ticket.number}] Recibimos tu ticket: No puedo enviar correos"
    assert "Hola Alicia Pérez:" in text_of(created)
    assert f"Recibimos tu ticket #{ticket.number}" in text_of(created)
    assert "10 minutos" in text_of(created) and "10 minutos" in html_of(created)
    assert f"<title>[#{ticket.number}] Respuesta a tu ticket: No puedo" in html_of(reply)
    assert "Prueba con el puerto 465 & SSL <activado>." in text_of(reply)
    assert "Prueba con el puerto 465 &amp; SSL &lt;activado&gt;." in html_of(reply)
    assert "resuelto" in text_of(resolved)
    assert "Ticket cerrado" in closed["Subject"]
    assert f"/cliente/tickets/{ticket.number}/" in html_of(closed)

    assert list(OutboundEmail.objects.filter(ticket=ticket).order_by("created_at")
                .values_list("kind", "status", "attempts")) == [
        ("created", "enviado", 1), ("reply", "enviado", 1), ("resolved", "enviado", 1),
        ("auto_closed", "enviado", 1)]


def test_the_close_warning_is_an_automatic_email_and_a_customer_close_is_not(
        smtp, commit, alice_ticket, alice, carla):
    with time_machine.travel(START, tick=False) as clock:
        commit(services.ticket_agent_reply, alice_ticket, agent=carla, body="¿Sigue fallando?")
        clock.shift(timedelta(days=SiteSettings.load().auto_close_days - 1, minutes=1))
        commit(services.tickets_auto_close)
        commit(services.ticket_status_set, alice_ticket, actor=alice.user, role=Role.CUSTOMER,
               status=Status.CLOSED)

    _reply, warning, closed = smtp.messages
    assert "mañana" in warning["Subject"]
    assert warning["Auto-Submitted"] == "auto-replied"
    assert "Ticket cerrado" in closed["Subject"]
    assert closed["Auto-Submitted"] is None
    assert closed["In-Reply-To"] == warning["Message-ID"]


def test_a_customer_whose_language_is_english_gets_english_email(smtp, commit, make_ticket):
    customer = make_customer("john@example.com", "John Smith")
    User.objects.filter(pk=customer.user_id).update(language="en")
    customer.refresh_from_db()
    ticket = commit(make_ticket, customer, subject="Mail is down")

    (message,) = smtp.messages
    assert message["Subject"] == f"[#{ticket.number}] We have received your ticket: Mail is down"
    assert "Hello John Smith," in text_of(message)
    assert f"We have received your ticket #{ticket.number}" in html_of(message)
    assert '<html lang="en">' in html_of(message)


def test_user_text_is_escaped_in_html_and_left_alone_in_text(smtp, commit, alice, make_ticket):
    commit(make_ticket, alice, subject="Correo <caído> & más")

    (message,) = smtp.messages
    assert message["Subject"].endswith("Correo <caído> & más")
    assert "<caído>" not in html_of(message)
    assert "Correo &lt;caído&gt; &amp; más" in html_of(message)


def test_an_email_ticket_promises_the_email_response_time(smtp, commit, alice, soporte):
    commit(services.ticket_create, customer=alice, subject="Sin correo", body="Nada llega",
           department=soporte, channel=Channel.EMAIL)

    (message,) = smtp.messages
    assert "Nuestro tiempo de primera respuesta es de 30 minutos." in text_of(message)


def test_the_message_id_domain_can_be_set(smtp, commit, settings, alice, make_ticket):
    settings.VENTANILLA_MAIL_DOMAIN = "mail.hosting.test"
    commit(make_ticket, alice)

    assert smtp.messages[0]["Message-ID"].endswith("@mail.hosting.test>")


def test_reply_to_falls_back_to_the_from_address_without_a_department_mailbox(
        smtp, commit, alice, make_ticket, soporte):
    Mailbox.objects.filter(department=soporte).update(is_active=False)
    commit(make_ticket, alice)

    (message,) = smtp.messages
    assert message["Reply-To"] == "Soporte <soporte@example.com>"
    assert "respondiendo a este correo" not in text_of(message)


def test_a_thread_started_by_an_email_answers_that_email(smtp, commit, alice, carla,
                                                         make_ticket):
    ticket = make_ticket(alice)  # its own notification is not sent (no commit)
    ThreadId.objects.create(ticket=ticket, message_id="<original@alice.example>")
    commit(services.ticket_agent_reply, ticket, agent=carla, body="Hola")

    (message,) = smtp.messages
    assert message["In-Reply-To"] == "<original@alice.example>"
    assert message["References"] == "<original@alice.example>"


# --- Recipients ---------------------------------------------------------------

def test_notifications_reach_confirmed_support_addresses_and_participants_once(
        smtp, commit, alice, bob, carla, make_ticket, support_mailbox):
    confirmed = dict(customer=alice, confirmed_at=START)
    NotificationAddress.objects.create(kind="soporte", email="sistemas@alicia.mx", token="a",
                                       **confirmed)
    NotificationAddress.objects.create(kind="soporte", email="ALICE@example.com", token="b",
                                       **confirmed)
    NotificationAddress.objects.create(kind="soporte", email="nueva@alicia.mx", token="c",
                                       customer=alice)  # not confirmed
    NotificationAddress.objects.create(kind="facturacion", email="pagos@alicia.mx", token="d",
                                       **confirmed)  # not a support address
    NotificationAddress.objects.create(kind="soporte", email="ops@roberto.com", token="e",
                                       customer=bob, confirmed_at=START)  # someone else's
    ticket = make_ticket(alice)
    Participant.objects.create(ticket=ticket, email="socio@alicia.mx")
    Participant.objects.create(ticket=ticket, email="Sistemas@Alicia.mx")
    Participant.objects.create(ticket=ticket, email="ayuda@hosting.test")  # our own mailbox
    commit(services.ticket_agent_reply, ticket, agent=carla, body="Listo.")

    (message,) = smtp.messages
    assert message.recipients == ["alice@example.com", "sistemas@alicia.mx", "socio@alicia.mx"]
    assert message["To"] == "alice@example.com, sistemas@alicia.mx, socio@alicia.mx"


# --- The mail server is down ---------------------------------------------------

def test_while_smtp_is_down_nothing_is_lost_and_it_is_delivered_once_when_back(
        smtp_down, commit, alice, make_ticket):
    with time_machine.travel(START, tick=False) as clock:
        ticket = commit(make_ticket, alice)

        email = OutboundEmail.objects.get(ticket=ticket)
        assert (email.status, email.attempts) == ("pendiente", 1)
        assert "Connection refused" in email.last_error or "ConnectionRefused" in email.last_error
        assert email.next_attempt_at == START + timedelta(seconds=60)
        assert len(HUEY.scheduled()) == 1  # the retry waits in the queue

        # Still down a minute later: the next retry waits twice as long.
        clock.shift(timedelta(seconds=60))
        assert run_due_jobs() == 1
        email.refresh_from_db()
        assert (email.status, email.attempts) == ("pendiente", 2)
        assert email.next_attempt_at == START + timedelta(seconds=60 + 120)

        # A duplicate job before the retry is due does nothing.
        tasks.send_outbound_email.call_local(email.pk)
        email.refresh_from_db()
        assert email.attempts == 2

        recorder = smtp_down.start()
        clock.shift(timedelta(seconds=120))
        assert run_due_jobs() == 1
        email.refresh_from_db()
        assert (email.status, email.attempts) == ("enviado", 3)
        assert len(recorder.messages) == 1
        assert recorder.messages[0]["Message-ID"] == email.message_id

        # Running the job again (a duplicate, a re-run) never sends twice.
        tasks.send_outbound_email.call_local(email.pk)
        assert run_due_jobs() == 0
    assert len(recorder.messages) == 1
    assert HUEY.scheduled() == []


def test_after_the_last_attempt_it_is_fallido_and_the_admin_re_queues_it(
        smtp_down, commit, settings, alice, make_ticket, client, root):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAIL_SEND_ATTEMPTS": 3}
    with time_machine.travel(START, tick=False) as clock:
        ticket = commit(make_ticket, alice)
        clock.shift(timedelta(seconds=60))
        assert run_due_jobs() == 1
        clock.shift(timedelta(seconds=120))
        assert run_due_jobs() == 1

    email = OutboundEmail.objects.get(ticket=ticket)
    assert (email.status, email.attempts, email.next_attempt_at) == ("fallido", 3, None)
    assert email.last_error
    assert HUEY.scheduled() == []  # no job left: only an admin brings it back

    client.force_login(root)
    changelist = reverse("admin:mail_outboundemail_changelist")
    page = client.get(changelist, {"status__exact": "fallido"})
    assert "Reintentar envío" in page.text and ticket.number in page.text
    detail = client.get(reverse("admin:mail_outboundemail_change", args=[email.pk]))
    assert detail.status_code == 200 and "Connection refused" in detail.text
    recorder = smtp_down.start()
    response = commit(client.post, changelist, {
        "action": "retry_sending", "_selected_action": [email.pk]})
    assert response.status_code == 302

    email.refresh_from_db()
    assert (email.status, email.attempts) == ("enviado", 1)
    assert [message["Message-ID"] for message in recorder.messages] == [email.message_id]


def test_a_permanent_refusal_fails_at_once(smtp, commit, alice, make_ticket):
    smtp.refuse = True
    ticket = commit(make_ticket, alice)

    email = OutboundEmail.objects.get(ticket=ticket)
    assert (email.status, email.attempts) == ("fallido", 1)
    assert "550" in email.last_error
    assert HUEY.scheduled() == []


def test_the_sweep_sends_a_row_whose_job_was_lost(smtp, alice, make_ticket):
    with time_machine.travel(START, tick=False) as clock:
        make_ticket(alice)  # committed nowhere: as if the queue had been down
        ticket = make_ticket(alice)
        email = outbound.ticket_notification_queue("created", ticket_id=ticket.pk)
        tasks.outbound_sweep.call_local()
        assert smtp.messages == []  # not late yet: its job may still come

        clock.shift(outbound.SWEEP_GRACE + timedelta(seconds=1))
        tasks.outbound_sweep.call_local()
    email.refresh_from_db()
    assert email.status == "enviado"
    assert [message["Message-ID"] for message in smtp.messages] == [email.message_id]


def test_only_failed_emails_are_re_queued(alice_ticket):
    sent = OutboundEmail.objects.create(kind="created", to="a@example.com", subject="x",
                                        message_id="<1@example.com>", status="enviado")
    assert outbound.outbound_requeue(OutboundEmail.objects.filter(pk=sent.pk)) == 0
    sent.refresh_from_db()
    assert sent.status == "enviado"
