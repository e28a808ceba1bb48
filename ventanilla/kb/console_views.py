"""The console's side of the knowledge base: the article list, the editor
with its live preview, revision history and the deflection report."""

from datetime import timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.core.ids import parse_id
from ventanilla.tickets.console_views import console_required

from . import access, selectors, services
from .forms import ArticleForm
from .models import ArticleStatus, Language
from .rendering import render_markdown
from .services import ArticleData

REPORT_PERIODS = {"7": 7, "30": 30, "90": 90}


@console_required
def article_list(request):
    q = request.GET.get("q", "").strip()[:100]
    status = request.GET.get("estado", "")
    language = request.GET.get("idioma", "")
    articles = selectors.console_articles(q=q, status=status, language=language)
    page = Paginator(articles, 50).get_page(request.GET.get("pagina"))
    return render(request, "kb/console_articles.html", {
        "page": page, "q": q, "status": status, "language": language,
        "statuses": ArticleStatus.choices, "languages": Language.choices,
    })


def _save(request, form: ArticleForm):
    data = form.cleaned_data
    article, changed = services.article_save(ArticleData(
        slug=data["slug"], title=data["title"], body=data["body"], category=data["category"],
        summary=data["summary"], language=data["language"], status=data["status"],
        visibility=data["visibility"], tags=data["tags"], related=data["related"],
    ), author=request.user, note=data["note"])
    if changed:
        messages.success(request, _("Guardamos el artículo «%(title)s».") % {"title": article.title})
    else:
        messages.info(request, _("No había cambios que guardar."))
    return redirect("kb:console_article_edit", slug=article.slug)


@console_required
def article_new(request):
    form = ArticleForm(request.POST or None, initial={"status": ArticleStatus.DRAFT})
    if request.method == "POST" and form.is_valid():
        return _save(request, form)
    return render(request, "kb/console_edit.html", {"form": form, "article": None})


@console_required
def article_edit(request, slug):
    article = access.article_for_editor(request.user, slug)
    if request.method == "POST":
        form = ArticleForm(request.POST, article=article)
        if form.is_valid():
            if form.cleaned_data["slug"] != article.slug:
                # A new slug would be a new article: renaming keeps the old URL working
                # only if we never allow it here.
                form.add_error("slug", _("El slug de un artículo publicado no cambia."))
            else:
                return _save(request, form)
    else:
        form = ArticleForm(initial=ArticleForm.initial_for(article), article=article)
    return render(request, "kb/console_edit.html", {
        "form": form, "article": article,
        "revisions": article.revisions.select_related("author")[:10],
        "preview": article.body_html,
    })


@console_required
@require_POST
def article_preview(request):
    """htmx: the Markdown being typed, rendered and sanitized like the real page."""
    return render(request, "kb/console_edit.html#preview",
                  {"preview": render_markdown(request.POST.get("body", ""))})


@console_required
def article_revisions(request, slug):
    article = access.article_for_editor(request.user, slug)
    revisions = list(article.revisions.select_related("author"))
    chosen = None
    number = parse_id(request.GET.get("revision"))
    if number is not None:
        chosen = next((r for r in revisions if r.number == number), None)
    return render(request, "kb/console_revisions.html", {
        "article": article, "revisions": revisions, "chosen": chosen,
        "chosen_html": render_markdown(chosen.body) if chosen else "",
    })


@console_required
def report(request):
    days = REPORT_PERIODS.get(request.GET.get("dias", "30"), 30)
    since = timezone.now() - timedelta(days=days)
    services.selfservice_link_tickets()
    return render(request, "kb/console_report.html", {
        "days": days, "periods": REPORT_PERIODS, "report": selectors.deflection_report(since),
        "sessions": selectors.recent_sessions(since),
        "unanswered": selectors.top_unanswered_questions(since),
    })
