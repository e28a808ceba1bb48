"""The portal's new-ticket form with a category's guidance and fields,
through the test client: shown on pick, validated, saved with the ticket."""

import pytest
from django.urls import reverse

from ventanilla.fields.models import CategoryField, FieldType, TicketFieldValue
from ventanilla.tickets.models import Category, Priority, Ticket

NEW = reverse("portal:ticket_new")
FRAGMENT = reverse("fields:portal_category_fields")


@pytest.fixture
def pagos(facturacion):
    return Category.objects.get(department=facturacion, name="Pagos")


@pytest.fixture
def pagos_fields(pagos):
    return {field.label: f"campos-f{field.pk}" for field in pagos.custom_fields.all()}


@pytest.fixture
def payment(facturacion, pagos, pagos_fields):
    """A valid Pagos ticket with its fields, as the form posts it."""
    method, date, amount = (pagos_fields[label] for label in
                            ("Método de pago", "Fecha y hora del pago", "Importe"))
    return {
        "department": facturacion.pk, "category": pagos.pk, "service": "",
        "subject": "Pagué y el servicio sigue suspendido", "body": "Pagué ayer por PayPal.",
        "priority": Priority.REGULAR,
        method: "PayPal", f"{date}_0": "2025-03-14T09:30", f"{date}_1": "America/Mexico_City",
        f"{amount}_0": "1,250.50", f"{amount}_1": "MXN",
    }


def test_picking_a_category_shows_its_guidance_and_fields(alice_client, pagos):
    html = alice_client.get(FRAGMENT, {"category": pagos.pk}, HTTP_HX_REQUEST="true").content.decode()
    assert html.strip().startswith('<div id="category-fields"')
    assert "Incluye el método de pago, la fecha, el importe" in html
    for label in ("Método de pago", "Fecha y hora del pago", "Importe"):
        assert label in html
    assert '<option value="PayPal">PayPal</option>' in html
    assert "<script" not in html  # the reloaded part; fields.js is loaded once with the page


def test_a_subcategory_shows_its_parents_fields(alice_client, soporte):
    spam = Category.objects.get(department=soporte, name="Spam")
    html = alice_client.get(FRAGMENT, {"category": spam.pk}).content.decode()
    assert "Dirección de correo afectada" in html
    assert "Incluye la dirección de correo con la que tienes problemas" in html


def test_the_reload_keeps_what_was_typed(alice_client, pagos, pagos_fields):
    html = alice_client.get(FRAGMENT, {
        "category": pagos.pk, pagos_fields["Importe"] + "_0": "99.90",
    }).content.decode()
    assert 'value="99.90"' in html


def test_an_unknown_or_inactive_category_shows_nothing(alice_client, pagos):
    pagos.is_active = False
    pagos.save()
    for category in (pagos.pk, "999999", "x", ""):
        html = alice_client.get(FRAGMENT, {"category": category}).content.decode()
        assert "Datos que nos ayudan" not in html and "fields-guidance" not in html


def test_the_fragment_is_for_customers_only(client, carla):
    client.force_login(carla)
    assert client.get(FRAGMENT).status_code == 302  # agents go to their console
    client.logout()
    assert client.get(FRAGMENT).status_code == 302  # to the login page


def test_a_prefilled_category_shows_its_fields_on_the_first_render(alice_client, facturacion, pagos):
    html = alice_client.get(NEW, {"departamento": "facturacion", "categoria": pagos.pk}).content.decode()
    assert "Fecha y hora del pago" in html
    assert f'data-category="{pagos.pk}"' in html


def test_it_saves_the_values_with_the_ticket(alice_client, alice, payment, pagos):
    response = alice_client.post(NEW, payment)
    ticket = Ticket.objects.get(customer=alice)
    assert response.status_code == 302
    values = {v.label: (v.type, v.value, v.text) for v in ticket.field_values.all()}
    assert values == {
        "Método de pago": (FieldType.CHOICE, "PayPal", "PayPal"),
        "Fecha y hora del pago": (
            FieldType.DATETIME,
            {"at": "2025-03-14T09:30:00-06:00", "local": "2025-03-14T09:30",
             "tz": "America/Mexico_City"},
            "2025-03-14 09:30 (America/Mexico_City)"),
        "Importe": (FieldType.AMOUNT, {"amount": "1250.50", "currency": "MXN"}, "1250.50 MXN"),
    }


def test_bad_values_keep_everything_typed_and_create_nothing(alice_client, payment, pagos_fields):
    amount = pagos_fields["Importe"]
    response = alice_client.post(NEW, {**payment, f"{amount}_0": "mil pesos"})
    assert response.status_code == 200
    assert not Ticket.objects.exists()
    html = response.content.decode()
    assert "Escribe un importe válido, p. ej. 1250.50." in html
    assert 'value="mil pesos"' in html
    assert 'value="2025-03-14T09:30"' in html
    assert '<option value="PayPal" selected>' in html
    assert "Pagué ayer por PayPal." in html


