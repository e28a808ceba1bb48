"""The console's finish, as an agent sees it: the category select follows the
department, the queue fits a 1366 px screen, error pages and the favicon."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from ventanilla.tickets.models import Category, Ticket

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
    with page.expect_response(lambda r: "/campos/categorias/" in r.url) as fragment:
        page.keyboard.type("Factur")  # type-ahead on the focused select changes it
    assert f"department={facturacion.pk}" in fragment.value.url
    assert "csrfmiddlewaretoken" not in fragment.value.url  # only what the fragment needs
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


def test_the_queue_fits_a_1366_screen_without_horizontal_scrolling(
        open_session, live_server, sofia, make_ticket, soporte, facturacion):
    from tests.conftest import make_customer
    from ventanilla.accounts.models import Customer
    from ventanilla.tickets import services
    from ventanilla.tickets.models import Priority

    customer = make_customer("administracion.contabilidad@distribuidora-del-noroeste.com.mx",
                             "Distribuidora Comercial del Noroeste S.A. de C.V.")
    assert Customer.objects.filter(pk=customer.pk).exists()
    outlook = Category.objects.filter(department=soporte, parent__isnull=False).first()
    for i in range(12):
        ticket = make_ticket(
            customer, department=soporte if i % 2 else facturacion,
            subject=("No puedo enviar correos desde Outlook a dominios externos y los clientes "
                     f"dicen que rebotan con error 550 (caso {i})"),
            category=outlook if i % 2 else None,
        )
        if i % 3 == 0:  # Alta (its incident data does not matter to the layout)
            Ticket.objects.filter(pk=ticket.pk).update(priority=Priority.HIGH)
        if i % 4 == 0:
            services.ticket_assign(ticket, actor=sofia, assignee=sofia)

    page = open_session(sofia, width=1366)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/consola/")
    wrap = page.locator("#queue-results .table-wrap")
    expect(wrap).to_be_visible()
    sizes = wrap.evaluate("el => [el.scrollWidth, el.clientWidth]")
    screenshot(page, "console-queue-1366")
    assert sizes[0] <= sizes[1], f"the queue scrolls sideways: {sizes}"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The subject wraps instead of widening the table; every column is still there.
    assert page.locator("#queue-results thead th").count() == 12


def test_a_404_offers_the_way_back_and_the_favicon_answers(open_session, live_server, carla):
    page = open_session(carla)
    response = page.goto(f"{live_server.url}/consola/tickets/00000000/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="No encontramos esta página")).to_be_visible()
    screenshot(page, "error-404-agent")
    page.get_by_role("link", name="Volver a la consola").click()
    expect(page).to_have_url(re.compile(r"/consola/$"))
    icon = page.request.get(f"{live_server.url}/favicon.ico")
    assert icon.ok and icon.headers["content-type"].startswith("image/svg+xml")


def test_the_attachment_icon_is_drawn_without_a_font(open_session, live_server, alice, make_ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.test_static_finish import PNG

    ticket = make_ticket(alice, files=[SimpleUploadedFile("captura.png", PNG)])
    page = open_session(alice.user)
    page.goto(f"{live_server.url}/cliente/tickets/{ticket.number}/")
    link = page.get_by_role("link", name="Adjunto: captura.png")
    expect(link).to_be_visible()
    box = link.locator("svg.icon").bounding_box()
    assert box and box["width"] >= 12 and box["height"] >= 12
    assert link.evaluate("el => getComputedStyle(el, '::before').content") in ("none", "normal")


def test_the_admin_uploads_a_logo_and_picks_colours(open_session, live_server, root, tmp_path):
    from tests.test_static_finish import PNG

    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    page = open_session(root)
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("caption", has_text="Clientes y servicios")).to_be_visible()
    page.goto(f"{live_server.url}/admin/core/sitesettings/")
    colour = page.locator("#id_primary_colour")
    assert colour.get_attribute("type") == "color"
    colour.fill("#aa3300")  # what the picker submits
    page.locator("#id_logo").set_input_files(str(logo))
    page.get_by_role("button", name="Guardar", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()
    page.goto(f"{live_server.url}/consola/")
    header_logo = page.locator("img.brand__logo")
    expect(header_logo).to_be_visible()
    assert header_logo.evaluate("img => img.complete && img.naturalWidth > 0")
    brand = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand')")
    assert brand.strip() == "#aa3300"
    screenshot(page, "admin-logo-in-header")
