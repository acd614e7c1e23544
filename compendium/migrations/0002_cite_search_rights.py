"""What the editorial groups may do with the search's tables: both keep the synonyms;
both read, and clear, the searches that found nothing."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RIGHTS = {
    "searchsynonym": ("add", "change", "delete", "view"),
    "searchmiss": ("delete", "view"),
}
GROUPS = ("Editors", "Publishers")


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [
        Permission.objects.get(
            content_type__app_label="core", codename=f"{action}_{model}"
        )
        for model, actions in RIGHTS.items()
        for action in actions
    ]
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="core", content_type__model__in=list(RIGHTS)
    )
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("compendium", "0001_editorial_groups"),
        ("core", "0003_cite_search_vocabulary"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
