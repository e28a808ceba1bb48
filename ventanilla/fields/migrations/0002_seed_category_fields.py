"""Seed guidance and fields for the seed categories (ventanilla/fields/seed.py)."""

from django.db import migrations

from ventanilla.fields.seed import seed_category_fields


def seed(apps, schema_editor):
    seed_category_fields(apps.get_model("tickets", "Category"),
                         apps.get_model("fields", "CategoryGuidance"),
                         apps.get_model("fields", "CategoryField"))


class Migration(migrations.Migration):
    dependencies = [("fields", "0001_initial"), ("tickets", "0002_seed_departments")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
