"""Webhooks delivered to a real HTTP server on 127.0.0.1, their signature
checked by an independent implementation of the documented scheme."""

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from django.utils import timezone

from ventanilla.integrations import events
from ventanilla.integrations.models import WebhookDelivery, WebhookSubscription
from ventanilla.integrations.webhooks import webhook_deliver
from ventanilla.mail.models import OutboundEmail
from ventanilla.tickets import services
from ventanilla.tickets.status import Role


class Receiver:
    """Records each POST; answers with the next status of `statuses` (the
    last one repeats)."""

    def __init__(self):
        self.requests, self.statuses = [], [200]
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                status = receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def events(self):
        return [json.loads(body)["event"] for _headers, body in self.requests]


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def subscription(whmcs, receiver):
    events.forget_listened_events()
    return WebhookSubscription.objects.create(
        integration=whmcs, url=receiver.url,
        events=["ticket.created", "ticket.updated", "message.created"],
    )


def verify(secret: str, header: str, body: bytes, *, tolerance=300) -> bool:
    """What a receiver does, written from docs/integrations.md alone."""
    parts = dict(item.split("=", 1) for item in header.split(","))
    timestamp = int(parts["t"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


def test_ticket_events_arrive_signed(subscription, receiver, alice, make_ticket, sofia,
                                     django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_agent_reply(ticket, agent=sofia, body="Revisa el SMTP")
    with django_capture_on_commit_callbacks(execute=True):
        services.ticket_status_set(ticket, actor=sofia, role=Role.AGENT, status="resuelto")
    assert receiver.events() == ["ticket.created", "message.created", "ticket.updated"]
    for headers, body in receiver.requests:
        assert verify(subscription.secret, headers["Ventanilla-Signature"], body)
        assert not verify("otro-secreto", headers["Ventanilla-Signature"], body)
        assert not verify(subscription.secret, headers["Ventanilla-Signature"], body + b" ")
    created = json.loads(receiver.requests[0][1])
    assert created["data"]["ticket"]["number"] == ticket.number
    assert json.loads(receiver.requests[1][1])["data"]["message"]["body"] == "Revisa el SMTP"
    assert set(WebhookDelivery.objects.values_list("status", "response_code")) == {("entregado", 200)}


def test_a_rolled_back_change_sends_nothing(subscription, receiver, alice, make_ticket,
                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        make_ticket(alice)
    # Nothing ran: the hooks wait for the commit (here it never happens).
    assert callbacks and receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_without_webhooks_a_ticket_write_queues_nothing(alice, make_ticket,
                                                        django_capture_on_commit_callbacks):
    events.forget_listened_events()
    with django_capture_on_commit_callbacks(execute=True):
        make_ticket(alice)
    assert not WebhookDelivery.objects.exists()


def test_failures_are_retried_with_exponential_backoff(subscription, receiver):
    receiver.statuses = [500, 503, 200]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        [delivery] = events.deliveries_create("ticket.created", {"x": 1}, [subscription])
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_code, delivery.status) == (1, 500, "pendiente")
    assert delivery.next_attempt_at == start + timedelta(seconds=30)
    # Not due yet: no second attempt.
    assert webhook_deliver(delivery.pk, now=start + timedelta(seconds=10)).retry_in is None
    assert len(receiver.requests) == 1
    second = webhook_deliver(delivery.pk, now=start + timedelta(seconds=31))
    assert second.retry_in == 60
    third = webhook_deliver(delivery.pk, now=start + timedelta(seconds=92))
    assert third.delivered
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.response_code, delivery.status) == (3, 200, "entregado")
    # Each attempt carried the same body and a fresh signature.
    assert len({body for _h, body in receiver.requests}) == 1


def test_repeated_failures_disable_the_webhook_and_tell_the_admins(
        subscription, receiver, settings):
    settings.VENTANILLA_INTEGRATIONS = {**settings.VENTANILLA_INTEGRATIONS,
                                        "WEBHOOK_ATTEMPTS": 1, "WEBHOOK_DISABLE_AFTER": 2}
    receiver.statuses = [410]
    for _ in range(2):
        events.deliveries_create("ticket.updated", {"x": 1}, [subscription])
    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.disabled_at is not None
    assert subscription.consecutive_failures == 2
    assert list(WebhookDelivery.objects.values_list("status", flat=True)) == ["fallido", "fallido"]


def test_the_disable_notice_is_an_email_to_superusers(subscription, receiver, settings, root,
                                                      django_capture_on_commit_callbacks):
    settings.VENTANILLA_INTEGRATIONS = {**settings.VENTANILLA_INTEGRATIONS,
                                        "WEBHOOK_ATTEMPTS": 1, "WEBHOOK_DISABLE_AFTER": 1}
    receiver.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        events.deliveries_create("ticket.updated", {"x": 1}, [subscription])
    notice = OutboundEmail.objects.get(kind="webhook_disabled")
    assert notice.to == root.email and receiver.url in notice.subject


def test_a_delivery_resets_the_failure_count(subscription, receiver):
    subscription.consecutive_failures = 3
    subscription.save()
    events.deliveries_create("ticket.updated", {"x": 1}, [subscription])
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0


def test_an_unreachable_receiver_is_a_failed_attempt(subscription, receiver):
    receiver.server.shutdown()
    receiver.server.server_close()
    [delivery] = events.deliveries_create("ticket.updated", {"x": 1}, [subscription])
    delivery.refresh_from_db()
    assert delivery.response_code is None and "Error" in delivery.last_error


def test_the_admin_sends_a_test(subscription, receiver, client, root,
                                django_capture_on_commit_callbacks):
    client.force_login(root)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get(f"/admin/integrations/webhooksubscription/{subscription.pk}/probar/")
    assert r.status_code == 302
    assert receiver.events() == ["webhook.test"]
    page = client.get(f"/admin/integrations/webhooksubscription/{subscription.pk}/change/")
    assert b"webhook.test" in page.content and b"Enviar prueba" in page.content
