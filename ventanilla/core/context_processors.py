from .models import SiteSettings


def branding(request):
    """Site name, logo and colours for every page (one query per request).

    Templates use `brand`: allauth's views put Django's own `site` in the
    context. `site` is kept for pages outside allauth."""
    if not hasattr(request, "_site_settings"):
        request._site_settings = SiteSettings.load()
    return {"brand": request._site_settings, "site": request._site_settings}
