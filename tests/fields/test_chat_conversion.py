"""A chat turned into a ticket asks the category's fields, as the portal does."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ventanilla.chat.models import ChatMessage
from ventanilla.chat.services import chat_convert_to_ticket, chat_start
from ventanilla.fields.forms import category_fields_form
from ventanilla.fields.models import TicketFieldValue
from ventanilla.tickets.models import Category, Ticket

from ..chat.agents import available

pytestmark = pytest.mark.django_db


@pytest.fixture
def databases(soporte):
    return Category.objects.get(department=soporte, name="Bases de datos", parent=None)


@pytest.fixture
def alice_chat(alice, carla, soporte):
    available(carla)
    chat = chat_start(department=soporte, user=alice.user,
                      first_message="No puedo entrar a phpMyAdmin")
    assert chat.agent == carla
    return chat


def fields_data(form, answers: dict) -> dict:
    """POST data for a FieldsForm by label: {"Nombre de la base de datos": "x"}."""
    names = {field.label: form.add_prefix(name) for name, field in form.fields.items()}
    return {names[label]: value for label, value in answers.items()}


def test_converting_with_a_category_stores_its_answers_with_the_ticket(alice, alice_chat, carla,
                                                                       databases):
    blank = category_fields_form(databases, customer=alice)
    form = category_fields_form(databases, customer=alice, data=fields_data(
        blank, {"Nombre de la base de datos": "alicia_tienda"}))
    assert form.is_valid(), form.errors
    ticket = chat_convert_to_ticket(alice_chat, agent=carla, category=databases, fields=form)
    assert ticket.category == databases and ticket.channel == "chat"
    values = {v.label: v.text for v in TicketFieldValue.objects.filter(ticket=ticket)}
    assert values["Nombre de la base de datos"] == "alicia_tienda"
    alice_chat.refresh_from_db()
    assert alice_chat.ticket == ticket


def test_a_category_of_another_department_is_refused_and_nothing_is_created(
        alice_chat, carla, facturacion):
    other = Category.objects.filter(department=facturacion).first()
    with pytest.raises(ValidationError):
        chat_convert_to_ticket(alice_chat, agent=carla, category=other)
    assert not Ticket.objects.exists()
    alice_chat.refresh_from_db()
    assert alice_chat.ticket is None


def test_the_sidebar_asks_the_picked_categorys_guidance_and_fields(client, alice_chat, carla,
                                                                  databases):
    client.force_login(carla)
    url = reverse("chat:console_convert", args=[alice_chat.pk])
    sidebar = client.get(reverse("chat:console_sidebar", args=[alice_chat.pk])).content.decode()
    assert "data-chatc-convert-form" in sidebar and f'value="{databases.pk}"' in sidebar
    page = client.get(url, {"categoria": databases.pk}).content.decode()
    assert "Confirma la base de datos" in page  # the guidance
    assert "Nombre de la base de datos" in page


def test_invalid_answers_are_shown_with_what_was_typed_and_nothing_is_created(
        client, alice, alice_chat, carla):
    correo = Category.objects.get(department=alice_chat.department, name="Correo", parent=None)
    blank = category_fields_form(correo, customer=alice)
    client.force_login(carla)
    response = client.post(reverse("chat:console_convert", args=[alice_chat.pk]), {
        "categoria": correo.pk,
        **fields_data(blank, {"Dirección de correo afectada": "ventas@otrodominio.com"}),
    })
    assert response.status_code == 200
    page = response.content.decode()
    assert "Revisa los datos de la categoría." in page
    assert 'value="ventas@otrodominio.com"' in page  # nothing typed is lost
    assert "alicia.mx" in page  # the error names the customer's own domains
    assert not Ticket.objects.exists()


def test_valid_answers_convert_and_the_customer_is_told_the_number(client, alice, alice_chat,
                                                                   carla, databases):
    blank = category_fields_form(databases, customer=alice)
    client.force_login(carla)
    response = client.post(reverse("chat:console_convert", args=[alice_chat.pk]), {
        "categoria": databases.pk,
        **fields_data(blank, {"Nombre de la base de datos": "alicia_wp"}),
    })
    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert f"Creado el ticket #{ticket.number}" in response.content.decode()
    assert ticket.category == databases and ticket.assignee == carla
    assert TicketFieldValue.objects.get(ticket=ticket, label="Nombre de la base de datos").text \
        == "alicia_wp"
    told = alice_chat.messages.filter(kind=ChatMessage.Kind.SYSTEM).last()
    assert f"#{ticket.number}" in told.body


def test_converting_without_a_category_still_works_from_the_form(client, alice_chat, carla):
    client.force_login(carla)
    response = client.post(reverse("chat:console_convert", args=[alice_chat.pk]),
                           {"categoria": ""})
    assert response.status_code == 200
    assert Ticket.objects.get().category is None


def test_a_missing_required_answer_is_refused(client, alice_chat, carla, databases):
    client.force_login(carla)
    response = client.post(reverse("chat:console_convert", args=[alice_chat.pk]),
                           {"categoria": databases.pk})
    assert "Este dato es obligatorio: Nombre de la base de datos." in response.content.decode()
    assert not Ticket.objects.exists()


def test_only_an_agent_who_may_read_the_chat_can_convert_it(client, alice_chat, diego, databases,
                                                            alice):
    client.force_login(diego)  # Facturación: not this chat's agent or department
    url = reverse("chat:console_convert", args=[alice_chat.pk])
    assert client.get(url, {"categoria": databases.pk}).status_code == 404
    assert client.post(url, {"categoria": ""}).status_code == 404
    client.force_login(alice.user)
    assert client.post(url, {"categoria": ""}).status_code in (302, 403, 404)
    assert not Ticket.objects.exists()


def test_a_visitors_answers_are_not_checked_against_services_they_do_not_have(soporte, carla):
    """A visitor has no known services: an address field that must belong to
    the customer's domains cannot apply."""
    available(carla)
    chat = chat_start(department=soporte, name="Nadia", email="nadia@ejemplo.net",
                      first_message="No me llegan correos")
    correo = Category.objects.get(department=soporte, name="Correo", parent=None)
    blank = category_fields_form(correo, customer=None)
    form = category_fields_form(correo, customer=None, data=fields_data(
        blank, {"Dirección de correo afectada": "ventas@ejemplo.net"}))
    assert form.is_valid(), form.errors
    ticket = chat_convert_to_ticket(chat, agent=carla, category=correo, fields=form)
    assert TicketFieldValue.objects.get(ticket=ticket).text == "ventas@ejemplo.net"
