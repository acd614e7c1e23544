"""The two editorial groups. Permissions are data: editors write, publishers decide."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
PUBLISHERS = "Publishers"

# (app, model): what an editor may do to it. Inline rows are deleted through their
# parent's form, so editors need delete on those; top-level content only publishers delete.
EDITOR_RIGHTS = {
    ("practices", "practice"): ("add", "change", "view"),
    ("practices", "practicesource"): ("add", "change", "delete", "view"),
    ("practices", "lessonlearned"): ("add", "change", "view"),
    ("practices", "country"): ("add", "change", "view"),
    ("practices", "sector"): ("view",),
    ("practices", "stage"): ("view",),
    ("practices", "audience"): ("view",),
    ("practices", "partnershipkind"): ("view",),
    ("practices", "region"): ("view",),
    ("partnerships", "organisation"): ("add", "change", "view"),
    ("partnerships", "practicepartner"): ("add", "change", "delete", "view"),
    ("partnerships", "meeting"): ("add", "change", "view"),
    ("partnerships", "meetingsource"): ("add", "change", "delete", "view"),
    ("partnerships", "insight"): ("add", "change", "delete", "view"),
    ("partnerships", "actionpoint"): ("add", "change", "view"),
    ("taggit", "tag"): ("add", "change", "view"),
    ("taggit", "taggeditem"): ("add", "change", "delete", "view"),
}
PUBLISH_PERMISSIONS = [
    ("practices", "publish_practice"),
    ("practices", "publish_lessonlearned"),
    ("partnerships", "publish_meeting"),
    ("partnerships", "publish_actionpoint"),
]


def make_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perm(app_label, codename):
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)

    editor_perms = [
        perm(app, f"{action}_{model}")
        for (app, model), actions in EDITOR_RIGHTS.items()
        for action in actions
    ]
    publisher_perms = editor_perms + [
        perm(app, f"{action}_{model}")
        for (app, model) in EDITOR_RIGHTS
        for action in ("add", "change", "delete", "view")
        if not (app == "practices" and model in {"sector", "stage", "audience", "region"})
    ]
    publisher_perms += [perm(app, codename) for app, codename in PUBLISH_PERMISSIONS]

    editors, _ = Group.objects.get_or_create(name=EDITORS)
    editors.permissions.set(editor_perms)
    publishers, _ = Group.objects.get_or_create(name=PUBLISHERS)
    publishers.permissions.set(set(publisher_perms))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITORS, PUBLISHERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("practices", "0002_postgres_search"),
        ("partnerships", "0001_initial"),
    ]

    operations = [migrations.RunPython(make_groups, remove_groups)]
