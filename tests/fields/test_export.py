"""The console's CSV export: what the queue tab or search shows, with each
ticket's category fields, only from the agent's departments, safe to open in
a spreadsheet, and in a number of queries that does not grow with the rows."""

import csv
import io

import pytest
from django.urls import reverse

from ventanilla.fields import services
from ventanilla.fields.forms import category_fields_form
from ventanilla.tickets import export

EXPORT = reverse("console:queue_export")


@pytest.fixture
def correo_ticket(alice, make_ticket, correo_category):
    ticket = make_ticket(alice, subject="Rebotan los correos", category=correo_category)
    form = category_fields_form(correo_category, customer=alice,
                                data={f"campos-f{correo_category.custom_fields.get().pk}":
                                      "ventas@alicia.mx"})
    services.ticket_values_save(ticket, form)
    return ticket


def read(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    assert text.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def test_the_export_has_the_queue_rows_with_their_field_values(carla_client, correo_ticket,
                                                               bob, make_ticket):
    other = make_ticket(bob, subject="Cambio de DNS")
    response = carla_client.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="tickets-')
    header, *rows = read(response)
    assert header[:4] == ["Número", "Asunto", "Estado", "Prioridad"] and header[-1] == "Campos"
    by_number = {row[0]: row for row in rows}
    assert set(by_number) == {correo_ticket.number, other.number}
    row = by_number[correo_ticket.number]
    assert row[1] == "Rebotan los correos" and row[5] == "Correo"
    assert row[6:8] == ["Alicia Pérez", "alice@example.com"]
    assert row[-1] == "Dirección de correo afectada: ventas@alicia.mx"
    assert by_number[other.number][-1] == ""


def test_the_export_follows_the_search(carla_client, correo_ticket, bob, make_ticket):
    make_ticket(bob, subject="Cambio de DNS")
    _header, *rows = read(carla_client.get(EXPORT, {"q": "ventas@alicia.mx"}))
    assert [row[0] for row in rows] == [correo_ticket.number]


def test_only_the_agents_departments(client, diego, correo_ticket, alice, make_ticket,
                                     facturacion):
    billing = make_ticket(alice, subject="Factura duplicada", department=facturacion)
    client.force_login(diego)
    _header, *rows = read(client.get(EXPORT))
    assert [row[0] for row in rows] == [billing.number]


def test_customers_and_visitors_never_get_an_export(alice_client, client, correo_ticket):
    assert alice_client.get(EXPORT).status_code == 404
    client.logout()
    assert client.get(EXPORT).status_code == 302  # to the login page


def test_formulas_are_defused():
    assert export.safe_cell('=HYPERLINK("http://x")') == "'=HYPERLINK(\"http://x\")"
    assert export.safe_cell("+52 55 1234") == "'+52 55 1234"
    assert export.safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert export.safe_cell("Correo rebota") == "Correo rebota"
    assert export.safe_cell(None) == ""


def test_a_formula_subject_is_written_defused(carla_client, alice, make_ticket):
    ticket = make_ticket(alice, subject="=1+1 no funciona")
    _header, *rows = read(carla_client.get(EXPORT))
    assert [row[1] for row in rows if row[0] == ticket.number] == ["'=1+1 no funciona"]


def test_queries_do_not_grow_with_the_rows(carla_client, alice, correo_category, make_ticket,
                                           django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr(export, "BATCH", 5)
    field = correo_category.custom_fields.get()
    for i in range(12):
        ticket = make_ticket(alice, subject=f"Correo {i}", category=correo_category)
        services.ticket_values_save(ticket, category_fields_form(
            correo_category, customer=alice, data={f"campos-f{field.pk}": f"u{i}@alicia.mx"}))
    # Session and user, the agent's departments, then two per batch of 5.
    with django_assert_max_num_queries(12):
        _header, *rows = read(carla_client.get(EXPORT))
    assert len(rows) == 12 and all(row[-1].startswith("Dirección") for row in rows)


def test_the_export_stops_at_its_limit(carla_client, alice, make_ticket, monkeypatch):
    monkeypatch.setattr(export, "MAX_ROWS", 3)
    for i in range(5):
        make_ticket(alice, subject=f"Ticket {i}")
    _header, *rows = read(carla_client.get(EXPORT))
    assert len(rows) == 3


def test_the_queue_links_to_the_export_of_what_it_shows(carla_client, correo_ticket):
    html = carla_client.get(reverse("console:queue"), {"vista": "sin-asignar"}).content.decode()
    assert f'href="{EXPORT}?vista=sin-asignar" download' in html
