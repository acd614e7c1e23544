"""The rank vector: the title, summary and tags part of the search vector, which the
rank reads (core.search.rank_vector). Filled on PostgreSQL from the stored vectors;
unused (NULL) on SQLite."""

import django.contrib.postgres.search
from django.db import migrations


def fill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "UPDATE practices_practice SET rank_vector = ts_filter(search_vector, '{a,b}') "
        "WHERE search_vector IS NOT NULL"
    )


class Migration(migrations.Migration):
    dependencies = [("practices", "0013_practice_status_provenance_index")]

    operations = [
        migrations.AddField(
            model_name="practice",
            name="rank_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                editable=False, null=True
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
