"""The full-text index of tickets for the console search (tickets/search.py):
an FTS5 table on SQLite, a tsvector table with a GIN index on PostgreSQL,
filled from the tickets already there."""

from django.db import migrations


def create_index(apps, schema_editor):
    from ventanilla.tickets import search

    for sql in search.TICKET_INDEX.create_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)
    search.rebuild()


def drop_index(apps, schema_editor):
    from ventanilla.tickets import search

    for sql in search.TICKET_INDEX.drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_sla_timers")]
    operations = [migrations.RunPython(create_index, drop_index)]
