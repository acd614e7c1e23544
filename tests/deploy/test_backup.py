"""A backup restored into an empty database holds everything the original held.

`manage.py backup` and `manage.py restore` run as an operator runs them, in their own
processes, on scratch databases of the suite's kind (PostgreSQL when DATABASE_URL
points at one, SQLite otherwise). The comparison is generic: every table and its
row count, so tables other apps add (revisions, say) are covered without naming
them, plus practices and accounts by name.
"""

import json
import subprocess

import pytest

from tests.deploy.servers import ScratchDatabase

PASSWORD = "correct horse battery staple"
INVENTORY = """
import json
from django.contrib.auth import get_user_model
from django.db import connection
from practices.models import Practice

with connection.cursor() as cursor:
    tables = {}
    for table in sorted(connection.introspection.table_names(cursor)):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        tables[table] = cursor.fetchone()[0]
print(json.dumps({
    "tables": tables,
    "practices": sorted(Practice.objects.values_list("slug", "title", "status")),
    "accounts": sorted(
        get_user_model().objects.values_list("username", "password", "is_staff")
    ),
}))
"""


def inventory(database):
    result = database.manage("shell", "--no-imports", "-c", INVENTORY)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A database with the reference content and accounts, as a site has it."""
    folder = tmp_path_factory.mktemp("backup")
    database = ScratchDatabase("backup_source", folder).create()
    try:
        database.manage("migrate", "--no-input")
        database.manage("load_reference")
        for username in ("admin", "editor"):
            database.manage(
                "createsuperuser",
                "--no-input",
                "--username",
                username,
                "--email",
                f"{username}@example.org",
                DJANGO_SUPERUSER_PASSWORD=PASSWORD,
            )
        database.folder = folder
        yield database
    finally:
        database.drop()


@pytest.fixture
def target(source):
    database = ScratchDatabase("backup_target", source.folder).create()
    yield database
    database.drop()


def test_a_restored_backup_holds_every_table_row_practice_and_account(source, target):
    backup = source.folder / "site.backup"
    source.manage("backup", str(backup))

    target.manage("restore", str(backup))

    before, after = inventory(source), inventory(target)
    # Not vacuous: the reference practices, their taxonomies and both accounts.
    assert len(before["practices"]) >= 10
    assert {row[0] for row in before["accounts"]} == {"admin", "editor"}
    assert before["tables"]["django_migrations"] > 0
    assert after == before


def test_restore_refuses_a_database_that_is_not_empty(source, target):
    backup = source.folder / "refused.backup"
    source.manage("backup", str(backup))
    target.manage("restore", str(backup))
    before = inventory(target)

    with pytest.raises(subprocess.CalledProcessError) as refused:
        target.manage("restore", str(backup))

    assert "is not empty" in refused.value.stderr
    assert inventory(target) == before


def test_restore_refuses_a_file_that_is_no_backup(source, target):
    not_a_backup = source.folder / "notes.txt"
    not_a_backup.write_text("practices, but not a backup\n")

    with pytest.raises(subprocess.CalledProcessError) as refused:
        target.manage("restore", str(not_a_backup))

    assert "is not a backup" in refused.value.stderr
    assert "Traceback" not in refused.value.stderr
