"""The console's finish, as an agent sees it: the category select follows the
department, the queue fits a 1366 px screen, error pages and the favicon."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from ventanilla.tickets.models import Category

pytestmark = pytest.mark.browser


def test_the_category_select_follows_the_department_by_keyboard(open_session, live_server,
                                                                 carla, alice_ticket, facturacion):
    page = open_session(carla)
    page.goto(f"{live_server.url}/consola/tickets/{alice_ticket.number}/")
    category = page.locator("#id_category")
    expect(category.locator("option", has_text=re.compile(r"^Correo$"))).to_have_count(1)
    expect(category.locator("option", has_text=re.compile(r"^Pagos$"))).to_have_count(0)

    department = page.locator("#id_department")
    department.focus()
    with page.expect_response(lambda r: "/campos/categorias/" in r.url):
        page.keyboard.type("Factur")  # type-ahead on the focused select changes it
    expect(department).to_have_value(str(facturacion.pk))
    expect(category.locator("option", has_text=re.compile(r"^Pagos$"))).to_have_count(1)
    expect(category.locator("option", has_text=re.compile(r"^Correo$"))).to_have_count(0)
    billing = Category.objects.filter(department=facturacion, is_active=True).count()
    expect(category.locator("option")).to_have_count(billing + 1)  # + "Sin categoría"
    # The swap did not steal the focus: the agent keeps moving by keyboard.
    assert page.evaluate("document.activeElement.id") == "id_department"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_category"
    screenshot(page, "console-category-follows-department")

    category.select_option(label="Pagos")
    page.get_by_role("button", name="Guardar cambios").click()
    expect(page.get_by_text(re.compile("ya no está en tus departamentos"))).to_be_visible()
    alice_ticket.refresh_from_db()
    assert alice_ticket.department == facturacion and alice_ticket.category.name == "Pagos"
    assert not page.js_errors
