"""/api/v1/kb: knowledge-base articles and their search.

Reads show published public articles unless the caller passes
`include_internal=true` (then internal articles and drafts too, as the
integration's agent sees them in the console). Writes go through
ventanilla.kb.services.article_save, the console's and the importer's
function: each change keeps a revision and updates the search index.

GET /api/v1/kb/search is shared with the self-service widget: the kb app's
view answers anonymous calls (public articles, the widget's rate limit) and
hands calls carrying `Authorization` to kb_search below."""

from datetime import datetime
from typing import Literal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from ventanilla.kb import services as kb_services
from ventanilla.kb.access import articles_for_user, public_articles
from ventanilla.kb.models import Article
from ventanilla.kb.search import search_articles
from ventanilla.tickets.selectors import keyset_page

from .auth import acting_agent, require
from .errors import ERROR_CODES, ApiError, Problem, not_found

router = Router(tags=["kb"])

RECENTLY_UPDATED = (("updated_at", True), ("id", True))
LanguageValue = Literal["es", "en"]
StatusValue = Literal["published", "draft"]
VisibilityValue = Literal["public", "internal"]


class ArticleOut(Schema):
    id: int
    slug: str
    title: str
    summary: str
    category: str = Field(..., description="Identificador (slug) de la categoría.")
    language: LanguageValue
    status: StatusValue
    visibility: VisibilityValue
    tags: list[str]
    url: str
    updated_at: datetime
    published_at: datetime | None


class ArticleDetail(ArticleOut):
    body: str = Field(..., description="Markdown.")
    body_html: str
    related: list[str] = Field(..., description="Slugs de los artículos relacionados.")
    revision: int


class ArticlePage(Schema):
    items: list[ArticleOut]
    next_cursor: str | None


class ArticleFilters(Schema):
    language: LanguageValue | None = None
    category: str | None = Field(None, max_length=100, description="Identificador (slug).")
    status: StatusValue | None = None
    include_internal: bool = Field(False, description="Incluir artículos internos y borradores.")
    cursor: str | None = Field(None, max_length=500)
    limit: int = Field(25, ge=1, le=100)


class ArticleIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=200_000, description="Markdown.")
    category: str = Field(..., min_length=1, max_length=100,
                          description="Nombre de la categoría; se crea si no existe.")
    summary: str = Field("", max_length=300)
    language: LanguageValue = "es"
    status: StatusValue = "published"
    visibility: VisibilityValue = "public"
    tags: list[str] = Field([], max_length=30)
    related: list[str] = Field([], max_length=30, description="Slugs de artículos relacionados.")
    note: str = Field("", max_length=200, description="Nota de la revisión.")


class SearchHit(Schema):
    slug: str
    title: str
    snippet: str
    url: str
    score: float
    visibility: VisibilityValue


class SearchOut(Schema):
    results: list[SearchHit]
    suggestion: str


class SearchFilters(Schema):
    q: str = Field(..., min_length=1, max_length=300)
    lang: LanguageValue = "es"
    limit: int = Field(5, ge=1, le=10)
    include_internal: bool = Field(False, description="Incluir artículos internos (solo agentes).")


def _readable(request, include_internal: bool) -> QuerySet[Article]:
    if include_internal:
        acting_agent(request)  # internal articles are for agents only
        return Article.objects.all()
    return public_articles()


def _row(article: Article) -> dict:
    return {
        "id": article.pk, "slug": article.slug, "title": article.title,
        "summary": article.summary, "category": article.category.slug,
        "language": article.language, "status": article.status,
        "visibility": article.visibility, "tags": article.tags,
        "url": article.get_absolute_url(), "updated_at": article.updated_at,
        "published_at": article.published_at,
    }


def _detail(article: Article) -> dict:
    revision = article.revisions.order_by("-number").values_list("number", flat=True).first()
    return {**_row(article), "body": article.body, "body_html": article.body_html,
            "related": sorted(article.related.values_list("slug", flat=True)),
            "revision": revision or 0}


@router.get("/articles", response={200: ArticlePage, ERROR_CODES: Problem},
            summary="Lista de artículos")
def article_list(request, filters: Query[ArticleFilters]):
    """Most recently updated first; pass `next_cursor` back as `cursor`."""
    require(request, "kb", "read")
    qs = _readable(request, filters.include_internal).select_related("category")
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.category:
        qs = qs.filter(category__slug=filters.category)
    if filters.status:
        qs = qs.filter(status=filters.status)
    qs = qs.defer("body", "body_html")
    page = keyset_page(qs, RECENTLY_UPDATED, cursor=filters.cursor, page_size=filters.limit)
    return Status(200, {"items": [_row(a) for a in page.rows], "next_cursor": page.next_cursor})


@router.get("/articles/{ref}", response={200: ArticleDetail, ERROR_CODES: Problem},
            summary="Un artículo (por id o slug)")
def article_get(request, ref: str, include_internal: bool = False):
    require(request, "kb", "read")
    lookup = Q(slug=ref) | (Q(pk=int(ref)) if ref.isdigit() and len(ref) < 10 else Q(pk__in=[]))
    article = (_readable(request, include_internal).select_related("category")
               .filter(lookup).first())
    if article is None:
        raise not_found()
    return Status(200, _detail(article))


@router.put("/articles/{ref}", response={200: ArticleDetail, 201: ArticleDetail,
                                          ERROR_CODES: Problem},
            summary="Crear o actualizar un artículo")
def article_put(request, ref: str, payload: ArticleIn):
    """`ref` is the article's slug. Through the knowledge base's own service:
    a revision per change, the search index updated. Saving identical content
    writes nothing."""
    require(request, "kb", "write")
    agent = acting_agent(request)
    slug = ref.strip()
    if not slug or len(slug) > 120 or not all(c.isalnum() or c in "-_" for c in slug) \
            or not slug.isascii():
        raise ApiError(422, "invalid_slug", _("El identificador solo admite letras, números, "
                                              "guiones y guiones bajos (máx. 120)."),
                       [{"field": "slug", "code": "invalid_slug",
                         "message": _("Identificador no válido.")}])
    tags = [t.strip()[:50] for t in payload.tags if t.strip()]
    existed = Article.objects.filter(slug=slug).exists()
    article, _changed = kb_services.article_save(kb_services.ArticleData(
        slug=slug, title=payload.title, body=payload.body, category=payload.category,
        summary=payload.summary, language=payload.language, status=payload.status,
        visibility=payload.visibility, tags=tags, related=payload.related,
    ), author=agent, note=payload.note)
    article = Article.objects.select_related("category").get(pk=article.pk)
    return Status(200 if existed else 201, _detail(article))


@router.get("/search", response={200: SearchOut, ERROR_CODES: Problem},
            summary="Buscar artículos")
def kb_search(request, filters: Query[SearchFilters]):
    """The self-service widget's search for an API key with `kb:read`. Without
    a key the same URL answers the widget (public articles only)."""
    require(request, "kb", "read")
    candidates = (articles_for_user(acting_agent(request)) if filters.include_internal
                  else public_articles())
    results = search_articles(filters.q, language=filters.lang, limit=filters.limit,
                              candidates=candidates)
    return Status(200, {
        "results": [{"slug": hit.article.slug, "title": hit.article.title,
                     "snippet": hit.snippet, "url": hit.article.get_absolute_url(),
                     "score": hit.score, "visibility": hit.article.visibility}
                    for hit in results.hits],
        "suggestion": results.suggestion,
    })
