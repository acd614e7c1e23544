"""A stored vector a language of the practices' translated texts (title, summary,
description, outcomes), in that language's own text search configuration, with a
GIN index each: a search on a French, Spanish or Arabic page matched a vector built
for every row. Filled here on PostgreSQL; unused (NULL) on SQLite."""

import django.contrib.postgres.search
from django.contrib.postgres.search import SearchVector
from django.db import migrations

CONFIGS = {"fr": "french", "es": "spanish", "ar": "arabic"}


def vector(language):
    config = CONFIGS[language]
    return (
        SearchVector(f"title_{language}", weight="A", config=config)
        + SearchVector(f"summary_{language}", weight="B", config=config)
        + SearchVector(
            f"description_{language}", f"outcomes_{language}", weight="C", config=config
        )
    )


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in CONFIGS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS practice_search_{language}_gin "
            f"ON practices_practice USING gin (search_vector_{language})"
        )
    Practice = apps.get_model("practices", "Practice")
    Practice.objects.update(
        **{f"search_vector_{language}": vector(language) for language in CONFIGS}
    )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for language in CONFIGS:
        schema_editor.execute(f"DROP INDEX IF EXISTS practice_search_{language}_gin")


class Migration(migrations.Migration):
    dependencies = [("practices", "0015_texts_in_languages")]

    operations = [
        *(
            migrations.AddField(
                model_name="practice",
                name=f"search_vector_{language}",
                field=django.contrib.postgres.search.SearchVectorField(
                    editable=False, null=True
                ),
            )
            for language in ("ar", "es", "fr")
        ),
        migrations.RunPython(forward, backward),
    ]
