from django.db import migrations


def seed(apps, schema_editor):
    from ventanilla.chat.seed import seed_chat_departments

    seed_chat_departments(apps.get_model("chat", "ChatDepartment"),
                          apps.get_model("tickets", "Department"))


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0001_initial"),
        ("tickets", "0002_seed_departments"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
