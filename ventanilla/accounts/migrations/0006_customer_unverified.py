import django.db.models.deletion
from django.db import migrations, models

UNMATCHED_EMAIL = "sin-cuenta@ventanilla.invalid"


def flag_unmatched_holder(apps, schema_editor):
    # The holder of "No puedo iniciar sesión" requests that matched no
    # account existed before holders were flagged.
    Customer = apps.get_model("accounts", "Customer")
    Customer.objects.filter(email=UNMATCHED_EMAIL).update(unverified=True)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_agent_email_notifications'),
    ]

    operations = [
        migrations.AddField(
            model_name='customer',
            name='unverified',
            field=models.BooleanField(default=False, editable=False, verbose_name='sin verificar'),
        ),
        migrations.AddField(
            model_name='customer',
            name='unverified_for',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.customer', verbose_name='posible cuenta'),
        ),
        migrations.RunPython(flag_unmatched_holder, migrations.RunPython.noop),
    ]
