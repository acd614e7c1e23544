"""Organisation and PracticePartner move here from partnerships, tables and rows kept.

Only Django's record of the models changes: the tables keep their partnerships_ names
(``Meta.db_table``), and partnerships migration 0003 then takes the models out of that
app's state and points Meeting.organisations here. Their content types move with them,
so that the editorial groups keep their permissions on them and admin history stays.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = ("organisation", "practicepartner")


def move_content_types(source, target):
    def run(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType").objects.using(
            schema_editor.connection.alias
        )
        for model in MOVED:
            moving = content_types.filter(app_label=source, model=model)
            if not moving.exists():
                continue
            # After a rollback, post_migrate may have made an empty row for the model
            # under the app that holds it in code; the row being moved is the one that
            # permissions and history point at.
            content_types.filter(app_label=target, model=model).delete()
            moving.update(app_label=target)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0005_list_order_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
        # The tables are made there.
        ("partnerships", "0002_initial"),
        # The groups are granted these models' permissions under their old app label,
        # on a new database too: the content types move afterwards.
        ("compendium", "0001_editorial_groups"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Organisation",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=200)),
                        ("slug", models.SlugField(max_length=200, unique=True)),
                        ("type", models.CharField(choices=[("government", "Government"), ("law_enforcement", "Law enforcement"), ("financial_intelligence_unit", "Financial intelligence unit"), ("regulator", "Regulator"), ("private_company", "Private company"), ("financial_institution", "Financial institution"), ("technology_company", "Technology company"), ("industry_association", "Industry association"), ("ngo", "NGO"), ("international_organisation", "International organisation"), ("academia", "Academia")], db_index=True, max_length=32)),
                        ("website", models.URLField(blank=True, max_length=300)),
                        ("description", models.TextField(blank=True, help_text="What the organisation is, in one or two sentences.")),
                        ("country", models.ForeignKey(blank=True, help_text="Headquarters. Leave empty for an international or unnamed group.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="organisations", to="practices.country")),
                    ],
                    options={
                        "db_table": "partnerships_organisation",
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="PracticePartner",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("role", models.CharField(choices=[("lead", "Lead"), ("partner", "Partner"), ("funder", "Funder"), ("implementer", "Implementer")], default="partner", max_length=12)),
                        ("order", models.PositiveSmallIntegerField(default=0)),
                        ("organisation", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="roles", to="practices.organisation")),
                        ("practice", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="partners", to="practices.practice")),
                    ],
                    options={
                        "verbose_name": "partner",
                        "db_table": "partnerships_practicepartner",
                        "ordering": ["order", "pk"],
                        "constraints": [models.UniqueConstraint(fields=("practice", "organisation"), name="partner_once_per_practice")],
                    },
                ),
            ],
        ),
        migrations.RunPython(
            move_content_types("partnerships", "practices"),
            move_content_types("practices", "partnerships"),
        ),
    ]
