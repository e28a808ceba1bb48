"""Agents see and edit a ticket's values in the console sidebar; values are
searchable; old tickets keep their values when a category's fields change."""

import pytest
from django.urls import reverse

from ventanilla.fields import services
from ventanilla.fields.forms import category_fields_form
from ventanilla.fields.models import CategoryField, FieldType, FieldValueChange, TicketFieldValue
from ventanilla.tickets import selectors as ticket_selectors


@pytest.fixture
def correo_ticket(alice, make_ticket, correo_category):
    ticket = make_ticket(alice, category=correo_category)
    form = category_fields_form(correo_category, customer=alice,
                                data={f"campos-f{correo_category.custom_fields.get().pk}":
                                      "ventas@alicia.mx"})
    services.ticket_values_save(ticket, form)
    return ticket


def edit_url(ticket):
    return reverse("fields:console_values_edit", args=[ticket.number])


def test_the_sidebar_shows_the_values(carla_client, correo_ticket):
    html = carla_client.get(reverse("console:ticket_detail", args=[correo_ticket.number])).content.decode()
    assert "Datos de la categoría" in html
    assert "<dt>Dirección de correo afectada</dt><dd>ventas@alicia.mx</dd>" in html
    assert "Pedir autorización" in html


def test_the_edit_form_opens_in_place_of_the_sidebar_card(carla_client, correo_ticket):
    response = carla_client.get(edit_url(correo_ticket), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.strip().startswith('<section class="card fields-panel stack"')
    assert 'value="ventas@alicia.mx"' in html and "<html" not in html


def test_an_agent_edits_a_value_and_the_change_is_logged(carla_client, carla, correo_ticket):
    value = correo_ticket.field_values.get()
    response = carla_client.post(edit_url(correo_ticket), {f"editar-fv{value.pk}": "info@alicia.mx"})
    assert response.status_code == 302
    value.refresh_from_db()
    assert value.text == "info@alicia.mx"
    change = FieldValueChange.objects.get()
    assert (change.actor, change.label, change.from_text, change.to_text) == (
        carla, "Dirección de correo afectada", "ventas@alicia.mx", "info@alicia.mx")
    html = carla_client.get(edit_url(correo_ticket)).content.decode()
    assert "Cambios en los datos" in html and "ventas@alicia.mx → info@alicia.mx" in html


def test_a_bad_edit_keeps_what_the_agent_typed(carla_client, correo_ticket):
    value = correo_ticket.field_values.get()
    response = carla_client.post(edit_url(correo_ticket), {f"editar-fv{value.pk}": "info@otro.com"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "no corresponde a ninguno de los dominios" in html and 'value="info@otro.com"' in html
    value.refresh_from_db()
    assert value.text == "ventas@alicia.mx"
    assert not FieldValueChange.objects.exists()


def test_an_agent_fills_a_field_the_customer_left_empty(carla_client, alice, make_ticket,
                                                        correo_category):
    ticket = make_ticket(alice, category=correo_category)
    field = correo_category.custom_fields.get()
    carla_client.post(edit_url(ticket), {f"editar-f{field.pk}": "soporte@alicia.mx"})
    assert ticket.field_values.get().text == "soporte@alicia.mx"
    assert FieldValueChange.objects.get().from_text == ""


def test_an_agent_may_clear_a_value(carla_client, correo_ticket):
    value = correo_ticket.field_values.get()
    carla_client.post(edit_url(correo_ticket), {f"editar-fv{value.pk}": ""})
    assert not correo_ticket.field_values.exists()
    assert FieldValueChange.objects.get().to_text == ""


def test_agents_of_other_departments_get_404(client, diego, correo_ticket):
    client.force_login(diego)
    assert client.get(edit_url(correo_ticket)).status_code == 404
    assert client.post(edit_url(correo_ticket), {}).status_code == 404


def test_customers_cannot_edit(alice_client, correo_ticket):
    assert alice_client.get(edit_url(correo_ticket)).status_code == 404


def test_old_tickets_keep_their_values_when_the_fields_change(carla_client, alice, correo_ticket,
                                                              correo_category):
    field = correo_category.custom_fields.get()
    field.label, field.type = "Cuenta de correo", FieldType.TEXT
    field.save()
    CategoryField.objects.create(category=correo_category, label="Cliente de correo",
                                 type=FieldType.TEXT)
    value = TicketFieldValue.objects.get(ticket=correo_ticket)
    assert (value.label, value.type, value.text) == (
        "Dirección de correo afectada", FieldType.EMAIL, "ventas@alicia.mx")
    field.delete()
    value.refresh_from_db()
    assert value.field is None and value.text == "ventas@alicia.mx"
    html = carla_client.get(reverse("console:ticket_detail", args=[correo_ticket.number])).content.decode()
    assert "<dt>Dirección de correo afectada</dt><dd>ventas@alicia.mx</dd>" in html
    # The edit form asks the old value as it was (an email) plus the new field.
    form = carla_client.get(edit_url(correo_ticket)).context["form"]
    labels = [f.label for f in form]
    assert labels == ["Dirección de correo afectada", "Cliente de correo"]
    response = carla_client.post(edit_url(correo_ticket), {f"editar-fv{value.pk}": "no es correo"})
    assert "Escribe una dirección de correo válida" in response.content.decode()


def test_values_are_searchable_in_the_console(carla, correo_ticket, alice, make_ticket):
    make_ticket(alice, subject="Otra cosa")
    for q in ("ventas@alicia.mx", "ventas@", "ventas"):
        found = ticket_selectors.console_search(carla, q)
        assert list(found) == [correo_ticket], q


def test_search_by_value_respects_departments(diego, correo_ticket):
    assert not ticket_selectors.console_search(diego, "ventas@alicia.mx").exists()


def test_the_console_page_stays_within_its_query_budget(carla_client, correo_ticket,
                                                        django_assert_max_num_queries):
    url = reverse("console:ticket_detail", args=[correo_ticket.number])
    carla_client.get(url)
    with django_assert_max_num_queries(26):
        assert carla_client.get(url).status_code == 200


def test_editing_in_place_focuses_the_form_then_the_saved_card_and_announces_it(
        carla_client, correo_ticket):
    opened = carla_client.get(edit_url(correo_ticket), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-target="#datos-categoria" hx-swap="outerHTML" data-focus="field"' in opened
    value = correo_ticket.field_values.get()
    saved = carla_client.post(edit_url(correo_ticket), {f"editar-fv{value.pk}": "info@alicia.mx"},
                              HTTP_HX_REQUEST="true").content.decode()
    assert saved.strip().startswith('<section class="card fields-panel"')
    assert 'id="datos-categoria" data-focus data-announce="Datos guardados"' in saved
    assert "<dd>info@alicia.mx</dd>" in saved and "<html" not in saved
    bad = carla_client.post(edit_url(correo_ticket), {f"editar-fv{value.pk}": "no es un correo"},
                            HTTP_HX_REQUEST="true").content.decode()
    # Swapped in and focused, the summary is read once: no alert besides.
    assert '<div class="form-errors" tabindex="-1" data-focus>' in bad
    assert "<html" not in bad and 'data-focus="field"' not in bad
