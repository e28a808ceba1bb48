"""Where a notice may point: a path of this site, or a page on one of the
provider's own domains (VENTANILLA_NOTICE_LINK_DOMAINS, comma-separated;
default: the host of SITE_URL). A domain admits its subdomains too
(example.com admits facturacion.example.com).

Billing events set their notice's link; without this rule a leaked or
misconfigured integration key could send customers from our client area to
any site (/cliente/avisos/<id>/ redirects to the link)."""

import os
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme


def notice_link_domains() -> list[str]:
    configured = getattr(settings, "VENTANILLA_NOTICE_LINK_DOMAINS", None)
    if configured is None:
        configured = os.environ.get("VENTANILLA_NOTICE_LINK_DOMAINS", "")
    if isinstance(configured, str):
        configured = configured.split(",")
    domains = [d.strip().strip(".").lower() for d in configured if d.strip().strip(".")]
    return domains or [(urlsplit(settings.SITE_URL).hostname or "").lower()]


def _host_allowed(host: str, domains: list[str]) -> bool:
    host = host.rstrip(".").lower()
    return any(host == domain or host.endswith("." + domain) for domain in domains if domain)


def notice_link_allowed(url: str) -> bool:
    """Whether a notice may link (and its page redirect) to `url`."""
    if not url:
        return True
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if not parts.scheme and not parts.netloc:
        # A path of this site; "//host" and "/\host" are other sites.
        return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=set())
    if parts.scheme not in ("http", "https") or parts.username or parts.password:
        return False
    return (_host_allowed(parts.hostname or "", notice_link_domains())
            and url_has_allowed_host_and_scheme(url, allowed_hosts={parts.netloc}))
