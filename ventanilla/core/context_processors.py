from .models import SiteSettings


def branding(request):
    """Site name, logo and colours for every page (one query per request).

    Templates use `brand`: allauth's views put Django's own `site` in the
    context. `site` is kept for pages outside allauth."""
    site = SiteSettings.for_request(request)
    return {"brand": site, "site": site}
