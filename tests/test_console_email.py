"""What agents see of a ticket that came by email: the original .eml and
the sanitized HTML, only for those who may see the ticket."""

from pathlib import Path

import pytest

from ventanilla.mail.ingest import ingest_raw
from ventanilla.mail.models import Mailbox

CORPUS = Path(__file__).parent / "mail_corpus"


@pytest.fixture
def html_ticket():
    raw = (CORPUS / "html_only.eml").read_bytes()
    result = ingest_raw(raw, mailbox=Mailbox.objects.get(name="soporte"))
    return result.inbound, raw


def test_an_agent_downloads_the_original_email_of_the_ticket(client, carla, html_ticket):
    inbound, raw = html_ticket
    client.force_login(carla)
    page = client.get(f"/consola/tickets/{inbound.ticket.number}/").content.decode()
    url = f"/consola/tickets/{inbound.ticket.number}/correos/{inbound.pk}.eml"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert "attachment" in response["Content-Disposition"]
    assert response.content == raw


def test_the_sanitized_html_is_shown_without_scripts_or_tracking_pixels(client, carla,
                                                                         html_ticket):
    inbound, _raw = html_ticket
    client.force_login(carla)
    page = client.get(f"/consola/tickets/{inbound.ticket.number}/").content.decode()
    assert "Ver la versión HTML (saneada)" in page
    assert "<strong>SSL</strong>" in page
    assert "alert(" not in page and "onload" not in page and "tracker.example.net" not in page
    assert "remitente no verificado" in page


def test_agents_of_other_departments_and_customers_get_404(client, diego, alice, html_ticket):
    inbound, _raw = html_ticket
    url = f"/consola/tickets/{inbound.ticket.number}/correos/{inbound.pk}.eml"
    client.force_login(diego)
    assert client.get(url).status_code == 404
    client.force_login(alice.user)
    assert client.get(url).status_code == 404


def test_an_email_of_another_ticket_is_404_even_for_a_permitted_ticket(client, carla,
                                                                        html_ticket, alice_ticket):
    inbound, _raw = html_ticket
    client.force_login(carla)
    url = f"/consola/tickets/{alice_ticket.number}/correos/{inbound.pk}.eml"
    assert client.get(url).status_code == 404
