import zoneinfo

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation

from ventanilla.core.models import SiteSettings

from .two_factor import must_set_up_two_factor


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
        # The rule is two_factor.must_set_up_two_factor, shared with the
        # sockets' guard.
        if (
            request.user.is_authenticated
            and not request.path.startswith(self.allowed_prefixes)
            and must_set_up_two_factor(request.user, site=SiteSettings.for_request(request))
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)
