""""Insertar artículo" in the chat console: the agent of a chat searches
the help centre's public, published articles and inserts a link."""

import pytest
from django.urls import reverse

from ventanilla.chat.services import chat_start
from ventanilla.kb.services import article_save

from ..kb.conftest import FIXTURE_ARTICLES
from .agents import available

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles():
    return {data.slug: article_save(data)[0] for data in FIXTURE_ARTICLES}


@pytest.fixture
def chat(alice, carla, soporte):
    available(carla)
    chat = chat_start(department=soporte, user=alice.user, first_message="No me llega el correo")
    assert chat.agent == carla
    return chat


def search(client, chat, q):
    return client.get(reverse("chat:console_kb_search", args=[chat.pk]), {"q": q})


def test_the_chats_agent_finds_public_published_articles_with_absolute_links(
        client, carla, chat, articles):
    client.force_login(carla)
    results = search(client, chat, "correo").json()["results"]
    urls = [hit["url"] for hit in results]
    assert "http://testserver" + articles["correo-no-llega"].get_absolute_url() in urls
    titles = {hit["title"] for hit in results}
    assert "No me llegan los correos" in titles
    # Internal procedures and drafts are never offered to send to a customer.
    assert "Procedimiento interno de abuso de correo" not in titles
    assert "Borrador sobre correo y spam" not in titles
    assert all("<" not in hit["snippet"] for hit in results)  # plain text, no highlight markup


def test_an_empty_query_finds_nothing(client, carla, chat, articles):
    client.force_login(carla)
    assert search(client, chat, "  ").json() == {"results": []}


def test_nobody_else_searches_through_someone_elses_chat(client, chat, diego, alice, articles):
    client.force_login(diego)  # another department's agent
    assert search(client, chat, "correo").status_code == 404
    client.force_login(alice.user)  # the customer: not the console
    assert search(client, chat, "correo").status_code in (302, 403, 404)
    client.logout()
    assert search(client, chat, "correo").status_code == 302


def test_the_sidebar_offers_the_search_and_the_page_knows_the_help_prefix(client, carla, chat):
    client.force_login(carla)
    sidebar = client.get(reverse("chat:console_sidebar", args=[chat.pk])).content.decode()
    assert reverse("chat:console_kb_search", args=[chat.pk]) in sidebar
    assert "data-chatc-kb-query" in sidebar
