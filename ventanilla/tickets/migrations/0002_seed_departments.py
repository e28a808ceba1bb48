"""Seed departments and the category tree (see ventanilla/tickets/seed.py);
this runs once, on a fresh install."""

from django.db import migrations

from ventanilla.tickets.seed import seed_departments


def seed(apps, schema_editor):
    seed_departments(apps.get_model("tickets", "Department"), apps.get_model("tickets", "Category"))


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
