"""Deadlines in the browser: the queue's live countdown (static JS, the CSP
allows no inline script) and the reports page with its SVG charts."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from ventanilla.sla.models import SlaPolicy
from ventanilla.sla.seed import seed_policies
from ventanilla.tickets.models import Ticket

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _policies():
    seed_policies(SlaPolicy)


def test_the_queue_counts_down_and_turns_overdue(open_session, live_server, alice, make_ticket, carla):
    ticket = make_ticket(alice)
    page = open_session(carla)
    # Due in a few seconds: the page must tick over to "vencido" by itself.
    soon = timezone.now() + timedelta(seconds=6)
    Ticket.objects.filter(pk=ticket.pk).update(due_at=soon, first_response_due_at=soon)
    page.goto(f"{live_server.url}/consola/")
    badge = page.locator(".sla-badge").first
    countdown = page.locator("time[data-sla-due]").first
    expect(badge).to_have_text("En plazo")  # as the server rendered it
    expect(countdown).to_have_text(re.compile(r"^quedan \d+ s$"))
    expect(countdown).to_have_text(re.compile(r"^hace \d+ s$"), timeout=15_000)
    expect(badge).to_have_text("Vencido")
    screenshot(page, "sla-queue-countdown")
    assert not page.js_errors


def test_the_reports_page_draws_its_charts(open_session, live_server, alice, make_ticket, sofia):
    make_ticket(alice)
    page = open_session(sofia)
    page.goto(f"{live_server.url}/consola/informes/")
    expect(page.get_by_role("heading", name="Informes")).to_be_visible()
    expect(page.locator("svg.chart")).to_have_count(3)
    screenshot(page, "sla-reports")
    assert not page.js_errors
