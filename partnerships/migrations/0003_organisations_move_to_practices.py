"""Organisation and PracticePartner now live in practices (its migration 0006).

State only: the tables, and Meeting.organisations' table, stay as they are.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0002_initial"),
        ("practices", "0006_organisation_practicepartner"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="meeting",
                    name="organisations",
                    field=models.ManyToManyField(blank=True, help_text="Organisations that took part (organisations only, never people).", related_name="meetings", to="practices.organisation"),
                ),
                migrations.DeleteModel(name="PracticePartner"),
                migrations.DeleteModel(name="Organisation"),
            ],
        ),
    ]
