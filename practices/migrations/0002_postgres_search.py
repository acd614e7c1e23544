"""PostgreSQL full-text search: unaccent, the `compendium` configuration, a GIN index.

On SQLite every step does nothing, so one migration history serves both databases.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$
    BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'compendium') THEN
            CREATE TEXT SEARCH CONFIGURATION compendium (COPY = english);
            ALTER TEXT SEARCH CONFIGURATION compendium
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
        END IF;
    END
    $$
    """,
    "CREATE INDEX IF NOT EXISTS practice_search_gin "
    "ON practices_practice USING gin (search_vector)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS practice_search_gin",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS compendium",
]


def run(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("practices", "0001_initial")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
