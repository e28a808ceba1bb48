"""Knowledge-base search: one interface, two backends (see backends.py).

    results = search_articles("no me llegan los correos", language="es",
                              candidates=selectors.public_articles())

returns SearchResults: ranked hits with highlighted snippets and, when a
word was misspelled, the corrected question ("¿Quisiste decir ...?"), whose
words were searched too."""

from dataclasses import dataclass, field

from ventanilla.core.text import Query, parse_query, snippet

from .backends import FullTextIndex, get_backend
from .spelling import correct

ARTICLE_INDEX = FullTextIndex(
    table="kb_article_fts",
    source_table="kb_article",
    columns=("title", "keywords", "body"),
    bm25_weights=(10.0, 5.0, 1.0),
    pg_weights=("A", "B", "D"),
)


@dataclass
class Hit:
    article: object
    score: float
    snippet: str


@dataclass
class SearchResults:
    query: Query
    hits: list[Hit] = field(default_factory=list)
    suggestion: str = ""  # the question with misspellings corrected, when any


def index_article(article) -> None:
    """Put the article's current text in the index (any status: the
    candidates queryset decides who finds what)."""
    get_backend().upsert(ARTICLE_INDEX, article.pk, article.language, {
        "title": article.title,
        "keywords": " ".join([article.summary, *article.tags, article.category.name]),
        "body": article.body,
    })


def unindex_article(article_id: int) -> None:
    get_backend().delete(ARTICLE_INDEX, article_id)


def search_articles(q: str, *, language: str, candidates, limit: int = 5,
                    typing: bool = False) -> SearchResults:
    backend = get_backend()
    candidates = candidates.filter(language=language)
    query = parse_query(q, language, typing=typing)
    results = SearchResults(query=query)
    if query.is_empty:
        return results
    corrected = correct(query, has_word=lambda w: backend.has_word(ARTICLE_INDEX, w, language))
    if corrected is not None:
        query, results.suggestion = corrected
    ranked = backend.search(ARTICLE_INDEX, query, candidates=candidates, limit=limit)
    by_pk = candidates.model.objects.select_related("category").in_bulk([pk for pk, _ in ranked])
    stems = query.stems()
    for pk, score in ranked:
        article = by_pk.get(pk)
        if article is None:
            continue
        source = article.body_text if hasattr(article, "body_text") else article.body
        results.hits.append(Hit(article=article, score=score,
                                snippet=snippet(source, stems, language)))
    return results
