"""The satisfaction survey as the customer meets it: the link in the
Resuelto email opens a page with that score chosen; nothing is recorded
until the person confirms, with a comment if they like (issue 17 D)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from ventanilla.sla.models import SatisfactionRating
from ventanilla.tickets import services
from ventanilla.tickets.models import Status

pytestmark = pytest.mark.browser


def test_the_customer_opens_the_email_link_confirms_and_comments(
        browser_context, live_server, settings, alice, make_ticket, carla):
    settings.SITE_URL = live_server.url
    ticket = make_ticket(alice)
    services.ticket_agent_reply(ticket, agent=carla, body="Listo: reiniciamos el servicio SMTP.",
                                status=Status.RESOLVED)
    (email,) = [m for m in mail.outbox if "/encuesta/" in m.body]
    link = dict(re.findall(r"(\d): (http://\S+/encuesta/\S+/\d/)", email.body))["4"]

    page = browser_context.new_page()  # the email's reader: no session
    page.goto(link)
    expect(page.get_by_role("heading", name="Valora la atención recibida")).to_be_visible()
    expect(page.get_by_label("4", exact=True)).to_be_checked()
    assert not SatisfactionRating.objects.exists()  # opening the link records nothing

    page.get_by_label("5", exact=True).check()
    page.get_by_label("Comentario (opcional)").fill("Rápidos y amables, gracias.")
    screenshot(page, "sla-survey-confirm")
    page.get_by_role("button", name="Confirmar mi valoración").click()
    expect(page.get_by_role("heading", name="¡Gracias por tu valoración!")).to_be_visible()
    expect(page.get_by_text("5 de 5")).to_be_visible()
    expect(page.get_by_text("Rápidos y amables, gracias.")).to_be_visible()
    screenshot(page, "sla-survey-thanks")
    rating = SatisfactionRating.objects.get()
    assert (rating.score, rating.comment, rating.ticket_id) == (5, "Rápidos y amables, gracias.", ticket.pk)
