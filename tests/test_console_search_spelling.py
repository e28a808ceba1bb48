"""The console's ticket search has the help centre's typo tolerance, from one
shared module (ventanilla/core/spelling.py): "correo outlok" finds the Outlook
ticket and says what it searched."""

import pytest
from django.urls import reverse

from ventanilla.core import spelling
from ventanilla.kb.models import Article
from ventanilla.kb.search import search_articles
from ventanilla.kb.services import ArticleData, article_save
from ventanilla.tickets import selectors

QUEUE = reverse("console:queue")


@pytest.fixture(autouse=True)
def _fresh_vocabularies():
    selectors._spelling_vocabularies.clear()
    yield
    selectors._spelling_vocabularies.clear()


@pytest.fixture
def outlook_ticket(alice, make_ticket):
    return make_ticket(alice, subject="El correo no sincroniza en Outlook",
                       body="Desde ayer Outlook pide la contraseña una y otra vez.")


def search(client, q, **params):
    response = client.get(QUEUE, {"q": q, **params})
    assert response.status_code == 200
    return response, {ticket.number for ticket in response.context["page"].rows}


def test_a_misspelled_word_is_corrected_and_said(client, carla, outlook_ticket, bob_ticket):
    client.force_login(carla)
    response, numbers = search(client, "correo outlok")
    assert numbers == {outlook_ticket.number}
    page = response.content.decode()
    assert "Resultados para «<strong>correo outlook</strong>»" in page
    assert "Escribiste «correo outlok»." in page
    assert "exacto=1" in page


def test_exactly_what_was_typed_on_request(client, carla, outlook_ticket):
    client.force_login(carla)
    response, numbers = search(client, "correo outlok", exacto="1")
    assert numbers == set()
    assert "Escribiste" not in response.content.decode()


def test_known_words_are_left_alone(client, carla, outlook_ticket, bob_ticket):
    client.force_login(carla)
    response, numbers = search(client, "correo outlook")
    assert numbers == {outlook_ticket.number}
    assert "Escribiste" not in response.content.decode()
    assert selectors.console_search_spelling(carla, "#123456") == "#123456"
    assert selectors.console_search_spelling(carla, "alicia.mx") == "alicia.mx"


def test_the_vocabulary_is_only_what_the_agent_may_see(client, diego, outlook_ticket):
    """Diego (Facturación) is not told a word of a Soporte ticket's subject."""
    client.force_login(diego)
    response, numbers = search(client, "outlok")
    assert numbers == set()
    assert "outlook" not in response.content.decode().lower()


def test_help_centre_and_console_share_one_correction(client, carla, outlook_ticket, monkeypatch):
    article_save(ArticleData(slug="configurar-outlook", title="Configurar tu correo en Outlook",
                             category="Correo", tags=["outlook"], summary="Outlook paso a paso.",
                             body="Abre Outlook y agrega tu cuenta."))
    calls = []
    real = spelling.closest
    monkeypatch.setattr(spelling, "closest", lambda word, vocabulary: calls.append(word)
                        or real(word, vocabulary))
    kb = search_articles("configurar outlok", language="es", candidates=Article.objects.all())
    assert kb.suggestion == "configurar outlook"
    assert selectors.console_search_spelling(carla, "correo outlok") == "correo outlook"
    assert calls == ["outlok", "outlok"]
