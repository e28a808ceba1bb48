"""The full-text index of articles: an FTS5 table on SQLite, a tsvector
table with a GIN index on PostgreSQL (see kb/search/backends.py)."""

from django.db import migrations


def create_index(apps, schema_editor):
    from ventanilla.kb.search import ARTICLE_INDEX

    for sql in ARTICLE_INDEX.create_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def drop_index(apps, schema_editor):
    from ventanilla.kb.search import ARTICLE_INDEX

    for sql in ARTICLE_INDEX.drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("kb", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
