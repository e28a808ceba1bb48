"""Single sign-on from the billing system's client area.

The billing system signs (customer external id, unix time, nonce) with the
integration's shared secret (HMAC-SHA256) and sends the customer to
/acceso/sso/<integration>/?customer=…&ts=…&nonce=…&sig=…. The link is valid
for SSO_MAX_AGE_SECONDS (90 s by default, always under 2 minutes) and only
once: its nonce is recorded, so a replayed link is refused."""

import hashlib
import hmac
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.accounts.models import Customer, User

from .models import Integration, SsoLogin
from .services import customer_by_external_id

MAX_AGE_LIMIT = 119  # seconds: the link never lives 2 minutes, whatever the setting says
CLOCK_SKEW = 10  # seconds a link may come "from the future"


class SsoRefused(Exception):
    def __init__(self, code: str, message):
        super().__init__(code)
        self.code, self.message = code, message


def sso_signature(secret: str, customer: str, timestamp: int | str, nonce: str) -> str:
    message = f"{customer}\n{timestamp}\n{nonce}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def sso_max_age() -> int:
    return min(settings.VENTANILLA_INTEGRATIONS["SSO_MAX_AGE_SECONDS"], MAX_AGE_LIMIT)


def _customer_login(customer: Customer) -> User:
    """The customer's login, created (without a password) on first use."""
    if customer.user_id:
        return customer.user
    user = User.objects.filter(email__lower=customer.email.lower()).first()
    if user is None:
        user = User.objects.create_user(email=customer.email, full_name=customer.name)
    customer.user = user
    customer.save(update_fields=["user"])
    return user


def sso_link_use(integration: Integration | None, *, customer: str, timestamp: str, nonce: str,
                 signature: str, now: datetime | None = None) -> User:
    """Check a link and spend its nonce; the user to log in, or SsoRefused."""
    invalid = SsoRefused("invalid", _("El enlace de acceso no es válido."))
    if integration is None or not integration.is_active:
        raise invalid
    if not (customer and nonce and timestamp.isdigit() and 8 <= len(nonce) <= 100):
        raise invalid
    expected = sso_signature(integration.sso_secret, customer, timestamp, nonce)
    if not hmac.compare_digest(expected, signature.lower()):
        raise invalid
    age = (now or timezone.now()).timestamp() - int(timestamp)
    if age > sso_max_age() or age < -CLOCK_SKEW:
        raise SsoRefused("expired", _("El enlace de acceso caducó. Vuelve a entrar desde tu "
                                      "área de facturación."))
    target = customer_by_external_id(integration, customer)
    if target is None:
        raise invalid
    try:
        with transaction.atomic():
            SsoLogin.objects.create(integration=integration, nonce=nonce, customer=target)
            user = _customer_login(target)
            if not user.is_active or user.is_staff or user.is_superuser or user.is_agent:
                # A customer link must never open a staff session (nor link one).
                raise invalid
    except IntegrityError:
        raise SsoRefused("replayed", _("Este enlace de acceso ya se usó. Vuelve a entrar desde "
                                       "tu área de facturación.")) from None
    return user
