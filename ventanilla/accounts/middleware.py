import zoneinfo

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from ventanilla.core.models import SiteSettings


class UserPreferencesMiddleware:
    """Shows dates in the viewer's time zone and pages in their language.

    Spanish is the default whatever the browser's Accept-Language says; the
    language changes only by an explicit choice: the language switch (a
    cookie) or the user's saved preference."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
            language = language or user.language
        else:
            timezone.deactivate()
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


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
            and SiteSettings.for_request(request).agents_require_2fa
            and not _has_totp(user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
