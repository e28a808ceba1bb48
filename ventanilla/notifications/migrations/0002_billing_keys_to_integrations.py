"""The billing systems' own keys (BillingIntegration) become integrations
API keys with the billing_events:write scope; BillingEvent points at the
integrations.Integration. Both kinds of key are the SHA-256 of the whole key
text, so the hashes carry over and the keys already handed out keep working.

The schema change that follows is 0003: on PostgreSQL a table cannot be
altered in the transaction that just updated its rows (pending deferred
foreign-key checks)."""

import secrets

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone
from django.utils.text import slugify

BILLING_SCOPE = "billing_events:write"


def _free_slug(Integration, name: str) -> str:
    base = (slugify(name) or "facturacion")[:40]
    slug, n = base, 1
    while Integration.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _free_prefix(ApiKey, prefix: str) -> str:
    # The prefix only names the key (and its rate-limit bucket): lookups go by
    # hash, so a clash can take a fresh one without touching the key.
    while len(prefix) > 12 or ApiKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    return prefix


def billing_keys_to_api_keys(apps, schema_editor):
    BillingIntegration = apps.get_model("notifications", "BillingIntegration")
    BillingEvent = apps.get_model("notifications", "BillingEvent")
    Integration = apps.get_model("integrations", "Integration")
    ApiKey = apps.get_model("integrations", "ApiKey")
    for old in BillingIntegration.objects.order_by("pk"):
        # The same billing system already connected to the REST API keeps one
        # integration (and one id space); else a new one, without an agent.
        integration = Integration.objects.filter(name=old.name).first()
        if integration is None:
            integration = Integration.objects.create(
                name=old.name, slug=_free_slug(Integration, old.name), created_at=old.created_at)
        ApiKey.objects.create(
            integration=integration, name=f"Eventos de facturación ({old.key_prefix})"[:100],
            prefix=_free_prefix(ApiKey, old.key_prefix), key_hash=old.key_hash,
            scopes=[BILLING_SCOPE], rate="600/m", created_at=old.created_at,
            last_used_at=old.last_used_at, revoked_at=None if old.is_active else timezone.now(),
        )
        BillingEvent.objects.filter(integration=old).update(source=integration)


class Migration(migrations.Migration):

    dependencies = [
        ("integrations", "0001_initial"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="billingevent",
            name="source",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="integrations.integration"),
        ),
        migrations.RunPython(billing_keys_to_api_keys, migrations.RunPython.noop),
    ]
