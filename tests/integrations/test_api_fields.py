"""A ticket's category fields and consent records through the API: read as
the ticket keeps them (label and type as answered), written through the
fields app's own validation."""

import pytest

from ventanilla.fields import services as field_services
from ventanilla.fields.models import CategoryField, FieldType, FieldValueChange, TicketFieldValue
from ventanilla.tickets.models import Category, Department, Ticket

from .conftest import new_ticket


@pytest.fixture
def correo():
    """A "Correo" category in soporte: an address that must be the customer's,
    a required amount, and a choice."""
    category = Category.objects.create(department=Department.objects.get(slug="soporte"),
                                       name="Correo (API)")
    address = CategoryField.objects.create(category=category, label="Dirección afectada",
                                           type=FieldType.EMAIL, must_be_customer_domain=True,
                                           position=0)
    amount = CategoryField.objects.create(category=category, label="Importe", required=True,
                                          type=FieldType.AMOUNT, position=1)
    plan = CategoryField.objects.create(category=category, label="Plan", type=FieldType.CHOICE,
                                        options="Básico\nPro", position=2)
    return category, address, amount, plan


def test_a_ticket_is_opened_with_its_category_fields(synced, correo):  # noqa: F811
    category, address, amount, plan = correo
    ticket = new_ticket(synced, category=category.pk, fields={
        str(address.pk): "ventas@alicia.mx", str(amount.pk): {"amount": "499", "currency": "MXN"},
        str(plan.pk): "Pro"})
    assert ticket["category"] == category.pk
    assert [(f["field"], f["label"], f["type"], f["text"]) for f in ticket["fields"]] == [
        (address.pk, "Dirección afectada", "correo", "ventas@alicia.mx"),
        (amount.pk, "Importe", "importe", "499.00 MXN"),
        (plan.pk, "Plan", "opcion", "Pro"),
    ]
    assert ticket["fields"][1]["value"] == {"amount": "499.00", "currency": "MXN"}
    # Renaming the field later keeps the label the ticket was answered with.
    address.label = "Correo"
    address.save()
    again = synced.get(f"/tickets/{ticket['number']}").json()
    assert again["fields"][0]["label"] == "Dirección afectada"


@pytest.mark.parametrize("values,field", [
    ("bad-address", "address"),          # not an email
    ("ventas@roberto.com", "address"),   # bob's domain, not alice's
    (None, "amount"),                    # required amount missing
])
def test_bad_values_are_refused_naming_the_field(synced, correo, values, field):  # noqa: F811
    category, address, amount, _plan = correo
    body = {str(amount.pk): {"amount": "10", "currency": "MXN"}}
    if field == "address":
        body[str(address.pk)] = values
    else:
        body = {str(address.pk): "ventas@alicia.mx"}
    r = synced.post("/tickets", {"customer": "C-ALICE", "subject": "x", "body": "y",
                                 "department": "soporte", "category": category.pk, "fields": body})
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    pk = address.pk if field == "address" else amount.pk
    assert [e["field"] for e in r.json()["errors"]] == [f"fields.{pk}"], r.json()
    assert not Ticket.objects.exists() and not TicketFieldValue.objects.exists()


def test_unknown_fields_and_categories_are_refused(synced, correo):  # noqa: F811
    category, _address, amount, _plan = correo
    base = {"customer": "C-ALICE", "subject": "x", "body": "y", "department": "soporte"}
    r = synced.post("/tickets", {**base, "category": category.pk, "fields": {"999999": "x"}})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "fields.999999"
    r = synced.post("/tickets", {**base, "fields": {str(amount.pk): "x"}})
    assert r.status_code == 422 and r.json()["code"] == "unknown_field"
    r = synced.post("/tickets", {**base, "department": "facturacion", "category": category.pk})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "category"
    assert not Ticket.objects.exists()


def test_patch_changes_only_the_named_fields_and_logs_them(synced, correo, sofia):  # noqa: F811
    category, address, amount, plan = correo
    number = new_ticket(synced, category=category.pk, fields={
        str(address.pk): "ventas@alicia.mx", str(amount.pk): {"amount": "10", "currency": "MXN"}},
    )["number"]
    r = synced.patch(f"/tickets/{number}", {"fields": {str(plan.pk): "Básico",
                                                       str(address.pk): "soporte@alicia.mx"}})
    assert r.status_code == 200, r.content
    texts = {f["label"]: f["text"] for f in r.json()["fields"]}
    assert texts == {"Dirección afectada": "soporte@alicia.mx", "Importe": "10.00 MXN",
                     "Plan": "Básico"}
    assert FieldValueChange.objects.filter(actor=sofia).count() == 2
    bad = synced.patch(f"/tickets/{number}", {"fields": {str(address.pk): "x@roberto.com"}})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == f"fields.{address.pk}"
    assert TicketFieldValue.objects.get(field=address).text == "soporte@alicia.mx"


def test_consent_requests_and_answers_are_in_the_ticket(synced, sofia, alice):  # noqa: F811
    number = new_ticket(synced)["number"]
    ticket = Ticket.objects.get(number=number)
    action = "Actualizar WordPress a la última versión"
    request = field_services.consent_request_create(ticket, agent=sofia, action=action)
    field_services.consent_request_create(ticket, agent=sofia, action="Restaurar la copia")
    field_services.consent_answer(request, decision="autorizo", channel="portal", user=alice.user)
    consents = synced.get(f"/tickets/{number}").json()["consents"]
    assert [(c["action"], c["status"]) for c in consents] == [
        ("Restaurar la copia", "pendiente"), (action, "autorizo")]
    answer = consents[1]["answer"]
    assert answer["text"] == action and answer["channel"] == "portal"
    assert answer["answered_by"] and consents[1]["requested_by"] == "sofia@example.com"


def test_another_customer_never_sees_the_values(synced, correo):  # noqa: F811
    category, address, amount, _plan = correo
    number = new_ticket(synced, category=category.pk, fields={
        str(address.pk): "ventas@alicia.mx", str(amount.pk): {"amount": "1", "currency": "MXN"}},
    )["number"]
    assert synced.get(f"/tickets/{number}", customer="C-BOB").status_code == 404
