"""The live "ticket.message" event to console pages open on a ticket."""

from ventanilla.chat import events
from ventanilla.tickets import services
from ventanilla.tickets.models import Message


def test_replies_are_sent_live_but_not_a_new_tickets_first_message(
        monkeypatch, alice, make_ticket, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(events, "send_now", lambda group, event: sent.append((group, event)))
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(alice)
    # Nobody can have the page of a ticket that did not exist yet open.
    assert [g for g, e in sent if e["type"] == "ticket.message"] == []
    with django_capture_on_commit_callbacks(execute=True):
        message = services.ticket_customer_reply(ticket, author=alice.user, body="¿Alguna novedad?")
    live = [(g, e) for g, e in sent if e["type"] == "ticket.message"]
    assert live == [(events.ticket_group(ticket.pk), {"type": "ticket.message", "message": {
        "id": message.pk, "kind": Message.Kind.CUSTOMER, "kind_label": "Mensaje del cliente",
        "author": alice.user.get_full_name(), "body": "¿Alguna novedad?",
        "at": message.created_at.isoformat()}})]
