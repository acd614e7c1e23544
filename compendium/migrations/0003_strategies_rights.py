"""What the editorial groups may do with recommended strategies: as with action
points, editors write them and publishers also delete, publish and archive them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_ACTIONS = ("add", "change", "view")
PUBLISHER_ACTIONS = ("add", "change", "delete", "view", "publish")


def _permissions(Permission, actions):
    return [
        Permission.objects.get(
            content_type__app_label="partnerships", codename=f"{action}_strategy"
        )
        for action in actions
    ]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, actions in (
        ("Editors", EDITOR_ACTIONS),
        ("Publishers", PUBLISHER_ACTIONS),
    ):
        for group in Group.objects.filter(name=name):
            group.permissions.add(*_permissions(Permission, actions))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="partnerships", content_type__model="strategy"
    )
    for group in Group.objects.filter(name__in=("Editors", "Publishers")):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("compendium", "0002_cite_search_rights"),
        ("partnerships", "0006_strategies_strategy"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
