from .models import SiteSettings


def branding(request):
    """Site name, logo and colours for every page (one query per request)."""
    if not hasattr(request, "_site_settings"):
        request._site_settings = SiteSettings.load()
    return {"site": request._site_settings}
