"""Agents' emails: a new ticket to its department's agents, a customer's
reply to the assignee (or the department while nobody has it), with the
category's field values, threaded per ticket, each agent free to turn them
off, never to the agent who caused it."""

import pytest
from django.urls import reverse

from ventanilla.accounts.models import AgentProfile
from ventanilla.chat.models import AgentAvailability
from ventanilla.chat.services import agent_availability_set, chat_convert_to_ticket, chat_start
from ventanilla.fields.forms import category_fields_form
from ventanilla.fields.services import ticket_values_save
from ventanilla.mail import outbound
from ventanilla.mail.models import OutboundEmail, ThreadId
from ventanilla.tickets import services
from ventanilla.tickets.models import Category

from .conftest import make_agent

pytestmark = pytest.mark.django_db


@pytest.fixture
def notified(carla, soporte):
    """Carla and Tomás (Soporte) keep the emails on; Diego (Facturación)
    too; Olga (Soporte) turned them off."""
    AgentProfile.objects.filter(user=carla).update(email_notifications=True)
    tomas = make_agent("tomas@example.com", "Tomás Soporte", [soporte], email_notifications=True)
    make_agent("diego.f@example.com", "Diego Facturación",
               [Category.objects.exclude(department=soporte).first().department],
               email_notifications=True)
    make_agent("olga@example.com", "Olga Soporte", [soporte], email_notifications=False)
    return carla, tomas


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    def _send(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return _send


def agent_mail(mailoutbox, address):
    return [m for m in mailoutbox if m.to == [address] and "Ticket nuevo" in m.subject
            or m.to == [address] and "El cliente respondió" in m.subject]


def test_a_new_ticket_emails_each_agent_of_its_department_with_the_field_values(
        send, alice, soporte, notified, mailoutbox):
    carla, tomas = notified
    correo = Category.objects.get(department=soporte, name="Correo", parent=None)

    def create():
        ticket = services.ticket_create(
            customer=alice, requester=alice.user, subject="No llegan los correos",
            body="Rebotan con 550.", department=soporte, category=correo)
        blank = category_fields_form(correo, customer=alice)
        name = next(iter(blank.fields))
        form = category_fields_form(correo, customer=alice,
                                    data={blank.add_prefix(name): "ventas@alicia.mx"})
        assert form.is_valid(), form.errors
        ticket_values_save(ticket, form)
        return ticket

    ticket = send(create)
    to_agents = [m for m in mailoutbox if "Ticket nuevo" in m.subject]
    assert sorted(m.to[0] for m in to_agents) == ["carla@example.com", "tomas@example.com"]
    email = to_agents[0]
    assert email.subject == f"[#{ticket.number}] Ticket nuevo en Soporte técnico: No llegan los correos"
    assert "Dirección de correo afectada: ventas@alicia.mx" in email.body
    assert "Rebotan con 550." in email.body and "Alicia Pérez <alice@example.com>" in email.body
    assert reverse("console:ticket_detail", args=[ticket.number]) in email.body
    html = email.alternatives[0][0]
    assert "ventas@alicia.mx" in html and "Abrir en la consola" in html
    # The agents' own thread, kept apart from the customer's conversation.
    root = f"<ticket-{ticket.number}.agentes@"
    assert email.extra_headers["References"].startswith(root)
    assert email.extra_headers["Auto-Submitted"] == "auto-generated"
    agent_ids = OutboundEmail.objects.filter(kind="agent_new_ticket").values_list("message_id",
                                                                                   flat=True)
    assert not ThreadId.objects.filter(message_id__in=list(agent_ids)).exists()
    # The customer's acknowledgement still goes out, to the customer only.
    [ack] = [m for m in mailoutbox if "Recibimos tu ticket" in m.subject]
    assert ack.to == ["alice@example.com"]


def test_a_customers_reply_goes_to_the_assignee_or_else_to_the_department(
        send, alice, make_ticket, notified, mailoutbox):
    carla, tomas = notified
    ticket = send(make_ticket, alice)
    mailoutbox.clear()
    send(services.ticket_customer_reply, ticket, author=alice.user, body="¿Alguna novedad?")
    replies = [m for m in mailoutbox if "El cliente respondió" in m.subject]
    assert sorted(m.to[0] for m in replies) == ["carla@example.com", "tomas@example.com"]
    assert "¿Alguna novedad?" in replies[0].body

    send(services.ticket_assign, ticket, actor=carla, assignee=tomas)
    mailoutbox.clear()
    send(services.ticket_customer_reply, ticket, author=alice.user, body="Sigue fallando")
    replies = [m for m in mailoutbox if "El cliente respondió" in m.subject]
    assert [m.to for m in replies] == [["tomas@example.com"]]


def test_an_agent_who_turned_them_off_gets_none(send, alice, make_ticket, notified, mailoutbox):
    carla, tomas = notified
    AgentProfile.objects.filter(user=tomas).update(email_notifications=False)
    send(make_ticket, alice)
    assert [m.to for m in mailoutbox if "Ticket nuevo" in m.subject] == [["carla@example.com"]]


def test_the_agent_who_converts_a_chat_is_not_told_of_their_own_ticket(
        send, alice, soporte, notified, mailoutbox):
    carla, tomas = notified
    agent_availability_set(carla, status=AgentAvailability.Status.AVAILABLE)
    chat = chat_start(department=soporte, user=alice.user, first_message="Hola")
    send(chat_convert_to_ticket, chat, agent=carla)
    assert [m.to for m in mailoutbox if "Ticket nuevo" in m.subject] == [["tomas@example.com"]]


def test_an_english_speaking_agent_reads_it_in_english(send, alice, make_ticket, notified,
                                                       mailoutbox):
    carla, tomas = notified
    tomas.language = "en"
    tomas.save(update_fields=["language"])
    ticket = send(make_ticket, alice, subject="Sin correo")
    [english] = [m for m in mailoutbox if m.to == ["tomas@example.com"]]
    assert english.subject == f"[#{ticket.number}] New ticket in Soporte técnico: Sin correo"
    [spanish] = [m for m in mailoutbox if m.to == ["carla@example.com"]]
    assert "Ticket nuevo" in spanish.subject


def test_building_them_costs_a_fixed_number_of_queries_plus_one_row_per_agent(
        alice, make_ticket, notified, soporte, django_assert_max_num_queries):
    ticket = make_ticket(alice)
    # Per agent: its row (an INSERT between a savepoint and its release).
    with django_assert_max_num_queries(6 + 3 * 2):
        assert len(outbound.agent_notification_queue("agent_new_ticket",
                                                     ticket_id=ticket.pk)) == 2
    for n in range(4):
        make_agent(f"extra{n}@example.com", f"Extra {n}", [soporte], email_notifications=True)
    with django_assert_max_num_queries(6 + 3 * 6):
        assert len(outbound.agent_notification_queue("agent_new_ticket",
                                                     ticket_id=ticket.pk)) == 6


def test_an_agent_turns_them_off_in_my_account_and_a_customer_has_no_such_choice(
        client, carla, alice):
    AgentProfile.objects.filter(user=carla).update(email_notifications=True)
    client.force_login(carla)
    page = client.get(reverse("account_settings")).content.decode()
    assert "Avisarme por correo de los tickets nuevos" in page
    response = client.post(reverse("account_settings"), {
        "full_name": "Carla Soporte", "time_zone": "America/Mexico_City", "language": "es"})
    assert response.status_code == 302
    assert AgentProfile.objects.get(user=carla).email_notifications is False
    client.force_login(alice.user)
    assert "Avisarme por correo" not in client.get(reverse("account_settings")).content.decode()
