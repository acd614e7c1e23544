from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0005_history_version"),
        ("practices", "0009_cite_practice_old_slug"),
    ]

    operations = [
        migrations.AddField(
            model_name="actionpoint",
            name="practices",
            field=models.ManyToManyField(
                blank=True,
                help_text=(
                    "The practices in the portal it draws on. A draft practice is "
                    "never shown with it until that practice is published."
                ),
                related_name="action_points",
                to="practices.practice",
            ),
        ),
        migrations.AddField(
            model_name="actionpoint",
            name="derived_note",
            field=models.TextField(
                blank=True,
                help_text=(
                    "What else it draws on that is not a practice in the portal, "
                    "e.g. “US Trafficking in Persons Report recommendations”. Name "
                    "practices above instead of here."
                ),
                verbose_name="also drawn from",
            ),
        ),
    ]
