"""Three pipe-only mailboxes a fresh install (and the demo) starts with:
soporte@, facturacion@ and abuse@, each feeding its department. Harmless
defaults: an admin changes their addresses and adds IMAP settings."""

from django.db import migrations

DEFAULT_MAILBOXES = [
    ("soporte", "soporte@example.com", "soporte"),
    ("facturacion", "facturacion@example.com", "facturacion"),
    ("abuse", "abuse@example.com", "abuso"),
]


def create_mailboxes(apps, schema_editor):
    Mailbox = apps.get_model("mail", "Mailbox")
    Department = apps.get_model("tickets", "Department")
    for name, address, department_slug in DEFAULT_MAILBOXES:
        department = Department.objects.filter(slug=department_slug).first()
        if department is None or Mailbox.objects.filter(name=name).exists():
            continue
        Mailbox.objects.create(name=name, address=address, department=department)


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0001_initial"),
        ("tickets", "0002_seed_departments"),
    ]
    operations = [migrations.RunPython(create_mailboxes, migrations.RunPython.noop)]
