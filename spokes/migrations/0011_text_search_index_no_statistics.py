from django.db import migrations

TEXT_SEARCH = "mention_text_search"


def index_statistics(target: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"ALTER INDEX {TEXT_SEARCH} ALTER COLUMN 1 SET STATISTICS {target}")

    return apply


class Migration(migrations.Migration):
    """The full-text index's own statistics are no longer gathered.

    ANALYZE computes statistics for an expression index by parsing the text of every sampled
    row (30,000 at the default target): about 0.4 s of a core on the mention table. The planner
    ignores a partial index's statistics; it estimates a search from the expression's
    extended statistics (migration 0006), which ANALYZE still gathers. Autovacuum analyses the
    table about once a minute during a flood of mentions, on the same cores as the web
    processes (the load test's POSTs waited up to half a second behind it).
    """

    dependencies = [("spokes", "0010_saved_view")]

    operations = [migrations.RunPython(index_statistics(0), index_statistics(-1))]
