from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ventanilla.core import ratelimit

from .models import Integration
from .sso import SsoRefused, sso_link_use

SSO_RATE = "30/m"


@never_cache
@require_GET
def sso_login(request, integration: str):
    """The billing system's signed link into the client area."""
    ip = request.META.get("REMOTE_ADDR", "")
    if ratelimit.consume("sso", ip, SSO_RATE) is None:
        return render(request, "integrations/sso_refused.html", {"code": "rate_limited"}, status=429)
    try:
        user = sso_link_use(
            Integration.objects.filter(slug=integration).first(),
            customer=request.GET.get("customer", ""), timestamp=request.GET.get("ts", ""),
            nonce=request.GET.get("nonce", ""), signature=request.GET.get("sig", ""),
        )
    except SsoRefused as refused:
        return render(request, "integrations/sso_refused.html",
                      {"code": refused.code, "message": refused.message}, status=403)
    login(request, user, backend="ventanilla.accounts.backends.ModelBackend")
    target = request.GET.get("next", "")
    if not (target.startswith("/cliente/") and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure())):
        target = reverse("portal:dashboard")
    return redirect(target)
