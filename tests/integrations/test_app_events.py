"""The webhook events emitted by the sla, chat and status apps: a subscribed
webhook gets a delivery row, sent to a real HTTP server on 127.0.0.1."""

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.apps import apps

from ventanilla.chat import services as chat_services
from ventanilla.chat.seed import seed_chat_departments
from ventanilla.integrations import events
from ventanilla.integrations.models import WebhookDelivery, WebhookSubscription
from ventanilla.sla.services import sla_sweep
from ventanilla.status import services as status_services
from ventanilla.status.models import Component, Incident
from ventanilla.tickets import services as ticket_services

from .test_webhooks import Receiver


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def listen(whmcs, receiver):
    def _listen(*names):
        events.forget_listened_events()
        WebhookSubscription.objects.create(integration=whmcs, url=receiver.url, events=list(names))
    return _listen


def sent(event):
    return [json.loads(d.body)["data"] for d in WebhookDelivery.objects.filter(event=event)]


START = datetime(2026, 10, 7, 8, 0, tzinfo=UTC)  # a Wednesday, within business hours


@pytest.fixture
def sweep_at(alice, carla, make_ticket, django_capture_on_commit_callbacks):
    """An assigned ticket created at START; sweep_at(minutes) runs the sweep then."""
    with time_machine.travel(START, tick=False):
        ticket = make_ticket(alice)
        ticket_services.ticket_assign(ticket, actor=carla, assignee=carla)

    def _sweep(minutes):
        with time_machine.travel(START + timedelta(minutes=minutes), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                sla_sweep()
        return ticket
    return _sweep


def test_sla_warning(listen, sweep_at):
    listen("sla.warning", "sla.breached")
    ticket = sweep_at(8)
    [data] = sent("sla.warning")
    assert (data["ticket"], data["target"]) == (ticket.number, "primera")
    assert sent("sla.breached") == []


def test_sla_breached(listen, sweep_at):
    listen("sla.breached")
    sweep_at(8)
    assert not WebhookDelivery.objects.exists()
    ticket = sweep_at(45)
    assert [(d["ticket"], d["target"]) for d in sent("sla.breached")] == [(ticket.number, "primera")]


@pytest.fixture
def chat_departments():
    seed_chat_departments(apps.get_model("chat", "ChatDepartment"),
                          apps.get_model("tickets", "Department"))


def test_chat_started(listen, chat_departments, alice, soporte, django_capture_on_commit_callbacks):
    listen("chat.started", "chat.ended")
    with django_capture_on_commit_callbacks(execute=True):
        chat = chat_services.chat_start(department=soporte, user=alice.user)
    [started] = sent("chat.started")
    assert started["chat"]["id"] == chat.pk and started["chat"]["customer"]["email"] == alice.email
    assert sent("chat.ended") == []


def test_chat_ended(listen, chat_departments, alice, soporte, django_capture_on_commit_callbacks):
    chat = chat_services.chat_start(department=soporte, user=alice.user)
    listen("chat.ended")
    with django_capture_on_commit_callbacks(execute=True):
        chat_services.chat_close(chat, by_customer=True)
    [ended] = sent("chat.ended")
    assert ended["chat"]["status"] == "cerrado" and ended["chat"]["closed_at"]


def test_incident_updated(listen, carla, django_capture_on_commit_callbacks):
    listen("incident.updated")
    component = Component.objects.create(name="web1.hosting.mx", kind=Component.Kind.SERVER)
    with django_capture_on_commit_callbacks(execute=True):
        incident = status_services.incident_publish(
            author=carla, kind=Incident.Kind.INCIDENT, title="Caída de web1",
            impact=Incident.Impact.MAJOR, components=[component], body="Investigando.")
    assert sent("incident.updated") == []
    with django_capture_on_commit_callbacks(execute=True):
        status_services.incident_update(incident, author=carla, status=Incident.Status.IDENTIFIED,
                                        body="Disco lleno.")
    [data] = sent("incident.updated")
    assert data["incident"]["status"] == "identificado"
    assert data["incident"]["components"] == ["web1.hosting.mx"]
    assert data["update"]["body"] == "Disco lleno."
