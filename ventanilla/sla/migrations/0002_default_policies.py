from django.db import migrations


def create_policies(apps, schema_editor):
    from ventanilla.sla.seed import seed_policies

    seed_policies(apps.get_model("sla", "SlaPolicy"))


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(create_policies, migrations.RunPython.noop)]
