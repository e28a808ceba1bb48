"""Seed the actions that need the customer's consent (ventanilla/fields/seed.py)."""

from django.db import migrations

from ventanilla.fields.seed import seed_consent_actions


def seed(apps, schema_editor):
    seed_consent_actions(apps.get_model("fields", "ConsentAction"))


class Migration(migrations.Migration):
    dependencies = [("fields", "0003_consent_actions")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
