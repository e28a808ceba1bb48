from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect

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


def theme_css(request):
    """The site's configurable colours as CSS variables (no inline styles,
    so the Content-Security-Policy can forbid them)."""
    from .models import SiteSettings

    site = SiteSettings.load()
    css = f":root {{ --brand: {site.primary_colour}; --accent: {site.accent_colour}; }}\n"
    response = HttpResponse(css, content_type="text/css")
    response["Cache-Control"] = "public, max-age=300"
    return response
