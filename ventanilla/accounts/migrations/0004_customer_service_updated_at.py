import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_email_lower_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, db_index=True,
                                       default=django.utils.timezone.now, verbose_name="actualizado"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="service",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, db_index=True,
                                       default=django.utils.timezone.now, verbose_name="actualizado"),
            preserve_default=False,
        ),
    ]
