"""BillingEvent.integration is now the integrations.Integration (filled
in by 0002); the old BillingIntegration model goes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("notifications", "0002_billing_keys_to_integrations"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="billingevent", name="billing_event_unique"),
        migrations.RemoveField(model_name="billingevent", name="integration"),
        migrations.RenameField(model_name="billingevent", old_name="source", new_name="integration"),
        migrations.AlterField(
            model_name="billingevent",
            name="integration",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="billing_events", to="integrations.integration",
                                    verbose_name="integración"),
        ),
        migrations.AddConstraint(
            model_name="billingevent",
            constraint=models.UniqueConstraint(fields=("integration", "external_id"),
                                               name="billing_event_unique"),
        ),
        migrations.DeleteModel(name="BillingIntegration"),
    ]
