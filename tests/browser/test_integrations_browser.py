"""The interactive API docs run under the site's CSP (scripts and styles from
our static files only) and can call the API with a key."""

import pytest

from ventanilla.integrations.models import Integration
from ventanilla.integrations.services import api_key_create

from .conftest import screenshot

pytestmark = pytest.mark.browser


def test_the_api_docs_render_and_try_a_call(browser_context, live_server, sofia, alice, make_ticket):
    integration = Integration.objects.create(name="WHMCS", slug="whmcs", agent=sofia)
    _key, raw = api_key_create(integration, name="docs", scopes=["tickets:read"])
    make_ticket(alice)
    page = browser_context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.get_by_role("heading", name="Ventanilla API").wait_for()
    page.get_by_role("button", name="Authorize").click()
    page.locator(".auth-container input").fill(raw)
    page.locator(".auth-btn-wrapper button.authorize").click()
    page.locator(".auth-btn-wrapper button.btn-done").click()
    page.locator("#operations-tickets-ventanilla_integrations_api_tickets_ticket_list").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    status = page.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    assert status.inner_text().strip() == "200"
    screenshot(page, "integrations-api-docs")
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
