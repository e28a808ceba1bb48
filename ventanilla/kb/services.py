"""Every write to the knowledge base: articles (each edit keeps a revision
and updates the search index in the same transaction), feedback, view
counts and self-service sessions."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from .models import (
    Article,
    ArticleFeedback,
    ArticleRevision,
    ArticleStatus,
    KbCategory,
    Outcome,
    SelfServiceSession,
    Visibility,
)
from .rendering import drop_leading_title, render_markdown
from .search import index_article, unindex_article
from .search.spelling import bump_vocabulary

# A ticket opened by the same customer this long after a self-service
# session counts as that session's ticket.
TICKET_LINK_WINDOW = timedelta(hours=2)


@dataclass
class ArticleData:
    """What an editor or an imported file says about an article."""

    slug: str
    title: str
    body: str
    category: str  # the category's name; created when missing
    summary: str = ""
    language: str = "es"
    status: str = ArticleStatus.PUBLISHED
    visibility: str = Visibility.PUBLIC
    tags: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)  # slugs


def category_for_name(name: str) -> KbCategory:
    name = name.strip()
    category = KbCategory.objects.filter(name__iexact=name).first()
    if category is None:
        base = slugify(name) or "categoria"
        slug, n = base, 2
        while KbCategory.objects.filter(slug=slug).exists():
            slug, n = f"{base}-{n}", n + 1
        category = KbCategory.objects.create(name=name, slug=slug)
    return category


def _fields_of(data: ArticleData) -> dict:
    return {
        "title": data.title.strip(), "summary": data.summary.strip(), "body": data.body,
        "language": data.language, "status": data.status, "visibility": data.visibility,
        "tags": [t.strip() for t in data.tags if t.strip()],
    }


def article_save(data: ArticleData, *, author=None, note: str = "") -> tuple[Article, bool]:
    """Create or update the article with data.slug. Returns (article,
    changed): saving identical content writes nothing (no empty revision)."""
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(slug=data.slug).first()
        category = category_for_name(data.category)
        values = _fields_of(data)
        created = article is None
        if created:
            article = Article(slug=data.slug, category=category, **values)
        else:
            current = {name: getattr(article, name) for name in values}
            related_now = sorted(article.related.values_list("slug", flat=True))
            if (current == values and article.category_id == category.pk
                    and related_now == sorted(data.related)):
                return article, False
            for name, value in values.items():
                setattr(article, name, value)
            article.category = category
        now = timezone.now()
        article.body_html = render_markdown(drop_leading_title(article.body, article.title))
        article.updated_at = now
        article.updated_by = author
        if article.status == ArticleStatus.PUBLISHED and article.published_at is None:
            article.published_at = now
        article.save()
        _set_related(article, data.related)
        number = (article.revisions.order_by("-number").values_list("number", flat=True).first()
                  or 0) + 1
        ArticleRevision.objects.create(
            article=article, number=number, title=article.title, summary=article.summary,
            body=article.body, status=article.status, visibility=article.visibility,
            author=author, note=note[:200], created_at=now,
        )
        index_article(article)
        bump_vocabulary()  # this process sees the change now, the others after commit
        transaction.on_commit(bump_vocabulary)
    return article, True


def _set_related(article: Article, slugs: list[str]) -> None:
    """Related articles by slug; slugs not (yet) imported are left out."""
    wanted = [s for s in dict.fromkeys(slugs) if s != article.slug]
    article.related.set(Article.objects.filter(slug__in=wanted))


def article_set_related(article: Article, slugs: list[str]) -> None:
    with transaction.atomic():
        _set_related(article, slugs)


def article_delete(article: Article) -> None:
    with transaction.atomic():
        unindex_article(article.pk)
        article.delete()
        transaction.on_commit(bump_vocabulary)


def article_reindex_all() -> int:
    count = 0
    for article in Article.objects.select_related("category").iterator():
        index_article(article)
        count += 1
    return count


def article_viewed(article: Article) -> None:
    Article.objects.filter(pk=article.pk).update(views=F("views") + 1)


def feedback_add(article: Article, *, helpful: bool, comment: str = "", user=None
                 ) -> ArticleFeedback:
    with transaction.atomic():
        feedback = ArticleFeedback.objects.create(
            article=article, helpful=helpful, comment=comment.strip()[:2000],
            user=user if user is not None and user.is_authenticated else None,
        )
        counter = "helpful_yes" if helpful else "helpful_no"
        Article.objects.filter(pk=article.pk).update(**{counter: F(counter) + 1})
    return feedback


def feedback_comment(feedback: ArticleFeedback, comment: str) -> None:
    feedback.comment = comment.strip()[:2000]
    feedback.save(update_fields=["comment"])


# --- self-service ----------------------------------------------------------


def selfservice_record(session: SelfServiceSession | None, *, user, question: str,
                       shown: list[str], place: str = "help") -> SelfServiceSession:
    """Start a session, or update its question and suggestions while the
    customer keeps typing."""
    now = timezone.now()
    user = user if user is not None and user.is_authenticated else None
    if session is None:
        return SelfServiceSession.objects.create(
            user=user, question=question[:300], shown=shown[:5], place=place[:20],
            created_at=now, updated_at=now)
    session.question, session.shown, session.updated_at = question[:300], shown[:5], now
    if session.user_id is None and user is not None:
        session.user = user
    session.save(update_fields=["question", "shown", "updated_at", "user"])
    return session


def selfservice_opened(session: SelfServiceSession, article: Article) -> None:
    session.opened, session.updated_at = article, timezone.now()
    session.save(update_fields=["opened", "updated_at"])


# The customer's last word wins, except that nothing undoes a ticket.
def selfservice_outcome(session: SelfServiceSession, outcome: str) -> None:
    if session.outcome == Outcome.TICKET and outcome != Outcome.TICKET:
        return
    session.outcome, session.updated_at = outcome, timezone.now()
    session.save(update_fields=["outcome", "updated_at"])


def selfservice_link_tickets(*, now=None) -> int:
    """Link sessions to the ticket their customer opened afterwards (within
    TICKET_LINK_WINDOW of the session's last activity); such a session was
    not deflected, whatever it said. Returns how many were linked."""
    from ventanilla.tickets.models import Ticket

    now = now or timezone.now()
    linked = 0
    sessions = SelfServiceSession.objects.filter(
        ticket__isnull=True, user__isnull=False, updated_at__gte=now - timedelta(days=2),
    ).order_by("created_at")
    for session in sessions:
        ticket = (Ticket.objects.filter(
            requester_id=session.user_id, created_at__gte=session.created_at,
            created_at__lte=session.updated_at + TICKET_LINK_WINDOW,
        ).order_by("created_at").only("pk").first())
        if ticket is None:
            continue
        session.ticket, session.outcome = ticket, Outcome.TICKET
        session.save(update_fields=["ticket", "outcome"])
        linked += 1
    return linked
