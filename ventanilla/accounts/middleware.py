import zoneinfo

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from ventanilla.core.models import SiteSettings


class UserPreferencesMiddleware:
    """Shows dates in the viewer's time zone and pages in their language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            if user.language and "django_language" not in request.COOKIES:
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
        else:
            timezone.deactivate()
        return self.get_response(request)


class AgentTwoFactorMiddleware:
    """When the site requires it, an agent without TOTP can only reach the
    pages that set it up (and log out)."""

    allowed_prefixes = ("/cuenta/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and (user.is_agent or user.is_staff)
            and not request.path.startswith(self.allowed_prefixes)
            and SiteSettings.load().agents_require_2fa
            and not _has_totp(user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
