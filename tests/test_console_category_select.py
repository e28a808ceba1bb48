"""The console's category select follows the department select: it offers
only the chosen department's categories (an htmx fragment), and without
JavaScript a category of another department is refused with a clear error."""

import re

from django.urls import reverse

from ventanilla.tickets.models import Category


def options(html: str) -> set[str]:
    """The option labels of the category <select> in a page or fragment."""
    select = re.search(r'<select name="category"[^>]*>(.*?)</select>', html, re.S).group(1)
    return {label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select)}


def test_the_ticket_page_offers_only_its_departments_categories(client, carla, alice_ticket):
    client.force_login(carla)
    page = client.get(reverse("console:ticket_detail", args=[alice_ticket.number])).content.decode()
    offered = options(page)
    assert "Correo" in offered and "Sin categoría" in offered
    assert "Pagos" not in offered  # a Facturación category
    soporte_count = Category.objects.filter(department=alice_ticket.department, is_active=True).count()
    assert len(offered) == soporte_count + 1
    # The department select asks for the fragment when it changes.
    fragment_url = reverse("console:ticket_fields_categories", args=[alice_ticket.number])
    assert f'hx-get="{fragment_url}"' in page


def test_the_fragment_lists_the_chosen_departments_categories(client, carla, alice_ticket,
                                                             facturacion, correo_category):
    client.force_login(carla)
    url = reverse("console:ticket_fields_categories", args=[alice_ticket.number])
    html = client.get(url, {"department": facturacion.pk, "category": correo_category.pk}).content.decode()
    assert "Pagos" in options(html) and "Correo" not in options(html)
    assert 'id="id_category"' in html and "selected" not in html  # Correo is not kept
    payments = Category.objects.get(department=facturacion, name="Pagos")
    html = client.get(url, {"department": facturacion.pk, "category": payments.pk}).content.decode()
    assert f'<option value="{payments.pk}" selected>' in html


def test_the_fragment_is_404_for_a_ticket_the_agent_may_not_see(client, diego, alice_ticket, facturacion):
    client.force_login(diego)
    url = reverse("console:ticket_fields_categories", args=[alice_ticket.number])
    assert client.get(url, {"department": facturacion.pk}).status_code == 404


def test_without_javascript_a_mismatch_is_refused_and_the_new_list_offered(
    client, carla, alice_ticket, soporte, facturacion, correo_category
):
    client.force_login(carla)
    response = client.post(reverse("console:ticket_fields", args=[alice_ticket.number]), {
        "department": facturacion.pk, "category": correo_category.pk, "priority": "regular"})
    # Correo is not the ticket's category yet: refused, nothing saved, and the
    # re-rendered form offers Facturación's categories to pick from.
    assert response.status_code == 200
    page = response.content.decode()
    assert "Esa categoría no pertenece a «Facturación»." in page
    assert "Pagos" in options(page) and "Correo" not in options(page)
    alice_ticket.refresh_from_db()
    assert alice_ticket.department == soporte
