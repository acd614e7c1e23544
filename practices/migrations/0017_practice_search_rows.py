"""The practices' search rows: a narrow copy of each practice's English search
vectors and title order, which a broad search reads instead of the wide practice
rows (practices.models.PracticeSearch, bench/README.md). On PostgreSQL the rank
vector stays in the row and the search vector goes out of line, where only a match
the GIN index cannot answer alone reads it; filled here from the practices' own
vectors. Empty on SQLite."""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in (
        "ALTER TABLE practices_practicesearch "
        "ALTER COLUMN rank_vector SET STORAGE MAIN, "
        "ALTER COLUMN search_vector SET STORAGE EXTERNAL",
        "CREATE INDEX IF NOT EXISTS practice_search_row_gin "
        "ON practices_practicesearch USING gin (search_vector)",
        "INSERT INTO practices_practicesearch "
        "(practice_id, title_key, search_vector, rank_vector) "
        "SELECT id, lower(title), search_vector, rank_vector FROM practices_practice",
    ):
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS practice_search_row_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0016_language_search_vectors"),
    ]

    operations = [
        migrations.CreateModel(
            name="PracticeSearch",
            fields=[
                (
                    "practice",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_row",
                        serialize=False,
                        to="practices.practice",
                    ),
                ),
                ("title_key", models.TextField()),
                (
                    "search_vector",
                    django.contrib.postgres.search.SearchVectorField(null=True),
                ),
                (
                    "rank_vector",
                    django.contrib.postgres.search.SearchVectorField(null=True),
                ),
            ],
            options={
                "verbose_name": "practice search row",
            },
        ),
        migrations.RunPython(forward, backward),
    ]
