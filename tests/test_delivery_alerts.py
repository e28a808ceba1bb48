"""A notification that does not arrive alerts someone (issue 17, B3): the
console's banner and page for supervisors (with "Reintentar"), the warning
on the ticket's page, and the counts at /salud/notificaciones/."""

import json
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ventanilla.mail import outbound
from ventanilla.mail.models import NotificationOutbox, OutboundEmail
from ventanilla.tickets import services

FAILED_PAGE = "/consola/envios-fallidos/"
HEALTH = "/salud/notificaciones/"


@pytest.fixture
def failed_reply(alice_ticket, carla, django_capture_on_commit_callbacks):
    """Carla answers; the email to the customer fails for good."""
    with django_capture_on_commit_callbacks(execute=True):
        message = services.ticket_agent_reply(alice_ticket, agent=carla, body="Prueba el 465.")
    email = OutboundEmail.objects.get(kind="reply")
    email.status = OutboundEmail.Status.FAILED
    email.attempts = 6
    email.last_error = "SMTPRecipientsRefused: 550 5.1.1 No such user"
    email.save()
    assert email.ticket_message_id == message.pk
    mail.outbox.clear()
    return email


def test_a_supervisor_sees_the_count_on_every_console_page_and_an_agent_does_not(
        client, failed_reply, sofia, carla):
    client.force_login(sofia)
    page = client.get(reverse("console:queue")).content.decode()
    assert "1 notificación no se pudo enviar." in page
    assert f'href="{FAILED_PAGE}"' in page
    client.force_login(carla)
    assert "no se pudo enviar" not in client.get(reverse("console:queue")).content.decode()
    assert client.get(FAILED_PAGE).status_code == 404


def test_the_page_lists_the_failed_email_and_reintentar_sends_it_again(
        client, failed_reply, sofia, alice_ticket, django_capture_on_commit_callbacks):
    client.force_login(sofia)
    page = client.get(FAILED_PAGE).content.decode()
    assert "alice@example.com" in page and failed_reply.subject in page
    assert "550 5.1.1 No such user" in page
    assert f"#{alice_ticket.number}" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(FAILED_PAGE, {"correo": str(failed_reply.pk)}, follow=True)
    assert "1 notificación vuelve a la cola de envío." in response.content.decode()
    failed_reply.refresh_from_db()
    assert failed_reply.status == OutboundEmail.Status.SENT and failed_reply.attempts == 1
    assert [m.to for m in mail.outbox] == [["alice@example.com"]]
    # Nothing failed any more: the banner is gone.
    assert "no se pudo enviar" not in client.get(reverse("console:queue")).content.decode()


def test_reintentar_todos_includes_notifications_that_could_not_be_built(
        client, failed_reply, sofia, alice_ticket, django_capture_on_commit_callbacks):
    build = NotificationOutbox.objects.create(kind="resolved", ticket=alice_ticket,
                                              status=NotificationOutbox.Status.FAILED,
                                              attempts=outbound.OUTBOX_ATTEMPTS,
                                              last_error="RuntimeError: plantilla rota")
    client.force_login(sofia)
    assert "2 notificaciones no se pudieron enviar." in client.get(FAILED_PAGE).content.decode()
    assert "plantilla rota" in client.get(FAILED_PAGE).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(FAILED_PAGE, {"todos": "1"})
    build.refresh_from_db()
    assert build.status == NotificationOutbox.Status.DONE
    assert sorted(m.subject.split(":")[0] for m in mail.outbox) == sorted(
        [failed_reply.subject.split(":")[0],
         OutboundEmail.objects.get(kind="resolved").subject.split(":")[0]])


def test_the_ticket_page_says_which_message_its_customer_did_not_get(
        client, failed_reply, carla, alice_ticket):
    client.force_login(carla)
    page = client.get(reverse("console:ticket_detail", args=[alice_ticket.number])).content.decode()
    assert "No se pudo avisar a alice@example.com" in page
    assert failed_reply.subject in page
    assert f'href="#msg-{failed_reply.ticket_message_id}"' in page
    assert f'id="msg-{failed_reply.ticket_message_id}"' in page


def test_the_ticket_page_warns_while_an_email_is_still_being_retried(
        client, alice_ticket, carla):
    OutboundEmail.objects.create(kind="created", ticket=alice_ticket, to="alice@example.com",
                                 subject="Recibimos tu ticket", message_id="<r@example.com>",
                                 attempts=2, last_error="ConnectionRefusedError")
    client.force_login(carla)
    page = client.get(reverse("console:ticket_detail", args=[alice_ticket.number])).content.decode()
    assert "Todavía no se pudo avisar a alice@example.com" in page


def test_a_ticket_whose_emails_arrived_shows_no_warning(client, alice_ticket, carla):
    client.force_login(carla)
    page = client.get(reverse("console:ticket_detail", args=[alice_ticket.number])).content.decode()
    assert "avisar a" not in page


def test_the_health_endpoint_counts_failed_and_overdue_notifications_for_anyone(
        client, failed_reply, alice_ticket):
    # (The ticket's own notifications were built: a test transaction never commits.)
    NotificationOutbox.objects.update(status=NotificationOutbox.Status.DONE)
    body = json.loads(client.get(HEALTH).content)
    assert body == {"ok": False, "emails": {"failed": 1, "overdue": 0},
                    "builds": {"failed": 0, "overdue": 0}, "overdue_after_minutes": 15}
    # No address, subject or error: counts only.
    assert "alice" not in client.get(HEALTH).content.decode()
    OutboundEmail.objects.create(kind="closed", ticket=alice_ticket, to="alice@example.com",
                                 subject="x", message_id="<x@example.com>")
    NotificationOutbox.objects.create(kind="closed", ticket=alice_ticket)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        from django.core.cache import cache

        cache.clear()
        body = json.loads(client.get(HEALTH).content)
    assert body["emails"] == {"failed": 1, "overdue": 1}
    assert body["builds"] == {"failed": 0, "overdue": 1}


def test_the_health_endpoint_is_ok_when_everything_arrived(client, alice_ticket):
    response = client.get(HEALTH)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert json.loads(response.content)["ok"] is True
