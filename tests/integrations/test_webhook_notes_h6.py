"""Internal notes reach a webhook only when its subscription chose so
(issue 17 A8); off by default."""

import json

import pytest

from ventanilla.integrations import events
from ventanilla.integrations.models import WebhookSubscription
from ventanilla.tickets import services

from .test_webhooks import receiver  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _bodies(receiver):  # noqa: F811
    return [json.loads(body)["data"].get("message", {}).get("body") for _h, body in receiver.requests]


def _reply_and_note(alice, make_ticket, sofia, capture):
    with capture(execute=True):
        ticket = make_ticket(alice)
    with capture(execute=True):
        services.ticket_agent_reply(ticket, agent=sofia, body="Respuesta pública")
    with capture(execute=True):
        services.ticket_agent_reply(ticket, agent=sofia, body="Nota: cliente moroso", internal=True)


def test_by_default_a_webhook_never_receives_internal_notes(
        whmcs, receiver, alice, make_ticket, sofia, django_capture_on_commit_callbacks):  # noqa: F811
    events.forget_listened_events()
    subscription = WebhookSubscription.objects.create(
        integration=whmcs, url=receiver.url, events=["message.created"])
    assert subscription.include_internal_notes is False
    _reply_and_note(alice, make_ticket, sofia, django_capture_on_commit_callbacks)
    assert _bodies(receiver) == ["Respuesta pública"]


def test_a_webhook_that_chose_notes_receives_them(
        whmcs, receiver, alice, make_ticket, sofia, django_capture_on_commit_callbacks):  # noqa: F811
    events.forget_listened_events()
    WebhookSubscription.objects.create(integration=whmcs, url=receiver.url,
                                       events=["message.created"], include_internal_notes=True)
    _reply_and_note(alice, make_ticket, sofia, django_capture_on_commit_callbacks)
    assert _bodies(receiver) == ["Respuesta pública", "Nota: cliente moroso"]
    assert json.loads(receiver.requests[1][1])["data"]["message"]["kind"] == "nota"


def test_the_admin_shows_the_choice(admin_client, whmcs, receiver):  # noqa: F811
    subscription = WebhookSubscription.objects.create(integration=whmcs, url=receiver.url,
                                                      events=["message.created"])
    html = admin_client.get(f"/admin/integrations/webhooksubscription/{subscription.pk}/change/"
                            ).content.decode()
    assert 'name="include_internal_notes"' in html and "Incluir notas internas" in html
