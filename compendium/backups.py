"""Back up the database and restore a backup into an empty one (README, "Backup").

PostgreSQL through its own tools, `pg_dump --format=custom` and `pg_restore`, which
take a consistent snapshot of a live database; SQLite through its online backup API
(`sqlite3.Connection.backup`), which copies a consistent state while the server keeps
reading and writing, where copying the file could catch a write half done. Each
kind of backup file is recognised by its first bytes, so a file never goes to the
wrong restore.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.db import connections

POSTGRES_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup or restore that cannot be done, said in words for the operator."""


def backup(path, using="default"):
    """Writes a backup of the database to `path`, which appears only once complete."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    connection = connections[using]
    try:
        if connection.vendor == "postgresql":
            _run(
                [_tool("pg_dump"), "--format=custom", f"--file={partial}"],
                connection,
            )
        elif connection.vendor == "sqlite":
            source = sqlite3.connect(_sqlite_path(connection))
            target = sqlite3.connect(partial)
            try:
                with target:
                    source.backup(target)
            finally:
                target.close()
                source.close()
        else:
            raise BackupError(f"No backup for a {connection.vendor} database.")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def restore(path, using="default"):
    """Restores the backup at `path` into the database, which must be empty: a
    restore never overwrites content that may hold edits made since the backup."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    with path.open("rb") as file:
        head = file.read(len(SQLITE_MAGIC))
    connection = connections[using]
    expected = {"postgresql": POSTGRES_MAGIC, "sqlite": SQLITE_MAGIC}.get(
        connection.vendor
    )
    if expected is None:
        raise BackupError(f"No restore for a {connection.vendor} database.")
    if not head.startswith(expected):
        raise BackupError(
            f"{path} is not a backup of a {connection.vendor} database "
            "(made by manage.py backup on the same kind of database)."
        )
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            f"The database {connection.settings_dict['NAME']} is not empty "
            f"({len(tables)} tables): restore into a new, empty database, then "
            "point DATABASE_URL at it."
        )
    connection.close()
    if connection.vendor == "postgresql":
        _restore_postgres(path, connection)
    else:
        source = sqlite3.connect(path)
        target = sqlite3.connect(_sqlite_path(connection))
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()


def _restore_postgres(path, connection):
    pg_restore = _tool("pg_restore")
    listing = _run([pg_restore, "--list", str(path)], connection, capture=True)
    # A database owner who is no superuser may create the trusted extensions the
    # migrations use (unaccent) but not comment on them: leave the comments out.
    entries = [
        line for line in listing.splitlines() if " COMMENT - EXTENSION " not in line
    ]
    with tempfile.NamedTemporaryFile("w", suffix=".list") as use_list:
        use_list.write("\n".join(entries) + "\n")
        use_list.flush()
        _run(
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--use-list={use_list.name}",
                f"--dbname={connection.settings_dict['NAME']}",
                str(path),
            ],
            connection,
        )


def _sqlite_path(connection):
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError("An in-memory SQLite database has nothing to back up.")
    return name


def _tool(name):
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not installed (Debian: apt-get install postgresql-client)."
        )
    return found


def _run(command, connection, capture=False):
    """Runs a PostgreSQL client tool against the connection's database."""
    settings = connection.settings_dict
    env = {**os.environ, "PGDATABASE": settings["NAME"]}
    for variable, key in [
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ]:
        if settings.get(key):
            env[variable] = str(settings[key])
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        reason = result.stderr.strip() or f"exit status {result.returncode}"
        raise BackupError(f"{Path(command[0]).name} failed: {reason}")
    return result.stdout if capture else None
