"""The satisfaction survey (issue 17 D): every move to Resuelto sends it
once, whoever makes it; the link's GET only shows the page (mail filters
open every link), the person's POST records the score and a comment."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from ventanilla.sla.models import SatisfactionRating
from ventanilla.sla.survey import survey_token
from ventanilla.tickets import services
from ventanilla.tickets.models import Status
from ventanilla.tickets.status import Role

SURVEY_LINK = re.compile(r"http://\S+/encuesta/\S+/(\d)/")


def survey_emails():
    return [m for m in mail.outbox if SURVEY_LINK.search(m.body)]


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    def _commit(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)
    return _commit


def test_a_reply_sent_with_status_resuelto_sends_the_survey_once(commit, alice_ticket, carla):
    commit(services.ticket_agent_reply, alice_ticket, agent=carla,
           body="Ya quedó el SMTP configurado.", status=Status.RESOLVED)
    (email,) = [m for m in mail.outbox if alice_ticket.number in m.subject]
    # One email: the reply quoted in the Resuelto email, with the five links.
    assert "Ya quedó el SMTP configurado." in email.body
    assert SURVEY_LINK.findall(email.body) == ["1", "2", "3", "4", "5"]


def test_every_move_to_resuelto_sends_it_once(commit, alice, alice_ticket, carla):
    commit(services.ticket_status_set, alice_ticket, actor=carla, role=Role.AGENT,
           status=Status.RESOLVED)
    assert len(survey_emails()) == 1
    # Setting Resuelto again changes nothing and sends nothing.
    commit(services.ticket_status_set, alice_ticket, actor=carla, role=Role.AGENT,
           status=Status.RESOLVED)
    assert len(survey_emails()) == 1
    commit(services.ticket_customer_reply, alice_ticket, author=alice.user, body="Sigue fallando")
    commit(services.ticket_agent_reply, alice_ticket, agent=carla, body="Ahora sí.",
           status=Status.RESOLVED)
    assert len(survey_emails()) == 2
    # An ordinary reply (Pendiente) and an internal note carry no survey.
    commit(services.ticket_customer_reply, alice_ticket, author=alice.user, body="Otra cosa")
    commit(services.ticket_agent_reply, alice_ticket, agent=carla, body="¿Cuál?")
    commit(services.ticket_agent_reply, alice_ticket, agent=carla, body="nota", internal=True)
    assert len(survey_emails()) == 2


def test_the_link_shows_the_score_preselected_and_records_nothing(client, alice_ticket):
    url = reverse("sla:survey", args=[survey_token(alice_ticket.pk), 4])
    page = client.get(url).content.decode()
    assert re.search(r'<input[^>]*value="4"[^>]*checked', page)
    assert "Confirmar mi valoración" in page and 'name="comentario"' in page
    client.get(url)
    client.head(url)
    assert not SatisfactionRating.objects.exists()


def test_the_confirmation_records_score_and_comment_without_login(client, alice_ticket, carla):
    services.ticket_assign(alice_ticket, actor=carla, assignee=carla)
    url = reverse("sla:survey", args=[survey_token(alice_ticket.pk), 4])
    response = client.post(url, {"puntuacion": "3", "comentario": "  Tardaron, pero lo arreglaron.  "})
    assert response.status_code == 200 and "3 de 5" in response.content.decode()
    (rating,) = SatisfactionRating.objects.all()
    assert (rating.score, rating.comment, rating.agent_id) == (3, "Tardaron, pero lo arreglaron.", carla.pk)
    # The page shows what was given when the link is opened again.
    again = client.get(url).content.decode()
    assert "Ya nos diste un 3 de 5" in again and "Tardaron, pero lo arreglaron." in again


def test_a_bad_score_is_a_clear_error_that_keeps_the_comment(client, alice_ticket):
    url = reverse("sla:survey", args=[survey_token(alice_ticket.pk), 4])
    response = client.post(url, {"puntuacion": "9", "comentario": "Muy amables"})
    html = response.content.decode()
    assert response.status_code == 200 and "Elige una puntuación del 1 al 5." in html
    assert "Muy amables" in html and not SatisfactionRating.objects.exists()


def test_a_tampered_token_is_404_on_post_too(client, alice_ticket):
    url = reverse("sla:survey", args=[survey_token(alice_ticket.pk) + "x", 4])
    assert client.post(url, {"puntuacion": "4"}).status_code == 404
    assert not SatisfactionRating.objects.exists()
