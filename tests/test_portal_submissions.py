"""A portal submission is saved once: the same form sent again (a retry
after a crash, a double click), even at the same moment, answers with what
the first made; partial uploads of killed requests are swept (issue 17, B5)."""

import os
import re
import time
from pathlib import Path

import pytest
from django.urls import reverse

from ventanilla.tickets import portal_views, submissions
from ventanilla.tickets.models import Message, PortalSubmission, Priority, Ticket

NEW = reverse("portal:ticket_new")
TOKEN = re.compile(r'name="envio" value="([0-9a-f]{32})"')


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


@pytest.fixture
def regular(soporte, correo_category):
    return {"department": soporte.pk, "category": correo_category.pk, "service": "",
            "subject": "No puedo enviar correos", "body": "Desde ayer Outlook da error 550.",
            "priority": Priority.REGULAR}


def token_of(response) -> str:
    return TOKEN.search(response.content.decode()).group(1)


def test_each_form_shown_carries_its_own_token(alice_client, alice_ticket):
    first, second = token_of(alice_client.get(NEW)), token_of(alice_client.get(NEW))
    assert first != second
    page = alice_client.get(reverse("portal:ticket_detail", args=[alice_ticket.number]))
    assert token_of(page) not in {first, second}


def test_the_same_submission_sent_again_opens_one_ticket(alice_client, alice, regular):
    data = {**regular, "envio": token_of(alice_client.get(NEW))}
    first = alice_client.post(NEW, data)
    again = alice_client.post(NEW, data)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Ticket.objects.filter(customer=alice).count() == 1


def test_two_submissions_arriving_together_open_one_ticket(alice_client, alice, regular,
                                                           monkeypatch):
    """The second looked for the token before the first was committed: its
    insert hits the unique constraint, its ticket is rolled back and it
    answers with the first one's confirmation."""
    data = {**regular, "envio": token_of(alice_client.get(NEW))}
    first = alice_client.post(NEW, data)
    real_find, calls = submissions.submission_find, []

    def not_yet_committed(user, token):
        calls.append(token)
        return None if len(calls) == 1 else real_find(user, token)

    monkeypatch.setattr(portal_views, "submission_find", not_yet_committed)
    again = alice_client.post(NEW, data)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Ticket.objects.filter(customer=alice).count() == 1
    assert Message.objects.filter(ticket__customer=alice).count() == 1
    assert PortalSubmission.objects.count() == 1


def test_a_repeat_does_not_use_the_ticket_allowance(alice_client, alice, regular, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "TICKET_CREATE_RATE": "2/h"}
    data = {**regular, "envio": token_of(alice_client.get(NEW))}
    for _ in range(3):
        assert alice_client.post(NEW, data).status_code == 302
    fresh = {**regular, "envio": token_of(alice_client.get(NEW))}
    assert alice_client.post(NEW, fresh).status_code == 302
    assert Ticket.objects.filter(customer=alice).count() == 2


def test_different_forms_open_different_tickets(alice_client, alice, regular):
    for _ in range(2):
        alice_client.post(NEW, {**regular, "envio": token_of(alice_client.get(NEW))})
    assert Ticket.objects.filter(customer=alice).count() == 2


def test_a_token_is_one_customers_own(client, alice, bob, regular):
    client.force_login(alice.user)
    data = {**regular, "envio": token_of(client.get(NEW))}
    client.post(NEW, data)
    client.force_login(bob.user)
    client.post(NEW, data)
    assert Ticket.objects.filter(customer=bob).count() == 1


def test_the_same_reply_sent_again_is_saved_once(alice_client, alice_ticket):
    url = reverse("portal:ticket_detail", args=[alice_ticket.number])
    data = {"body": "Ya probé reiniciar el router", "envio": token_of(alice_client.get(url))}
    reply = reverse("portal:ticket_reply", args=[alice_ticket.number])
    assert alice_client.post(reply, data).status_code == 302
    assert alice_client.post(reply, data).status_code == 302
    assert alice_ticket.messages.filter(body="Ya probé reiniciar el router").count() == 1


def test_two_replies_arriving_together_are_saved_once(alice_client, alice_ticket, monkeypatch):
    url = reverse("portal:ticket_detail", args=[alice_ticket.number])
    data = {"body": "Sigue igual", "envio": token_of(alice_client.get(url))}
    reply = reverse("portal:ticket_reply", args=[alice_ticket.number])
    alice_client.post(reply, data)
    real_find, calls = submissions.submission_find, []

    def not_yet_committed(user, token):
        calls.append(token)
        return None if len(calls) == 1 else real_find(user, token)

    monkeypatch.setattr(portal_views, "submission_find", not_yet_committed)
    assert alice_client.post(reply, data).status_code == 302
    assert alice_ticket.messages.filter(body="Sigue igual").count() == 1


def test_large_uploads_are_written_in_the_data_directory(settings):
    directory = Path(settings.FILE_UPLOAD_TEMP_DIR)
    assert directory.parent == settings.DATA_DIR and directory.is_dir()


def test_the_sweep_deletes_partial_uploads_hours_old_and_keeps_fresh_ones(settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    old, fresh = tmp_path / "tmpa1b2.upload.png", tmp_path / "tmpc3d4.upload.pdf"
    old.write_bytes(b"x" * 100)
    fresh.write_bytes(b"y" * 100)
    seven_hours_ago = time.time() - 7 * 3600
    os.utime(old, (seven_hours_ago, seven_hours_ago))
    files, _tokens = submissions.sweep()
    assert files == 1 and not old.exists() and fresh.exists()


def test_the_sweep_forgets_tokens_after_a_month(alice_client, regular, time_machine):
    alice_client.post(NEW, {**regular, "envio": token_of(alice_client.get(NEW))})
    assert submissions.sweep()[1] == 0
    time_machine.move_to("2099-01-01")
    assert submissions.sweep()[1] == 1
