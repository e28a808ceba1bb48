"""Every committed ticket event gets its notifications exactly once, whatever
dies when (issue 17, B1): the event writes an outbox row in its own
transaction; a job builds the emails and marks the row done in the same
transaction; the sweep rebuilds what a dead or refused build left and
re-sends what a dead send left.

Faults on a real SMTP server (aiosmtpd on loopback) and real commits (a
transactional database), on SQLite and on PostgreSQL (DATABASE_URL): the
worker killed at each step, the database locked while the build runs, the
mail server down. After recovery and the sweep, each recipient has exactly
one email per event."""

import smtplib
import sqlite3
from collections import Counter
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from ventanilla.mail import outbound, tasks
from ventanilla.mail.models import NotificationOutbox, OutboundEmail
from ventanilla.tickets import services
from ventanilla.tickets.status import Role

from . import test_mail_outbound
from .conftest import make_agent
from .test_mail_outbound import run_due_jobs

# The SMTP server fixtures, and a clean job schedule for every test.
smtp = test_mail_outbound.smtp
smtp_down = test_mail_outbound.smtp_down
_empty_job_schedule = test_mail_outbound._empty_job_schedule

pytestmark = pytest.mark.django_db(transaction=True)

START = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
# Later than every lease, retry and grace period of one round of the sweep.
ROUND = outbound.IN_FLIGHT + outbound.SWEEP_GRACE + timedelta(minutes=1)

# What the scenario must notify: (recipient, kind), once each.
EXPECTED = Counter({
    ("alice@example.com", "created"): 1,
    ("eva@example.com", "agent_new_ticket"): 1,
    ("alice@example.com", "reply"): 1,
    ("eva@example.com", "agent_customer_reply"): 1,
    ("alice@example.com", "resolved"): 1,
})


class WorkerKilled(BaseException):
    """A kill -9 of the worker: nothing in the code catches it, and what the
    process held (its open transaction) is gone."""


def kill_once(monkeypatch, owner, name, *, after=False):
    """The first call of owner.name dies (before it runs, or right after)."""
    real = getattr(owner, name)
    calls = []

    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1 and not after:
            raise WorkerKilled(name)
        result = real(*args, **kwargs)
        if len(calls) == 1:
            raise WorkerKilled(name)
        return result

    monkeypatch.setattr(owner, name, dying)
    return calls


@pytest.fixture
def eva(soporte):
    """A Soporte agent who keeps the agents' emails on."""
    return make_agent("eva@example.com", "Eva Agente", [soporte], email_notifications=True)


def events(make_ticket, alice, carla, eva):
    """Five notifications: the new ticket (customer and agent), the agent's
    reply, the customer's answer, the resolution. Each call commits; a
    worker killed in an on-commit job does not undo what committed."""
    steps = [
        lambda: make_ticket(alice, subject="No puedo enviar correos"),
        lambda ticket: services.ticket_agent_reply(ticket, agent=carla, body="Prueba el puerto 465."),
        lambda ticket: services.ticket_customer_reply(ticket, author=alice.user, body="Sigue igual."),
        lambda ticket: services.ticket_status_set(ticket, actor=carla, role=Role.AGENT,
                                                  status="resuelto"),
    ]
    ticket = None
    for step in steps:
        try:
            result = step() if ticket is None else step(ticket)
        except WorkerKilled:
            result = None
        if ticket is None:
            from ventanilla.tickets.models import Ticket

            ticket = result or Ticket.objects.get(subject="No puedo enviar correos")
    return ticket


def settle(clock, rounds=4):
    """Time passes and the periodic sweep runs, with the retries it queues."""
    for _ in range(rounds):
        clock.shift(ROUND)
        run_due_jobs()
        tasks.outbound_sweep.call_local()
        run_due_jobs()


def assert_exactly_once(recorder):
    sent = OutboundEmail.objects.order_by("pk")
    assert Counter((row.to, row.kind) for row in sent) == EXPECTED
    assert set(sent.values_list("status", flat=True)) == {OutboundEmail.Status.SENT}
    # What reached the SMTP server: one message per row, none twice.
    ids = [message["Message-ID"] for message in recorder.messages]
    assert sorted(ids) == sorted(sent.values_list("message_id", flat=True))
    assert Counter(tuple(message.recipients) for message in recorder.messages) == Counter({
        ("alice@example.com",): 3, ("eva@example.com",): 2})
    assert not NotificationOutbox.objects.exclude(status=NotificationOutbox.Status.DONE).exists()
    assert NotificationOutbox.objects.count() == sum(EXPECTED.values())


def test_without_faults_each_event_is_notified_once(smtp, make_ticket, alice, carla, eva):
    with time_machine.travel(START, tick=False) as clock:
        events(make_ticket, alice, carla, eva)
        assert len(smtp.messages) == 5
        settle(clock)
    assert_exactly_once(smtp)


