"""Who may read which article: the one place that decides it.

Customers and visitors read published public articles; agents and admins
also read internal ones and drafts (the console shows them). Anything else
answers 404, so a draft's or an internal article's slug leaks nothing."""

from django.db.models import QuerySet
from django.http import Http404

from ventanilla.tickets.access import is_console_user

from .models import Article, ArticleStatus, Visibility


def public_articles() -> QuerySet[Article]:
    return Article.objects.filter(status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC)


def articles_for_user(user) -> QuerySet[Article]:
    """Published articles the user may read: internal ones too for agents."""
    if is_console_user(user):
        return Article.objects.filter(status=ArticleStatus.PUBLISHED)
    return public_articles()


def article_for_reader(user, slug: str) -> Article:
    article = articles_for_user(user).select_related("category").filter(slug=slug).first()
    if article is None:
        raise Http404
    return article


def article_for_editor(user, slug: str) -> Article:
    if not is_console_user(user):
        raise Http404
    article = Article.objects.select_related("category").filter(slug=slug).first()
    if article is None:
        raise Http404
    return article
