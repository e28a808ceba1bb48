from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0005_ticket_search_index'),
    ]

    operations = [
        migrations.AlterField(
            model_name='ticketevent',
            name='kind',
            field=models.CharField(choices=[('creado', 'Creado'), ('estado', 'Estado'), ('prioridad', 'Prioridad'), ('departamento', 'Departamento'), ('categoria', 'Categoría'), ('asignacion', 'Asignación'), ('fusion', 'Fusión'), ('aviso_cierre', 'Aviso de cierre'), ('verificado', 'Verificado')], max_length=16, verbose_name='tipo'),
        ),
    ]
