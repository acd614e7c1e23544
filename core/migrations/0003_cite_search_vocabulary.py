"""The search's own tables: synonyms editors keep (seeded with the field's common
acronyms and spellings) and searches that found nothing; pg_trgm on PostgreSQL, for
"did you mean"."""

from django.db import migrations, models

# Each group: terms that mean the same to the people who search the Compendium.
SEED = [
    (
        "THB, TIP, human trafficking, trafficking in persons, "
        "trafficking in human beings",
        "THB: trafficking in human beings; TIP: trafficking in persons.",
    ),
    (
        "AML, CFT, AML/CFT, anti-money laundering, money laundering",
        "Anti-money laundering and countering the financing of terrorism.",
    ),
    ("FIU, financial intelligence unit", ""),
    (
        "STR, SAR, suspicious transaction report, suspicious activity report",
        "",
    ),
    (
        "CSAM, OSEC, child sexual abuse material, "
        "online sexual exploitation of children",
        "",
    ),
    ("KYC, know your customer", ""),
    ("labour, labor", "British and American spelling."),
    ("organisation, organization", "British and American spelling."),
    ("modern slavery, forced labour, forced labor", ""),
]


def seed(apps, schema_editor):
    SearchSynonym = apps.get_model("core", "SearchSynonym")
    for terms, note in SEED:
        SearchSynonym.objects.get_or_create(terms=terms, defaults={"note": note})


def unseed(apps, schema_editor):
    SearchSynonym = apps.get_model("core", "SearchSynonym")
    SearchSynonym.objects.filter(terms__in=[terms for terms, _ in SEED]).delete()


def trigram_extension(apps, schema_editor):
    # pg_trgm is a trusted extension: the database owner may create it. SQLite has
    # no extensions; its "did you mean" uses difflib (core.search).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0002_loader_loaded_rows"),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchSynonym',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('terms', models.CharField(help_text='Two or more words, phrases or acronyms that mean the same, separated by commas, e.g. “FIU, financial intelligence unit”. A search for any of them finds every practice, action point, lesson or meeting that uses one. Case and accents do not matter; a searcher who puts a term in quotes gets that spelling only.', max_length=300, unique=True)),
                ('note', models.CharField(blank=True, help_text='Why these belong together (optional).', max_length=200)),
                ('updated_at', models.DateTimeField(auto_now=True)),
            ],
            options={
                'verbose_name': 'search synonym',
                'ordering': ['terms'],
            },
        ),
        migrations.RunPython(trigram_extension, migrations.RunPython.noop),
        migrations.CreateModel(
            name='SearchMiss',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('query', models.CharField(help_text='The words searched for, folded.', max_length=200, unique=True)),
                ('count', models.PositiveIntegerField(default=0, help_text='How many searches for these words found nothing.')),
                ('last_seen_at', models.DateTimeField(help_text='When it last happened.')),
            ],
            options={
                'verbose_name': 'search that found nothing',
                'verbose_name_plural': 'searches that found nothing',
                'ordering': ['-count', 'query'],
                'indexes': [models.Index(fields=['-count', 'query'], name='searchmiss_count')],
            },
        ),
        migrations.RunPython(seed, unseed),
    ]
