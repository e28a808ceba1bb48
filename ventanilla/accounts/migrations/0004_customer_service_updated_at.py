import django.db.models.functions
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_email_lower_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="customer",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, db_default=django.db.models.functions.Now(),
                                       db_index=True, verbose_name="actualizado"),
        ),
        migrations.AddField(
            model_name="service",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, db_default=django.db.models.functions.Now(),
                                       db_index=True, verbose_name="actualizado"),
        ),
    ]