def test_required_fields_are_required(alice_client, payment, pagos_fields):
    method = pagos_fields["Método de pago"]
    response = alice_client.post(NEW, {**payment, method: ""})
    assert not Ticket.objects.exists()
    assert response.context["fields_form"].errors[method.removeprefix("campos-")] == [
        "Elige una opción."]


def test_the_ticket_forms_errors_keep_the_fields_values(alice_client, payment, pagos_fields):
    response = alice_client.post(NEW, {**payment, "subject": ""})
    assert not Ticket.objects.exists()
    assert 'value="1,250.50"' in response.content.decode()


def test_an_email_must_be_on_the_customers_domains(alice_client, alice, soporte, correo_category):
    field = correo_category.custom_fields.get()
    post = {
        "department": soporte.pk, "category": correo_category.pk, "service": "",
        "subject": "No recibo correos", "body": "Nada llega desde ayer.", "priority": "regular",
    }
    response = alice_client.post(NEW, {**post, f"campos-f{field.pk}": "yo@gmail.com"})
    assert "no corresponde a ninguno de los dominios de tus servicios (alicia.mx)" in (
        response.content.decode())
    alice_client.post(NEW, {**post, f"campos-f{field.pk}": "ventas@alicia.mx"})
    assert TicketFieldValue.objects.get().text == "ventas@alicia.mx"


def test_an_optional_field_left_empty_stores_nothing(alice_client, soporte, correo_category):
    alice_client.post(NEW, {
        "department": soporte.pk, "category": correo_category.pk, "service": "",
        "subject": "No recibo correos", "body": "Nada llega desde ayer.", "priority": "regular",
    })
    assert Ticket.objects.count() == 1
    assert not TicketFieldValue.objects.exists()


def test_the_customers_domains_are_read_only_to_check_a_value(alice_client, soporte,
                                                               correo_category):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    post = {
        "department": soporte.pk, "category": correo_category.pk, "service": "",
        "subject": "No recibo correos", "body": "Nada llega desde ayer.", "priority": "regular",
    }
    field = correo_category.custom_fields.get()
    assert field.must_be_customer_domain and not field.required
    with CaptureQueriesContext(connection) as empty:
        assert alice_client.post(NEW, post).status_code == 302
    with CaptureQueriesContext(connection) as filled:
        assert alice_client.post(NEW, {**post, f"campos-f{field.pk}": "ventas@alicia.mx"}
                                 ).status_code == 302
    assert not [q for q in empty if '"accounts_service"' in q["sql"]]
    assert len([q for q in filled if '"accounts_service"' in q["sql"]]) == 1


def test_the_ticket_and_its_values_commit_together(alice_client, payment, pagos, monkeypatch):
    from ventanilla.fields import services

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services.TicketFieldValue.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        alice_client.post(NEW, payment)
    assert not Ticket.objects.exists()


def test_fields_of_another_category_are_ignored(alice_client, alice, payment, soporte,
                                                correo_category):
    correo_field = correo_category.custom_fields.get()
    alice_client.post(NEW, {**payment, f"campos-f{correo_field.pk}": "x@alicia.mx"})
    assert set(TicketFieldValue.objects.values_list("label", flat=True)) == {
        "Método de pago", "Fecha y hora del pago", "Importe"}


def test_inactive_fields_are_not_asked(alice_client, pagos, payment, pagos_fields):
    CategoryField.objects.filter(label="Importe").update(is_active=False)
    amount = pagos_fields["Importe"]
    html = alice_client.get(FRAGMENT, {"category": pagos.pk}).content.decode()
    assert "Importe" not in html
    alice_client.post(NEW, {**payment, f"{amount}_0": ""})
    assert Ticket.objects.count() == 1


def test_a_subcategory_ticket_keeps_its_parents_fields(alice_client, soporte):
    spam = Category.objects.get(department=soporte, name="Spam")
    field = spam.parent.custom_fields.get()
    alice_client.post(NEW, {
        "department": soporte.pk, "category": spam.pk, "service": "", "priority": "regular",
        "subject": "Me llega mucho spam", "body": "Cientos al día.",
        f"campos-f{field.pk}": "info@alicia.mx",
    })
    assert TicketFieldValue.objects.get().ticket.category == spam


def test_the_customer_sees_the_values_on_the_ticket_page(alice_client, alice, payment,
                                                         django_assert_max_num_queries):
    alice_client.post(NEW, payment)
    ticket = Ticket.objects.get(customer=alice)
    url = reverse("portal:ticket_detail", args=[ticket.number])
    alice_client.get(url)
    with django_assert_max_num_queries(30):
        html = alice_client.get(url).content.decode()
    assert "Datos que nos diste" in html
    assert "<dt>Importe</dt><dd>1250.50 MXN</dd>" in html
    assert "<dt>Fecha y hora del pago</dt><dd>2025-03-14 09:30 (America/Mexico_City)</dd>" in html
