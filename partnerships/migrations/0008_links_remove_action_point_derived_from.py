from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("partnerships", "0007_links_action_point_practices_data"),
    ]

    operations = [
        migrations.RemoveField(model_name="actionpoint", name="derived_from"),
    ]
