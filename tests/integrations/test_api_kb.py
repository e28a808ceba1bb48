"""/api/v1/kb: articles and the search shared with the self-service widget."""

import pytest

from ventanilla.integrations.models import ApiCall
from ventanilla.kb.access import public_articles
from ventanilla.kb.models import Article, ArticleRevision
from ventanilla.kb.search import search_articles
from ventanilla.kb.services import article_save

from ..kb.conftest import FIXTURE_ARTICLES
from .conftest import ApiClient

INTERNAL, DRAFT = "procedimiento-interno-abuso", "borrador-correo"


@pytest.fixture
def articles(db):
    return {data.slug: article_save(data)[0] for data in FIXTURE_ARTICLES}


def slugs(response):
    assert response.status_code == 200, response.content
    return {a["slug"] for a in response.json()["items"]}


def test_the_list_shows_public_articles_and_filters_them(api, articles):
    everything = slugs(api.get("/kb/articles", limit=100))
    assert INTERNAL not in everything and DRAFT not in everything
    assert slugs(api.get("/kb/articles", language="en")) == {"change-nameservers"}
    assert slugs(api.get("/kb/articles", category="dominios", language="es")) == {"cambiar-dns"}
    assert slugs(api.get("/kb/articles", status="draft")) == set()
    assert slugs(api.get("/kb/articles", status="draft", include_internal="true")) == {DRAFT}
    assert INTERNAL in slugs(api.get("/kb/articles", include_internal="true", limit=100))
    r = api.get("/kb/articles", language="fr")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "language"


def test_the_list_pages_with_a_cursor(api, articles, django_assert_max_num_queries):
    seen, cursor = [], None
    while True:
        with django_assert_max_num_queries(6):
            r = api.get("/kb/articles", limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [a["slug"] for a in r.json()["items"]]
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 6


def test_an_article_by_slug_or_id_and_internal_ones_only_when_asked(api, articles):
    r = api.get("/kb/articles/ssl-gratis")
    assert r.status_code == 200
    article = r.json()
    assert article["category"] == "seguridad" and article["revision"] == 1
    assert "<p>" in article["body_html"] and article["body"].startswith("El certificado")
    assert api.get(f"/kb/articles/{articles['ssl-gratis'].pk}").json()["slug"] == "ssl-gratis"
    assert api.get(f"/kb/articles/{INTERNAL}").status_code == 404
    assert api.get(f"/kb/articles/{articles[DRAFT].pk}").status_code == 404
    assert api.get(f"/kb/articles/{INTERNAL}", include_internal="true").status_code == 200
    assert api.get("/kb/articles/99999999999999").status_code == 404


def test_writes_go_through_the_kb_services(api, articles, sofia):
    body = {"title": "Migrar tu correo", "body": "Usa **imapsync** para copiar los buzones.",
            "category": "Correo", "tags": ["correo", "migración"], "related": ["correo-no-llega"]}
    r = api.put("/kb/articles/migrar-correo", body)
    assert r.status_code == 201, r.content
    assert r.json()["related"] == ["correo-no-llega"] and r.json()["revision"] == 1
    article = Article.objects.get(slug="migrar-correo")
    assert article.updated_by == sofia and "<strong>imapsync</strong>" in article.body_html
    found = search_articles("imapsync", language="es", candidates=public_articles())
    assert [hit.article.slug for hit in found.hits] == ["migrar-correo"]
    # The same content again: no new revision. A change: one more.
    assert api.put("/kb/articles/migrar-correo", body).status_code == 200
    r = api.put("/kb/articles/migrar-correo", {**body, "title": "Migrar el correo",
                                                "note": "título"})
    assert r.status_code == 200 and r.json()["revision"] == 2
    assert ArticleRevision.objects.filter(article=article).count() == 2
    assert ArticleRevision.objects.get(article=article, number=2).note == "título"


def test_bad_articles_are_refused_field_by_field(api, articles):
    r = api.put("/kb/articles/con espacio", {"title": "x", "body": "y", "category": "Correo"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "slug"
    r = api.put("/kb/articles/vacio", {"title": "", "body": "y", "category": "Correo",
                                        "visibility": "secreta"},
                headers={"Accept-Language": "en"})
    assert r.status_code == 422
    assert {e["field"] for e in r.json()["errors"]} == {"title", "visibility"}
    assert not Article.objects.filter(slug="vacio").exists()


def test_the_widget_search_stays_anonymous_public_and_rate_limited(client, api, articles,
                                                                   settings):
    settings.KB = {**settings.KB, "SEARCH_RATE": "2/m"}
    widget = client.get("/api/v1/kb/search", {"q": "abuso correo"})
    assert widget.status_code == 200 and set(widget.json()) == {"results", "suggestion"}
    assert INTERNAL not in {r["slug"] for r in widget.json()["results"]}
    assert client.get("/api/v1/kb/search", {"q": "correo"}).status_code == 200
    assert client.get("/api/v1/kb/search", {"q": "correo"}).status_code == 429
    # A key has its own limit, not the widget's; its calls are logged, the widget's are not.
    r = api.get("/kb/search", q="abuso correo")
    assert r.status_code == 200, r.content
    assert INTERNAL not in {hit["slug"] for hit in r.json()["results"]}
    r = api.get("/kb/search", q="abuso correo", include_internal="true")
    assert INTERNAL in {hit["slug"] for hit in r.json()["results"]}
    assert DRAFT not in {hit["slug"] for hit in r.json()["results"]}
    assert list(ApiCall.objects.values_list("route", "status")) == [
        ("/api/v1/kb/search", 200), ("/api/v1/kb/search", 200)]


def test_the_api_search_needs_the_kb_scope_and_a_valid_key(client, make_key, articles):
    limited = ApiClient(client, make_key(scopes=["tickets:read"]))
    r = limited.get("/kb/search", q="correo")
    assert r.status_code == 403 and r.json()["code"] == "insufficient_scope"
    r = client.get("/api/v1/kb/search", {"q": "correo"}, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and r["Content-Type"] == "application/problem+json"
