"""Agents write articles in the console: preview, revisions, list."""

import pytest
from django.urls import reverse

from tests.conftest import PASSWORD
from ventanilla.kb.models import Article, ArticleRevision

pytestmark = pytest.mark.django_db

FORM = {
    "title": "Respaldos automáticos", "slug": "respaldos", "summary": "Cada noche.",
    "category": "Respaldos", "language": "es", "status": "published", "visibility": "public",
    "tags": "respaldo, backup", "related": "", "body": "Hacemos **respaldos** diarios.",
    "note": "primera versión",
}


@pytest.fixture
def agent_client(client, carla):
    client.login(email=carla.email, password=PASSWORD)
    return client


def test_an_agent_writes_an_article_and_every_edit_keeps_a_revision(agent_client, carla):
    response = agent_client.post(reverse("kb:console_article_new"), FORM)
    assert response.status_code == 302
    article = Article.objects.get(slug="respaldos")
    assert article.body_html == "<p>Hacemos <strong>respaldos</strong> diarios.</p>\n"
    assert article.tags == ["respaldo", "backup"] and article.updated_by == carla
    agent_client.post(reverse("kb:console_article_edit", args=["respaldos"]),
                      {**FORM, "body": "Hacemos respaldos cada 6 horas.", "note": "frecuencia"})
    agent_client.post(reverse("kb:console_article_edit", args=["respaldos"]),
                      {**FORM, "body": "Hacemos respaldos cada 6 horas.", "note": "igual"})
    revisions = list(ArticleRevision.objects.filter(article=article).order_by("number"))
    assert [r.number for r in revisions] == [1, 2]  # an identical save adds none
    assert revisions[0].body == "Hacemos **respaldos** diarios." and revisions[1].note == "frecuencia"
    page = agent_client.get(reverse("kb:console_article_revisions", args=["respaldos"]),
                            {"revision": 1})
    assert b"<strong>respaldos</strong>" in page.content


def test_bad_input_keeps_what_was_typed(agent_client, articles):
    response = agent_client.post(reverse("kb:console_article_new"),
                                 {**FORM, "slug": "ssl-gratis", "related": "no-existe"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Ya hay un artículo con ese slug." in body and "No existen estos artículos" in body
    assert "Hacemos **respaldos** diarios." in body


def test_the_preview_renders_sanitized_markdown(agent_client):
    response = agent_client.post(reverse("kb:console_article_preview"),
                                 {"body": "## Hola\n\n<img src=x onerror=alert(1)>"},
                                 HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<h2>Hola</h2>" in body and "<img" not in body


def test_the_article_list_is_a_fixed_number_of_queries(agent_client, articles,
                                                       django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = agent_client.get(reverse("kb:console_articles"))
    assert b"Procedimiento interno" in response.content and b"Borrador" in response.content


def test_the_help_home_is_a_fixed_number_of_queries(client, articles,
                                                    django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get("/ayuda/")
