"""Reads behind the help pages, the console and the deflection report."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from .access import articles_for_user, public_articles
from .models import Article, ArticleStatus, KbCategory, Outcome, SelfServiceSession


def help_categories(user, language: str) -> list[KbCategory]:
    """Categories with at least one readable article, each with its articles."""
    readable = articles_for_user(user).filter(language=language).only(
        "slug", "title", "summary", "category_id", "visibility").order_by("title")
    categories = KbCategory.objects.prefetch_related(
        Prefetch("articles", queryset=readable, to_attr="readable"))
    return [c for c in categories if c.readable]


def popular_articles(user, language: str, limit: int = 6) -> QuerySet[Article]:
    return articles_for_user(user).filter(language=language).order_by("-views", "title")[:limit]


def category_articles(user, category: KbCategory) -> QuerySet[Article]:
    return articles_for_user(user).filter(category=category).order_by("title")


def related_articles(user, article: Article) -> QuerySet[Article]:
    return articles_for_user(user).filter(pk__in=article.related.values("pk")).order_by("title")


def sitemap_articles() -> QuerySet[Article]:
    return public_articles().only("slug", "updated_at").order_by("slug")


def console_articles(*, q: str = "", status: str = "", language: str = "") -> QuerySet[Article]:
    qs = Article.objects.select_related("category", "updated_by").order_by("-updated_at")
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(slug__icontains=q))
    if status in ArticleStatus.values:
        qs = qs.filter(status=status)
    if language:
        qs = qs.filter(language=language)
    return qs


@dataclass
class DeflectionReport:
    total: int
    resolved: int
    not_resolved: int
    chat: int
    ticket: int
    pending: int
    opened: int

    @property
    def deflected(self) -> int:
        """Sessions that ended without a ticket or a chat."""
        return self.total - self.ticket - self.chat

    @property
    def deflection_rate(self) -> float | None:
        return self.deflected / self.total if self.total else None

    @property
    def confirmed_rate(self) -> float | None:
        """Sessions where the customer said the answer solved it."""
        return self.resolved / self.total if self.total else None


def deflection_report(since) -> DeflectionReport:
    rows = SelfServiceSession.objects.filter(created_at__gte=since).aggregate(
        total=Count("id"),
        opened=Count("id", filter=Q(opened__isnull=False)),
        **{o.value: Count("id", filter=Q(outcome=o.value)) for o in Outcome},
    )
    return DeflectionReport(
        total=rows["total"], resolved=rows[Outcome.RESOLVED], chat=rows[Outcome.CHAT],
        ticket=rows[Outcome.TICKET], pending=rows[Outcome.PENDING],
        not_resolved=rows[Outcome.NOT_RESOLVED], opened=rows["opened"],
    )


def recent_sessions(since, limit: int = 50) -> QuerySet[SelfServiceSession]:
    return (SelfServiceSession.objects.filter(created_at__gte=since)
            .select_related("user", "opened", "ticket").order_by("-created_at")[:limit])


def top_unanswered_questions(since, limit: int = 10):
    """Questions that most often ended in a ticket or a chat: articles to write."""
    return (SelfServiceSession.objects.filter(
        created_at__gte=since, outcome__in=[Outcome.TICKET, Outcome.CHAT, Outcome.NOT_RESOLVED])
        .values("question").annotate(n=Count("id")).order_by("-n", "question")[:limit])
