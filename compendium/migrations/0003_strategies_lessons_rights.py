"""What the editorial groups may do with recommended strategies: as with action
points, editors write them and publishers also delete, publish and archive them. And
with a lesson's links to its practices, inline rows of the lesson's form: both groups
add, change and delete them, as they do a practice's sources."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_ACTIONS = ("add", "change", "view")
PUBLISHER_ACTIONS = ("add", "change", "delete", "view", "publish")


LINK_ACTIONS = ("add", "change", "delete", "view")


def _permissions(Permission, actions, app_label="partnerships", model="strategy"):
    return [
        Permission.objects.get(
            content_type__app_label=app_label, codename=f"{action}_{model}"
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
        links = _permissions(Permission, LINK_ACTIONS, "practices", "lessonpractice")
        for group in Group.objects.filter(name=name):
            group.permissions.add(*_permissions(Permission, actions), *links)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="partnerships", content_type__model="strategy"
    ) | Permission.objects.filter(
        content_type__app_label="practices", content_type__model="lessonpractice"
    )
    for group in Group.objects.filter(name__in=("Editors", "Publishers")):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("compendium", "0002_cite_search_rights"),
        ("partnerships", "0010_strategies_strategy"),
        ("practices", "0011_lessons_practices"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
