"""The project as an operator meets it: migrations, production settings, health check.

The settings checks run ``manage.py`` in a subprocess with a clean environment, so the
real ``compendium.settings`` is imported as in production (not tests/settings.py).
"""

import os
import secrets
import subprocess
import sys

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import OperationalError, connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "compendium.settings",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "compendium.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://compendium.example.org",
}


def manage(*args, **env):
    """Run manage.py as an operator would, with nothing but ``env`` set."""
    clean = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONHASHSEED": "0"}
    clean.update({key: value for key, value in env.items() if value is not None})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_models_and_migrations_agree():
    # SystemExit(1) from --check means a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


# Organisation and PracticePartner moved from partnerships to practices (practices
# migration 0006); the editorial groups were granted their permissions before that.
MOVED_MODELS = ("organisation", "practicepartner")
EDITOR_ORGANISATION_PERMISSIONS = {
    "practices.add_organisation",
    "practices.change_organisation",
    "practices.view_organisation",
    "practices.add_practicepartner",
    "practices.change_practicepartner",
    "practices.delete_practicepartner",
    "practices.view_practicepartner",
}
BEFORE_THE_MOVE = [("practices", "0005_list_order_indexes")]


def _moved_permissions(group_name):
    """(permission id, app label, codename) a group holds on the moved models."""
    return set(
        Group.objects.get(name=group_name)
        .permissions.filter(content_type__model__in=MOVED_MODELS)
        .values_list("pk", "content_type__app_label", "codename")
    )


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def test_editorial_groups_hold_the_organisation_permissions(django_user_model):
    editor = django_user_model.objects.create_user("ed", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    publisher = django_user_model.objects.create_user("pub", is_staff=True)
    publisher.groups.add(Group.objects.get(name="Publishers"))

    editor_holds = editor.get_all_permissions()
    assert editor_holds >= EDITOR_ORGANISATION_PERMISSIONS
    assert "practices.delete_organisation" not in editor_holds
    assert publisher.get_all_permissions() >= {
        *EDITOR_ORGANISATION_PERMISSIONS,
        "practices.delete_organisation",
    }
    # Moved, not copied: no second set of permissions under the old app label.
    assert not ContentType.objects.filter(
        app_label="partnerships", model__in=MOVED_MODELS
    ).exists()
    assert Permission.objects.filter(content_type__model__in=MOVED_MODELS).count() == 8


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_moving_organisations_keeps_group_permissions_and_history(
    admin_user, editorial_groups
):
    organisation = OrganisationFactory(name="Coastal Bank")
    LogEntry.objects.log_actions(
        admin_user.pk, [organisation], CHANGE, change_message="Renamed."
    )
    editors = {(pk, codename) for pk, _, codename in _moved_permissions("Editors")}

    _migrate(BEFORE_THE_MOVE)
    assert {(pk, label) for pk, label, _ in _moved_permissions("Editors")} == {
        (pk, "partnerships") for pk, _ in editors
    }
    # migrate's post_migrate, run with today's code, makes the models' content types
    # under practices again; migrating forward must still keep the original ones.
    create_permissions(apps.get_app_config("practices"), verbosity=0)

    _migrate(None)
    assert {
        (pk, codename) for pk, label, codename in _moved_permissions("Editors")
    } == editors
    assert {label for _, label, _ in _moved_permissions("Editors")} == {"practices"}
    (entry,) = LogEntry.objects.all()
    assert entry.get_edited_object() == organisation


def test_production_settings_pass_the_deploy_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr + result.stdout
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize("debug", [None, "0", "false"], ids=["unset", "0", "false"])
def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off(debug):
    env = {**PRODUCTION, "SECRET_KEY": None, "DEBUG": debug}

    result = manage("check", **env)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "key",
    ["12345", "x" * 49, "ab" * 40],
    ids=["5 characters", "49 characters", "two distinct characters"],
)
def test_settings_refuse_to_start_with_a_weak_secret_key_when_debug_is_off(key):
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": key})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY is too weak" in result.stderr
    assert "at least 50 characters" in result.stderr
    # The message never echoes the key itself.
    assert key not in result.stderr


def test_settings_accept_a_50_character_secret_key():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": secrets.token_hex(25)})

    assert result.returncode == 0, result.stderr


def test_settings_start_without_a_secret_key_only_in_debug():
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": None, "DEBUG": "1"})

    assert result.returncode == 0, result.stderr


def test_debug_is_off_unless_asked_for():
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        **PRODUCTION,
    )

    assert result.stdout.strip() == "False", result.stderr


def test_healthz_answers_json_when_the_database_is_reachable(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}
    # A load balancer must see the current state, never a cached answer.
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_is_not(client, monkeypatch):
    from compendium import views

    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(views, "connection", Unreachable())

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
