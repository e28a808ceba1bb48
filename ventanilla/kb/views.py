"""The help center (/ayuda/), its JSON search API and the self-service
widget's endpoints. Views stay short: access, form, service, render."""

import json
import uuid

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ventanilla.core import ratelimit

from . import access, selectors, services
from .forms import CommentForm, FeedbackForm
from .models import ArticleFeedback, KbCategory, Language, Outcome, SelfServiceSession
from .search import search_articles

SEARCH_LIMIT_MAX = 10


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _rate_limited(request, action: str, rate: str) -> bool:
    key = f"u{request.user.pk}" if request.user.is_authenticated else client_ip(request)
    return ratelimit.consume(action, key, rate) is None


def _language(request) -> str:
    lang = request.GET.get("lang") or (get_language() or "es")[:2]
    return lang if lang in Language.values else "es"


# --- public pages -------------------------------------------------------------


def help_home(request):
    language = _language(request)
    q = request.GET.get("q", "").strip()[:300]
    results = None
    if q and not _rate_limited(request, "kb-search", settings.KB["SEARCH_RATE"]):
        results = search_articles(q, language=language, limit=10,
                                  candidates=access.articles_for_user(request.user))
    return render(request, "kb/help_home.html", {
        "q": q, "results": results, "language": language,
        "categories": selectors.help_categories(request.user, language),
        "popular": selectors.popular_articles(request.user, language),
    })


def category(request, slug):
    category = get_object_or_404(KbCategory, slug=slug)
    articles = list(selectors.category_articles(request.user, category))
    if not articles:
        raise Http404
    return render(request, "kb/category.html", {"category": category, "articles": articles})


def article(request, slug):
    article = access.article_for_reader(request.user, slug)
    services.article_viewed(article)
    session = _session_from(request.GET.get("autoservicio"))
    if session is not None:
        services.selfservice_opened(session, article)
    return render(request, "kb/article.html", {
        "article": article, "related": selectors.related_articles(request.user, article),
        "feedback_form": FeedbackForm(), "selfservice": session,
        "canonical": request.build_absolute_uri(article.get_absolute_url()),
    })


@require_POST
def article_feedback(request, slug):
    article = access.article_for_reader(request.user, slug)
    form = FeedbackForm(request.POST)
    if _rate_limited(request, "kb-feedback", settings.KB["FEEDBACK_RATE"]):
        return render(request, "kb/article.html#feedback", {
            "article": article, "feedback_form": form,
            "feedback_error": _("Has enviado muchas valoraciones seguidas; inténtalo más tarde."),
        }, status=429)
    if not form.is_valid():
        return render(request, "kb/article.html#feedback",
                      {"article": article, "feedback_form": form}, status=400)
    feedback = services.feedback_add(article, helpful=form.cleaned_data["helpful"],
                                     comment=form.cleaned_data["comment"], user=request.user)
    request.session.setdefault("kb_feedback", [])
    request.session["kb_feedback"] = [*request.session["kb_feedback"][-19:], feedback.pk]
    session = _session_from(request.POST.get("autoservicio"))
    if session is not None:
        services.selfservice_outcome(
            session, Outcome.RESOLVED if feedback.helpful else Outcome.NOT_RESOLVED)
    context = {"article": article, "feedback": feedback, "comment_form": CommentForm(),
               "selfservice": session}
    if request.htmx:
        return render(request, "kb/article.html#feedback", context)
    return redirect(article.get_absolute_url() + "#valoracion")


@require_POST
def feedback_comment(request, slug, feedback_id):
    article = access.article_for_reader(request.user, slug)
    if feedback_id not in request.session.get("kb_feedback", []):
        raise Http404
    feedback = get_object_or_404(ArticleFeedback, pk=feedback_id, article=article)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.feedback_comment(feedback, form.cleaned_data["comment"])
    context = {"article": article, "feedback": feedback, "comment_saved": form.is_valid(),
               "comment_form": form}
    if request.htmx:
        return render(request, "kb/article.html#feedback", context)
    return redirect(article.get_absolute_url() + "#valoracion")


@require_GET
def sitemap(request):
    base = request.build_absolute_uri("/").rstrip("/")
    rows = [(base + reverse("kb:help_home"), None)]
    rows += [(base + a.get_absolute_url(), a.updated_at) for a in selectors.sitemap_articles()]
    xml = render(request, "kb/sitemap.xml", {"rows": rows}, content_type="application/xml")
    return xml


# --- JSON search API --------------------------------------------------------


@require_GET
def api_search(request):
    """GET /api/v1/kb/search?q=&lang=es&limit=5: public published articles.
    A call with an API key is the REST API's (ventanilla.integrations.api.kb)."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        from ventanilla.integrations.urls import api_view

        return api_view("kb/search")(request)
    if _rate_limited(request, "kb-search", settings.KB["SEARCH_RATE"]):
        return JsonResponse({"error": _("Demasiadas búsquedas seguidas; espera un momento.")},
                            status=429)
    try:
        limit = max(1, min(SEARCH_LIMIT_MAX, int(request.GET.get("limit", 5))))
    except ValueError:
        limit = 5
    results = search_articles(
        request.GET.get("q", ""), language=_language(request), limit=limit,
        candidates=access.public_articles(), typing=request.GET.get("typing") == "1")
    return JsonResponse({
        "results": [{
            "slug": hit.article.slug, "title": hit.article.title, "snippet": hit.snippet,
            "url": hit.article.get_absolute_url(), "score": hit.score,
        } for hit in results.hits],
        "suggestion": results.suggestion,
    })


# --- self-service widget ----------------------------------------------------


def _session_from(token) -> SelfServiceSession | None:
    try:
        return SelfServiceSession.objects.filter(token=uuid.UUID(str(token))).first()
    except (ValueError, TypeError):
        return None


@require_POST
def selfservice_record(request):
    """The widget reports the question it settled on and what it showed."""
    if _rate_limited(request, "kb-selfservice", settings.KB["SELFSERVICE_RATE"]):
        return JsonResponse({"error": "rate"}, status=429)
    try:
        data = json.loads(request.body or b"{}")
    except ValueError:
        return JsonResponse({"error": "json"}, status=400)
    question = str(data.get("question", "")).strip()
    if not question:
        return JsonResponse({"error": "question"}, status=400)
    shown = [str(s)[:120] for s in data.get("shown", []) if isinstance(s, str)]
    session = services.selfservice_record(
        _session_from(data.get("session")), user=request.user, question=question, shown=shown,
        place=str(data.get("place", "help")))
    return JsonResponse({"session": str(session.token)})


@require_POST
def selfservice_outcome(request, token):
    session = _session_from(token)
    outcome = request.POST.get("resultado", "")
    if session is None or outcome not in (Outcome.RESOLVED, Outcome.NOT_RESOLVED):
        raise Http404
    services.selfservice_outcome(session, outcome)
    return HttpResponse(status=204)


def selfservice_escalate(request, token, to):
    """"Crear un ticket" / "Chatear con un agente ahora": record, then go."""
    session = _session_from(token)
    question = request.GET.get("pregunta", "")[:300]
    if session is not None:
        question = question or session.question
        services.selfservice_outcome(session, Outcome.TICKET if to == "ticket" else Outcome.CHAT)
    if to == "chat":
        try:
            return redirect(reverse("chat:start") + "?" + urlencode({"pregunta": question}))
        except NoReverseMatch:
            pass
    params = {"asunto": question[:200], "pregunta": question}
    return redirect(reverse("portal:ticket_new") + "?" + urlencode(params))
