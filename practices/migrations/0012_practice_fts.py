"""SQLite's full-text index of practices (core.fts), filled from what they hold.

On PostgreSQL every step does nothing (its search reads the stored vector), so one
migration history serves both databases.
"""

from django.db import migrations

TABLE = "practices_practice_fts"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from core import fts
    from practices.search import refresh_sqlite_index

    schema_editor.execute(fts.create_sql(TABLE))
    # Through today's models: a database this migration meets holds the practices
    # of its own time, and a new one holds none yet.
    if apps.get_model("practices", "Practice").objects.exists():
        refresh_sqlite_index()


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    from core import fts

    schema_editor.execute(fts.drop_sql(TABLE))


class Migration(migrations.Migration):
    dependencies = [("practices", "0011_lessons_practices")]

    operations = [migrations.RunPython(create, drop)]
