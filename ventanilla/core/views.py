from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from ventanilla.tickets.access import is_console_user


@login_required
def home(request):
    """Agents land in the console, customers in their client area."""
    if is_console_user(request.user):
        return redirect("console:queue")
    return redirect("portal:dashboard")


def health(request):
    """A trivial page on the full middleware stack: the benchmark floor."""
    return HttpResponse("ok", content_type="text/plain")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page's <link rel="icon">
    says (feeds, file downloads, bookmarks): send them to the SVG icon."""
    from django.templatetags.static import static

    response = redirect(static("ventanilla/favicon.svg"), permanent=True)
    response["Cache-Control"] = "public, max-age=86400"
    return response


def theme_css(request):
    """The site's configurable colours as CSS variables (no inline styles,
    so the Content-Security-Policy can forbid them)."""
    from .models import SiteSettings

    site = SiteSettings.load()
    css = f":root {{ --brand: {site.primary_colour}; --accent: {site.accent_colour}; }}\n"
    response = HttpResponse(css, content_type="text/css")
    response["Cache-Control"] = "public, max-age=300"
    return response


def site_logo(request):
    """The logo uploaded in the admin (validated as a raster image when it
    was saved). Uploads live in private storage; this is its one public door."""
    import filetype
    from django.http import Http404

    from .models import LOGO_TYPES, SiteSettings

    site = SiteSettings.for_request(request)
    if not site.logo:
        raise Http404
    try:
        with site.logo.open("rb") as handle:
            content = handle.read()
    except OSError as error:
        raise Http404 from error
    kind = filetype.guess(content[:2048])
    if kind is None or kind.mime not in LOGO_TYPES:
        raise Http404
    response = HttpResponse(content, content_type=kind.mime)
    # The URL carries a version (SiteSettings.logo_url): a new logo is a new URL.
    response["Cache-Control"] = "public, max-age=86400"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


# --- Error pages (handler404/handler403 in ventanilla/urls.py, CSRF_FAILURE_VIEW) ---
# The 500 page is Django's own handler with templates/500.html, which is
# rendered without a request context so it survives a failing database.


def way_back(request) -> dict:
    """Where an error page sends the visitor back: the console for agents,
    the client area for customers, the home page (login) for visitors."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        if is_console_user(user):
            return {"url": reverse("console:queue"), "label": _("Volver a la consola")}
        return {"url": reverse("portal:dashboard"), "label": _("Volver a tu Área de cliente")}
    return {"url": reverse("home"), "label": _("Ir al inicio")}


def _error_page(request, template: str, status: int, title: str) -> HttpResponse:
    context = {"error_code": status, "error_title": title, "way_back": way_back(request)}
    return HttpResponse(render_to_string(template, context, request), status=status)


def page_not_found(request, exception=None):
    return _error_page(request, "404.html", 404, _("No encontramos esta página"))


def permission_denied(request, exception=None):
    return _error_page(request, "403.html", 403, _("No tienes acceso a esta página"))


def csrf_failure(request, reason=""):
    """A form whose CSRF check failed (Django logs the reason in one line)."""
    return _error_page(request, "403_csrf.html", 403, _("No pudimos enviar el formulario"))
