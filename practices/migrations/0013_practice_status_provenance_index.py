"""Counting published practices by provenance from an index alone.

On SQLite the table's statistics are read again (ANALYZE): with statistics for every
other index and none for this one, the planner took it for the home page's latest
practices too, and sorted every published row instead of reading six in order.
"""

from django.db import migrations, models


def analyze(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ANALYZE practices_practice")


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0012_practice_fts"),
        (
            "taggit",
            "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx",
        ),
    ]

    operations = [
        migrations.AddIndex(
            model_name="practice",
            index=models.Index(
                fields=["status", "provenance"], name="practice_status_provenance"
            ),
        ),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
