"""Search on the real database: the same tests run on SQLite FTS5 and on
PostgreSQL (CI runs the suite on both)."""

import pytest

from ventanilla.kb import services
from ventanilla.kb.access import articles_for_user, public_articles
from ventanilla.kb.models import Article
from ventanilla.kb.search import search_articles
from ventanilla.kb.services import ArticleData

pytestmark = pytest.mark.django_db


def slugs(q, language="es", candidates=None, **kwargs):
    results = search_articles(q, language=language,
                              candidates=candidates or public_articles(), **kwargs)
    return [hit.article.slug for hit in results.hits]


def test_plural_finds_singular_and_accents_do_not_matter(articles):
    assert slugs("correos")[0] in {"correo-no-llega", "configurar-correo-outlook"}
    assert "ssl-gratis" in slugs("pagina")  # "página" in the body
    assert "cambiar-dns" in slugs("PROPAGACION")


def test_a_verb_finds_its_noun(articles):
    assert slugs("configurar")[0] == "configurar-correo-outlook"  # "configuración"


def test_title_matches_rank_above_body_matches(articles):
    # "htaccess" is in the body of two articles; "https" in one title.
    assert slugs("https htaccess")[0] == "ssl-gratis"


def test_only_public_published_articles_of_the_language_are_found(articles):
    found = slugs("correo spam abuso")
    assert "procedimiento-interno-abuso" not in found and "borrador-correo" not in found
    assert slugs("dns", language="en") == ["change-nameservers"]
    assert "change-nameservers" not in slugs("dns")


def test_agents_also_find_internal_articles(articles, carla):
    assert "procedimiento-interno-abuso" in slugs("abuso", candidates=articles_for_user(carla))


def test_misspellings_still_find_the_article(articles):
    results = search_articles("sertificado", language="es", candidates=public_articles())
    assert results.suggestion == "certificado"
    assert results.hits[0].article.slug == "ssl-gratis"
    results = search_articles("mi wordpres da error", language="es",
                              candidates=public_articles())
    assert "wordpress" in results.suggestion
    assert results.hits[0].article.slug == "wordpress-error-404"


def test_the_last_word_being_typed_matches_as_a_prefix(articles):
    assert slugs("certifi", typing=True)[0] == "ssl-gratis"
    assert slugs("certifi") == []  # not while typing: a whole word


def test_hits_carry_a_highlighted_snippet_and_a_score(articles):
    hit = search_articles("buzón lleno", language="es", candidates=public_articles()).hits[0]
    assert hit.article.slug == "correo-no-llega"
    assert "<mark>buzón</mark>" in hit.snippet and "<mark>lleno</mark>" in hit.snippet
    assert hit.score > 0


def test_stopwords_only_and_empty_queries_find_nothing(articles):
    assert slugs("") == [] and slugs("de la que") == [] and slugs("¿?¡!") == []


def test_odd_characters_are_not_query_syntax(articles):
    for q in ['"correo', "correo*", "NEAR(correo)", "correo:*", "correo & | !", "a'b\\c"]:
        slugs(q)  # never raises


def test_an_edit_is_searchable_at_once_and_a_deleted_article_is_gone(articles):
    services.article_save(ArticleData(slug="cambiar-dns", title="Cambiar los nameservers",
                                      category="Dominios", body="Texto sobre zonas."))
    assert "cambiar-dns" in slugs("zonas")
    services.article_delete(Article.objects.get(slug="cambiar-dns"))
    assert slugs("zonas") == []
