"""A customer's "Abrir ticket" submission that reaches the server twice
(the connection died after the server saved it and the request was sent
again) shows one confirmation and opens one ticket (issue 17, B5)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from ventanilla.tickets.models import Ticket

pytestmark = pytest.mark.browser


def test_a_submission_sent_twice_opens_one_ticket(open_session, live_server, alice):
    customer = open_session(alice.user)
    customer.goto(f"{live_server.url}/cliente/tickets/nuevo/")
    with customer.expect_response(
            lambda r: re.search(r"/tickets/nuevo/categorias/\?.*department=\d", r.url)):
        customer.get_by_label("Soporte técnico").check()
    customer.get_by_label("Categoría").select_option(label="Sitio web")
    customer.get_by_label("Asunto").fill("Mi sitio alicia.mx no carga")
    customer.get_by_label("Mensaje").fill("Desde las 9:00 el sitio muestra un error 500.")

    sent = []

    def twice(route):
        if route.request.method != "POST":
            return route.continue_()
        sent.append(route.fetch(max_redirects=0))  # saved; its answer never reaches the browser
        return route.continue_()  # the same request again

    customer.route("**/cliente/tickets/nuevo/", twice)
    customer.get_by_role("button", name="Enviar ticket").click()
    expect(customer.locator(".ticket-number")).to_be_visible()

    ticket = Ticket.objects.get(customer=alice)
    assert len(sent) == 1 and sent[0].status == 302
    assert ticket.number in sent[0].headers["location"]
    expect(customer.locator(".ticket-number")).to_contain_text(ticket.number)
    customer.goto(f"{live_server.url}/cliente/tickets/")
    expect(customer.get_by_text("Mi sitio alicia.mx no carga")).to_have_count(1)
    screenshot(customer, "portal-retried-submission-one-ticket")
    assert customer.js_errors == []
