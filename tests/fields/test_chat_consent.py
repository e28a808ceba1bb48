"""Consent asked in a live chat: the agent asks from the console sidebar,
the logged-in customer answers in the chat with one click, the record is
the same immutable one as a ticket's (channel "chat"), and it counts for
the ticket the chat becomes."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ventanilla.chat.models import AgentAvailability, ChatMessage
from ventanilla.chat.selectors import customer_state
from ventanilla.chat.services import (
    agent_availability_set,
    chat_close,
    chat_convert_to_ticket,
    chat_start,
)
from ventanilla.fields.models import ConsentAction, ConsentChannel, ConsentRequest, ImmutableError
from ventanilla.fields.selectors import consent_rows
from ventanilla.fields.services import (
    consent_action_done,
    consent_answer_in_chat,
    consent_request_from_chat,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat(alice, carla, soporte):
    agent_availability_set(carla, status=AgentAvailability.Status.AVAILABLE)
    return chat_start(department=soporte, user=alice.user, first_message="Mi WordPress falla")


@pytest.fixture
def update_wordpress():
    return ConsentAction.objects.get(name__icontains="WordPress")


def test_the_agent_asks_from_the_sidebar_and_the_customer_sees_it_highlighted(
        client, carla, chat, update_wordpress):
    client.force_login(carla)
    sidebar = client.get(reverse("chat:console_sidebar", args=[chat.pk])).content.decode()
    assert "data-chatc-consent-form" in sidebar
    response = client.post(reverse("chat:console_consent", args=[chat.pk]), {
        "autorizacion-kind": update_wordpress.pk,
        "autorizacion-action": "Actualizar WordPress a la 6.8 y desactivar el plugin Slider",
    })
    page = response.content.decode()
    assert "Pedimos la autorización: el cliente la ve destacada en el chat." in page
    assert "Esperando respuesta" in page
    request = ConsentRequest.objects.get()
    assert (request.chat, request.ticket, request.requested_by) == (chat, None, carla)
    notice = chat.messages.filter(kind=ChatMessage.Kind.SYSTEM).last()
    assert "Actualizar WordPress a la 6.8" in notice.body
    state = customer_state(chat)
    assert [c["action"] for c in state["consents"]] == [request.action]


def test_an_empty_request_is_refused_in_spanish(client, carla, chat):
    client.force_login(carla)
    page = client.post(reverse("chat:console_consent", args=[chat.pk]),
                       {"autorizacion-action": "  "}).content.decode()
    assert "Describe la acción que el cliente debe autorizar." in page
    assert not ConsentRequest.objects.exists()


def test_the_customer_authorizes_in_the_chat_and_it_is_recorded_for_good(
        alice, carla, chat, update_wordpress):
    request = consent_request_from_chat(chat, agent=carla, action="Restaurar la copia del lunes",
                                        kind=update_wordpress)
    answer = consent_answer_in_chat(chat, request.pk, decision="autorizo", user=alice.user)
    assert answer.authorized and answer.channel == ConsentChannel.CHAT
    assert answer.text == "Restaurar la copia del lunes"
    assert answer.answered_by == alice.user
    assert "Alicia autorizó: «Restaurar la copia del lunes»." in \
        chat.messages.filter(kind=ChatMessage.Kind.SYSTEM).last().body
    assert customer_state(chat)["consents"] == []  # answered: no longer shown
    with pytest.raises(ValidationError):  # once
        consent_answer_in_chat(chat, request.pk, decision="no_autorizo", user=alice.user)
    with pytest.raises(ImmutableError):
        answer.save()


def test_nobody_else_answers_and_nonsense_is_refused(alice, bob, carla, chat, soporte):
    request = consent_request_from_chat(chat, agent=carla, action="Borrar /public_html/old")
    with pytest.raises(ValidationError):
        consent_answer_in_chat(chat, request.pk, decision="autorizo", user=bob.user)
    with pytest.raises(ValidationError):
        consent_answer_in_chat(chat, request.pk, decision="tal vez", user=alice.user)
    other = chat_start(department=soporte, user=bob.user, first_message="hola")
    with pytest.raises(ValidationError):  # a request of another chat
        consent_answer_in_chat(other, request.pk, decision="autorizo", user=bob.user)
    assert not hasattr(ConsentRequest.objects.get(pk=request.pk), "answer")


def test_a_request_expires(alice, carla, chat, settings):
    request = consent_request_from_chat(chat, agent=carla, action="Enviar correos de prueba")
    hours = settings.VENTANILLA_FIELDS["CONSENT_EXPIRY_HOURS"]
    with time_machine.travel(timezone.now() + timedelta(hours=hours, minutes=1)):
        assert customer_state(chat)["consents"] == []
        with pytest.raises(ValidationError):
            consent_answer_in_chat(chat, request.pk, decision="autorizo", user=alice.user)


def test_a_visitor_or_an_ended_chat_cannot_be_asked(carla, soporte, chat):
    visitor = chat_start(department=soporte, name="Nadia", email="nadia@ejemplo.net",
                         first_message="hola")
    with pytest.raises(ValidationError):
        consent_request_from_chat(visitor, agent=carla, action="Actualizar WordPress")
    chat_close(chat, actor=carla)
    with pytest.raises(ValidationError):
        consent_request_from_chat(chat, agent=carla, action="Actualizar WordPress")
    assert not ConsentRequest.objects.exists()


def test_a_chats_consent_counts_for_the_ticket_it_becomes(alice, carla, chat, update_wordpress):
    request = consent_request_from_chat(chat, agent=carla, action="Actualizar WordPress",
                                        kind=update_wordpress)
    consent_answer_in_chat(chat, request.pk, decision="autorizo", user=alice.user)
    ticket = chat_convert_to_ticket(chat, agent=carla)
    assert [row.request for row in consent_rows(ticket)] == [request]
    record = consent_action_done(ticket, agent=carla, kind=update_wordpress, note="Hecho")
    assert record.consent == request
    with pytest.raises(ValidationError):  # one consent, one action
        consent_action_done(ticket, agent=carla, kind=update_wordpress)


def test_a_request_in_a_chat_that_already_is_a_ticket_belongs_to_the_ticket(alice, carla, chat):
    ticket = chat_convert_to_ticket(chat, agent=carla)
    chat.refresh_from_db()
    request = consent_request_from_chat(chat, agent=carla, action="Reiniciar el VPS")
    assert request.ticket == ticket and request.chat == chat


def test_another_departments_agent_cannot_ask(client, diego, chat):
    client.force_login(diego)
    response = client.post(reverse("chat:console_consent", args=[chat.pk]),
                           {"autorizacion-action": "Actualizar"})
    assert response.status_code == 404
    assert not ConsentRequest.objects.exists()