@pytest.mark.parametrize("step", [
    "after the commit, before the build is queued",
    "during the build, after an email row was written",
    "after the build, before the send is queued",
    "during the SMTP send",
])
def test_a_worker_killed_at_any_step_loses_and_doubles_nothing(
        step, monkeypatch, smtp, make_ticket, alice, carla, eva):
    if step.startswith("after the commit"):
        kills = kill_once(monkeypatch, tasks, "build_notification")
    elif step.startswith("during the build"):
        kills = kill_once(monkeypatch, outbound, "email_queue", after=True)
    elif step.startswith("after the build"):
        kills = kill_once(monkeypatch, tasks, "send_outbound_email")
    else:
        kills = kill_once(monkeypatch, smtplib.SMTP, "sendmail")
    with time_machine.travel(START, tick=False) as clock:
        events(make_ticket, alice, carla, eva)
        assert kills, "the fault was not reached"
        assert len(smtp.messages) < 5, "the killed step lost nothing to recover"
        settle(clock)
    assert_exactly_once(smtp)


@contextmanager
def database_locked():
    """Another connection holds the database: SQLite, a write transaction
    (the shared cache of the test database refuses every other writer);
    PostgreSQL, an exclusive lock on the sent-email table, with our waits
    cut short so the build fails instead of hanging."""
    if connection.vendor == "sqlite":
        other = sqlite3.connect(connection.settings_dict["NAME"], uri=True,
                                isolation_level=None, timeout=0)
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE mail_mailbox SET name = name")
        try:
            yield
        finally:
            other.execute("ROLLBACK")
            other.close()
    else:
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        other = psycopg.connect(**params)
        other.execute("LOCK TABLE mail_outboundemail IN ACCESS EXCLUSIVE MODE")
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")
        try:
            yield
        finally:
            other.rollback()
            other.close()
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")


def test_a_database_locked_during_the_build_delays_the_emails_and_loses_none(
        monkeypatch, smtp, make_ticket, alice, carla, eva):
    queued = []
    monkeypatch.setattr(tasks, "build_notification", queued.append)  # the worker is busy
    with time_machine.travel(START, tick=False) as clock:
        events(make_ticket, alice, carla, eva)
        monkeypatch.undo()
        assert len(queued) == 5 and not OutboundEmail.objects.exists()
        with database_locked():
            for outbox_id in queued:  # the worker gets to the jobs now
                tasks.build_notification(outbox_id)
        assert not OutboundEmail.objects.exists()
        assert not smtp.messages
        # The jobs retry on their own a minute later, before any sweep.
        clock.shift(timedelta(seconds=61))
        run_due_jobs()
        assert OutboundEmail.objects.count() == 5
        settle(clock)
    assert_exactly_once(smtp)


def test_with_the_mail_server_down_every_email_waits_and_goes_once(
        smtp_down, make_ticket, alice, carla, eva):
    with time_machine.travel(START, tick=False) as clock:
        events(make_ticket, alice, carla, eva)
        settle(clock, rounds=1)
        assert set(OutboundEmail.objects.values_list("status", flat=True)) == {"pendiente"}
        assert OutboundEmail.objects.filter(attempts__gte=2).count() == 5
        recorder = smtp_down.start()
        settle(clock)
    assert_exactly_once(recorder)


def test_two_workers_never_build_one_row_twice(make_ticket, alice, eva, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks, "build_notification", queued.append)
    make_ticket(alice)
    monkeypatch.undo()
    first, second = queued
    assert outbound.outbox_build(first).done
    assert not outbound.outbox_build(first).done  # a duplicate job, the sweep
    row = NotificationOutbox.objects.get(pk=second)
    # Another worker claimed it a moment ago: this one leaves it alone.
    NotificationOutbox.objects.filter(pk=second).update(
        claimed_until=row.created_at + timedelta(days=1))
    assert outbound.outbox_build(second) == outbound.Build()
    assert OutboundEmail.objects.count() == 1


def test_a_row_that_never_builds_ends_fallido_with_its_error(make_ticket, alice, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("plantilla rota")

    monkeypatch.setattr(outbound, "render", broken)
    with time_machine.travel(START, tick=False) as clock:
        make_ticket(alice)
        for _ in range(outbound.OUTBOX_ATTEMPTS + 2):
            clock.shift(timedelta(hours=3))
            tasks.outbound_sweep.call_local()
            run_due_jobs()
    row = NotificationOutbox.objects.get(kind="created")
    assert row.status == NotificationOutbox.Status.FAILED
    assert row.attempts == outbound.OUTBOX_ATTEMPTS
    assert "plantilla rota" in row.last_error
    assert not OutboundEmail.objects.filter(kind="created").exists()


def test_done_rows_are_pruned_after_a_month_and_pending_ones_never(make_ticket, alice, monkeypatch):
    monkeypatch.setattr(tasks, "build_notification", lambda outbox_id: None)
    make_ticket(alice)
    monkeypatch.undo()
    done, pending = NotificationOutbox.objects.order_by("pk")
    assert outbound.outbox_build(done.pk).done
    later = timezone.now() + outbound.OUTBOX_KEEP + timedelta(days=1)
    assert outbound.outbox_prune(now=later - timedelta(days=2)) == 0
    assert outbound.outbox_prune(now=later) == 1
    assert list(NotificationOutbox.objects.values_list("pk", flat=True)) == [pending.pk]
