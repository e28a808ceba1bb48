"""Demo data: a WHMCS integration acting as the demo supervisor, the demo
customers and services known by billing ids, a full-scope API key with a
fixed (demo-only) text, and a webhook that is off."""

from django.utils.translation import gettext as _

from ventanilla.accounts.models import Customer, Service, User

from .models import SCOPE_CHOICES, ApiKey, ExternalRef, Integration, WebhookSubscription, hash_key
from .services import ref_set

DEMO_KEY = "vt_demo0000_solo-para-la-demo-no-usar-en-produccion"
SUPERVISOR_EMAIL = "supervisor@example.com"


def seed_demo(stdout) -> None:
    integration, _created = Integration.objects.get_or_create(
        slug="whmcs", defaults={"name": "WHMCS",
                                "agent": User.objects.filter(email=SUPERVISOR_EMAIL).first()},
    )
    for customer_id in Customer.objects.values_list("pk", flat=True):
        if not ExternalRef.objects.filter(integration=integration, kind="customer",
                                          object_id=customer_id).exists():
            ref_set(integration, "customer", f"{1000 + customer_id}", customer_id)
    for service_id in Service.objects.values_list("pk", flat=True):
        if not ExternalRef.objects.filter(integration=integration, kind="service",
                                          object_id=service_id).exists():
            ref_set(integration, "service", f"{5000 + service_id}", service_id)
    if not ApiKey.objects.filter(prefix="demo0000").exists():
        ApiKey.objects.create(integration=integration, name=_("Demo (todos los permisos)"),
                              prefix="demo0000", key_hash=hash_key(DEMO_KEY),
                              scopes=[scope for scope, _label in SCOPE_CHOICES])
    WebhookSubscription.objects.get_or_create(
        integration=integration, url="http://127.0.0.1:9999/ventanilla",
        defaults={"events": ["ticket.created", "message.created"], "is_active": False},
    )
    stdout.write(_("API: /api/v1/docs — clave de demostración: %(key)s") % {"key": DEMO_KEY})
