"""Full-text search index on PostgreSQL; SQLite falls back to a LIKE scan in the filter."""

from django.db import migrations

INDEX = "mention_text_search"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The expression must match what SearchVector("text", config="english") generates.
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON spokes_mention USING gin "
        "(to_tsvector('english'::regconfig, COALESCE(text, '')))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("spokes", "0001_initial")]
    operations = [migrations.RunPython(create_index, drop_index)]
