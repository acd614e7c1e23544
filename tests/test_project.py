"""The project as an operator meets it: migrations, production settings, health check.

The settings checks run ``manage.py`` in a subprocess with a clean environment, so the
real ``compendium.settings`` is imported as in production (not tests/settings.py).
"""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import OperationalError

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
