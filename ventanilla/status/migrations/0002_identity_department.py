"""The "Verificación de identidad" department ("No puedo iniciar sesión"
requests) on installs seeded before it was part of tickets/seed.py."""

from django.db import migrations

from ventanilla.tickets.seed import DEPARTMENTS


def create(apps, schema_editor):
    Department = apps.get_model("tickets", "Department")
    if not Department.objects.exists():
        return  # a fresh install: the tickets seed migration creates them all
    for position, (slug, name, description, _categories) in enumerate(DEPARTMENTS):
        if slug in {"verificacion", "abuso", "ventas"}:
            Department.objects.get_or_create(
                slug=slug, defaults={"name": name, "description": description, "position": position})


class Migration(migrations.Migration):
    dependencies = [("status", "0001_initial"), ("tickets", "0002_seed_departments")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
