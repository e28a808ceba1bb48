"""A committed ticket event reaches each webhook exactly once, even when the
process dies right after the commit or the database refuses the build:
webhook events ride the notifications' outbox (integrations.events.emit).
Real commits (a transactional database) and a real HTTP receiver."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from ventanilla.integrations import events
from ventanilla.integrations.models import WebhookDelivery
from ventanilla.mail import outbound, tasks
from ventanilla.mail.models import NotificationOutbox

from ..test_mail_outbound import run_due_jobs
from . import test_webhooks

pytestmark = pytest.mark.django_db(transaction=True)

receiver = test_webhooks.receiver
subscription = test_webhooks.subscription
ROUND = outbound.IN_FLIGHT + outbound.SWEEP_GRACE + timedelta(minutes=1)


def sweep(clock):
    clock.shift(ROUND)
    tasks.outbound_sweep.call_local()
    run_due_jobs()


def test_a_process_that_dies_right_after_the_commit_loses_no_webhook(
        subscription, receiver, alice, make_ticket, monkeypatch):
    def died_after_commit(self):
        self.run_on_commit = []  # COMMIT reached the database; nothing after it ran

    with time_machine.travel(timezone.now(), tick=False) as clock:
        monkeypatch.setattr(BaseDatabaseWrapper, "run_and_clear_commit_hooks", died_after_commit)
        ticket = make_ticket(alice)
        monkeypatch.undo()
        assert not WebhookDelivery.objects.exists() and not receiver.requests
        sweep(clock)
        sweep(clock)
    assert receiver.events() == ["ticket.created"]
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    body = json.loads(receiver.requests[0][1])
    assert body["data"]["ticket"]["number"] == ticket.number
    assert NotificationOutbox.objects.get(kind="webhook").status == "hecho"


def test_a_build_the_database_refuses_is_retried_and_delivers_once(
        subscription, receiver, alice, make_ticket, monkeypatch):
    real = events.envelope
    calls = []

    def locked_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(*args, **kwargs)

    monkeypatch.setattr(events, "envelope", locked_once)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        make_ticket(alice)
        assert not WebhookDelivery.objects.exists()
        row = NotificationOutbox.objects.get(kind="webhook")
        assert row.status == "pendiente" and "database is locked" in row.last_error
        sweep(clock)
        sweep(clock)
    assert receiver.events() == ["ticket.created"]
    assert WebhookDelivery.objects.count() == 1


def test_nobody_listening_records_nothing(alice, make_ticket):
    events.forget_listened_events()
    make_ticket(alice)
    assert not NotificationOutbox.objects.filter(kind="webhook").exists()


def test_a_payload_that_fails_to_build_does_not_break_the_change(
        subscription, alice, make_ticket, monkeypatch):
    from django.db import connection

    def broken(ticket_id):
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM no_such_table")

    monkeypatch.setattr(events, "_ticket_data", broken)
    ticket = make_ticket(alice)  # commits, with its own notifications
    assert NotificationOutbox.objects.filter(ticket=ticket, kind="created").exists()
    assert not NotificationOutbox.objects.filter(kind="webhook").exists()
